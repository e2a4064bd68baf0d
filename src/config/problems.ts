import { ConfigError } from '../core/errors.js';
import { at } from '../core/indexing.js';

/** One configuration problem: the full key path, what is wrong, and how to fix it. */
export interface ConfigProblem {
  key: string;
  problem: string;
  fix: string;
}

/** A ConfigError that carries every problem found; its message has one line per problem. */
export type ConfigErrors = ConfigError & { readonly problems: readonly ConfigProblem[] };

/** Collects problems so that an operator sees all of them at once. Exact repeats are dropped. */
export class Problems {
  private readonly items: ConfigProblem[] = [];

  add(key: string, problem: string, fix: string): void {
    if (!this.items.some((p) => p.key === key && p.problem === problem)) this.items.push({ key, problem, fix });
  }

  /** Whether a problem was already reported for `key`. */
  has(key: string): boolean {
    return this.items.some((p) => p.key === key);
  }

  get list(): readonly ConfigProblem[] {
    return this.items;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw configError(this.items);
  }
}

/**
 * One ConfigError for all problems: key and fix are the first problem's, and the message lists
 * every problem as `config <key>: <problem>. Fix: <fix>`, one per line (so a single problem reads
 * exactly like a plain ConfigError).
 */
export function configError(problems: readonly ConfigProblem[]): ConfigErrors {
  const [first] = problems;
  if (first === undefined) throw new Error('configError needs at least one problem');
  const error = new ConfigError(first.key, first.problem, first.fix);
  if (problems.length > 1) {
    error.message = problems.map((p) => new ConfigError(p.key, p.problem, p.fix).message).join('\n');
  }
  return Object.assign(error, { problems: [...problems] });
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  // d[i][j]: the distance between the first i characters of a and the first j of b.
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const cell = (i: number, j: number) => at(at(d, i, 'edit distance rows'), j, 'edit distance columns');
  for (let i = 1; i <= a.length; i++) {
    const row = at(d, i, 'edit distance rows');
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, cell(i - 2, j - 2) + 1);
      row[j] = v;
    }
  }
  return cell(a.length, b.length);
}

/** The candidate closest to `word` (ignoring case) if it is within edit distance 2. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const distance = editDistance(word.toLowerCase(), c.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  return best;
}

/** `did you mean `x`? ` or an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `did you mean \`${match}\`? `;
}

/** A short, value-revealing-but-bounded description for "got ..." messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

/** `a.b` / `a[0]` path joining; an empty parent means the top level. */
export function join(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Realm-independent (objects from another vm context have another Object.prototype).
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
