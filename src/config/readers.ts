/**
 * Small typed readers used by the schema. Each reports its problems to a `Problems` collector and
 * returns `undefined` for an invalid value (so cross-key checks can skip it); an absent key yields
 * the default, or a "required" problem when there is none.
 */
import { REJECTED_KEYS, sectionAt } from './keys.js';
import { Problems, describe, didYouMean, isPlainObject, join } from './problems.js';

export type Obj = Record<string, unknown>;

/**
 * Checks that `value` (found at `path`) is a mapping with only known keys. An absent or empty
 * (`null`) section reads as `{}` so that all its defaults apply; a non-mapping returns undefined.
 */
export function section(p: Problems, path: string, value: unknown, known?: readonly string[]): Obj | undefined {
  if (value === undefined || value === null) return {};
  const where = path === '' ? 'the top level' : path;
  if (!isPlainObject(value)) {
    p.add(path === '' ? '(top level)' : path, `must be a mapping of keys, got ${describe(value)}`,
      `write ${where} as a YAML mapping (key: value lines); see config/shiftwatch.example.yaml`);
    return undefined;
  }
  const keys = known ?? Object.keys(sectionAt(path).fields);
  const rejected = REJECTED_KEYS[path.replace(/\[\d+\]/g, '')] ?? {};
  for (const key of Object.keys(value)) {
    if (keys.includes(key)) continue;
    const k = join(path, key);
    if (rejected[key] !== undefined) {
      p.add(k, 'is not allowed', rejected[key]);
      continue;
    }
    const hint = didYouMean(key, keys);
    p.add(k, 'unknown key', hint !== ''
      ? `${hint}Rename it, or remove it`
      : `remove it; the known keys under ${where} are: ${keys.join(', ')}`);
  }
  return value;
}

/** A value was needed here but the key is absent or empty. */
function missing(p: Problems, k: string, value: unknown, what: string, example: string | undefined): undefined {
  const eg = example === undefined ? '' : `, e.g. ${k.split('.').pop()}: ${example}`;
  p.add(k, value === null ? 'is empty' : 'is required', `set ${k} to ${what}${eg}`);
  return undefined;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  example?: number;
}

export function numberWhat(rule: NumberRule): string {
  const bounds: string[] = [];
  if (rule.min !== undefined && rule.max !== undefined) bounds.push(`from ${rule.min} to ${rule.max}`);
  else {
    if (rule.min !== undefined) bounds.push(`at least ${rule.min}`);
    if (rule.above !== undefined) bounds.push(`greater than ${rule.above}`);
    if (rule.max !== undefined) bounds.push(`at most ${rule.max}`);
  }
  return `${rule.integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

export function num(p: Problems, obj: Obj | undefined, path: string, key: string, def: number | undefined,
  rule: NumberRule = {}): number | undefined {
  if (obj === undefined) return undefined;
  const k = join(path, key);
  const v = obj[key];
  const what = numberWhat(rule);
  const example = rule.example ?? def;
  if (v === undefined && def !== undefined) return def;
  if (v === undefined || v === null) return missing(p, k, v, what, example?.toString());
  const fix = `set ${k} to ${what}${example === undefined ? '' : `, e.g. ${example}`}`;
  if (typeof v !== 'number') {
    const quoted = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
    p.add(k, `must be ${what}, got ${describe(v)}`, quoted ? `write the number without quotes: ${key}: ${v.trim()}` : fix);
    return undefined;
  }
  if (!Number.isFinite(v)) {
    p.add(k, `must be a finite number, got ${describe(v)}`, fix);
    return undefined;
  }
  const bad = (rule.integer && !Number.isInteger(v)) || (rule.min !== undefined && v < rule.min)
    || (rule.above !== undefined && v <= rule.above) || (rule.max !== undefined && v > rule.max);
  if (bad) {
    p.add(k, `must be ${what}, got ${v}`, fix);
    return undefined;
  }
  return v;
}

export interface StringRule {
  pattern?: RegExp;
  /** Says what the pattern means, e.g. "letters, digits, '.', '_' or '-'". */
  patternHint?: string;
  example?: string;
}

export function str(p: Problems, obj: Obj | undefined, path: string, key: string, def: string | undefined,
  rule: StringRule = {}): string | undefined {
  if (obj === undefined) return undefined;
  const k = join(path, key);
  const v = obj[key];
  const what = rule.patternHint ?? 'a non-empty string';
  if (v === undefined && def !== undefined) return def;
  if (v === undefined || v === null) return missing(p, k, v, what, rule.example ?? def);
  const fix = `set ${k} to ${what}${rule.example === undefined ? '' : `, e.g. ${rule.example}`}`;
  if (typeof v !== 'string') {
    p.add(k, `must be a string, got ${describe(v)}`, typeof v === 'number' ? `quote it: ${key}: "${v}"` : fix);
    return undefined;
  }
  if (v.trim() === '') {
    p.add(k, 'must not be empty', def === undefined ? fix : `${fix}, or remove the key to use the default "${def}"`);
    return undefined;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(v)) {
    p.add(k, `${describe(v)} is not valid`, fix);
    return undefined;
  }
  return v;
}

export function bool(p: Problems, obj: Obj | undefined, path: string, key: string, def: boolean): boolean | undefined {
  if (obj === undefined) return undefined;
  const v = obj[key];
  if (v === undefined) return def;
  if (typeof v === 'boolean') return v;
  const k = join(path, key);
  p.add(k, `must be true or false, got ${describe(v)}`, `set ${k} to true or false (unquoted), e.g. ${key}: ${def}`);
  return undefined;
}

/** One of a fixed set of strings; `fixes` gives a specific fix for known wrong values. */
export function oneOf<T extends string>(p: Problems, obj: Obj | undefined, path: string, key: string,
  def: T | undefined, choices: readonly T[], fixes: Readonly<Record<string, string>> = {}): T | undefined {
  if (obj === undefined) return undefined;
  const k = join(path, key);
  const v = obj[key];
  const list = choices.join(', ');
  if (v === undefined && def !== undefined) return def;
  if (v === undefined || v === null) return missing(p, k, v, `one of: ${list}`, def ?? choices[0]);
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  const specific = typeof v === 'string' ? fixes[v] : undefined;
  const hint = typeof v === 'string' ? didYouMean(v, choices) : '';
  p.add(k, `must be one of ${list}, got ${describe(v)}`, specific ?? `${hint}set ${k} to one of: ${list}`);
  return undefined;
}
