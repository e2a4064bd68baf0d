/**
 * Finds a classifier's outputs among the reference's columns, the way users export them:
 *
 * - `prob_<class>` (or `logit_<class>`) for any class names: `prob_fraud, prob_legit`, or
 *   `prob_0..prob_{K-1}` (index-named: ordered by index, names "0".."K-1"); other names keep the
 *   file's column order, which becomes the bundle's class order;
 * - `--classes a,b,c` with `--prob-prefix <p>` (or `--logit-prefix <p>`): the columns `<p>a, <p>b,
 *   <p>c` in that order; an empty prefix means the columns are named by the classes themselves.
 *
 * Columns the user declared as features (`--numeric`, `--categorical`) or excluded are never
 * outputs. When nothing is recognised, two situations stop `fit` instead of silently monitoring the
 * wrong thing: numeric columns that look like class probabilities (every value in [0, 1], some
 * strictly inside, every row summing to 1), and a `label` column with no model output at all.
 * `--no-predictions` (declaration `none`) turns all of this off: inputs only.
 */
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import { sumsToOne } from '../contract/probabilities.js';
import type { Row } from './row.js';
import { NON_FEATURE_COLUMNS } from './schema.js';

export interface OutputDeclaration {
  /** Class names in the model's output order (`--classes`). */
  classes?: readonly string[];
  /** Prefix of the probability columns (`--prob-prefix`), default `prob_`. */
  probPrefix?: string;
  /** Prefix of the logit columns (`--logit-prefix`), default `logit_`. */
  logitPrefix?: string;
  /** `--no-predictions`: the reference's model outputs and labels are not used. */
  none?: boolean;
}

export interface OutputColumns {
  input: 'probs' | 'logits';
  /** Class names in bundle order. */
  classNames: string[];
  /** The column of each class, in the same order. */
  columns: string[];
}

export const DEFAULT_PROB_PREFIX = 'prob_';
export const DEFAULT_LOGIT_PREFIX = 'logit_';
const DECLARE = 'declare them with --classes <a,b,...> and --prob-prefix <p> (or --logit-prefix <p>)';
const INPUTS_ONLY = 'or pass --no-predictions to monitor the inputs only';

/**
 * The reference's model-output columns, or undefined when it has none. `declared` are the columns
 * the user gave a feature kind or excluded: they are never outputs.
 */
export function recognizeOutputs(
  rows: readonly Row[],
  columns: readonly string[],
  declaration: OutputDeclaration,
  declared: ReadonlySet<string> = new Set(),
): OutputColumns | undefined {
  if (declaration.none) return undefined;
  const families = [
    { input: 'probs' as const, prefix: declaration.probPrefix ?? DEFAULT_PROB_PREFIX },
    { input: 'logits' as const, prefix: declaration.logitPrefix ?? DEFAULT_LOGIT_PREFIX },
  ];
  const available = columns.filter((c) => !declared.has(c));
  const found = declaration.classes === undefined
    ? discover(available, families)
    : fromClassList(declaration.classes, columns, declared, families);
  if (found === undefined) checkNothingMissed(rows, columns, available);
  return found;
}

/** `--classes`: every class must have its column under exactly one of the two prefixes. */
function fromClassList(
  classes: readonly string[],
  columns: readonly string[],
  declared: ReadonlySet<string>,
  families: { input: 'probs' | 'logits'; prefix: string }[],
): OutputColumns {
  if (classes.length < 2) throw new ReferenceDataError(undefined, `--classes names ${classes.length} class; a classifier has at least two`, 'list every class of the model output, in its order: --classes a,b');
  const twice = classes.find((c, i) => classes.indexOf(c) !== i);
  if (twice !== undefined) throw new ReferenceDataError(undefined, `--classes names the class ${JSON.stringify(twice)} twice`, 'list each class once');
  const candidates = families.map((f) => ({ ...f, columns: classes.map((c) => `${f.prefix}${c}`) }))
    .map((f) => ({ ...f, present: f.columns.filter((c) => columns.includes(c)) }));
  const complete = candidates.filter((f) => f.present.length === classes.length);
  const [completeFamily, secondComplete] = complete;
  if (completeFamily !== undefined && secondComplete !== undefined) {
    throw new ReferenceDataError(undefined, `both ${completeFamily.columns[0]}.. and ${secondComplete.columns[0]}.. exist for the classes`, 'keep one of the two families of model outputs');
  }
  const best = completeFamily ?? at(candidates.sort((a, b) => b.present.length - a.present.length), 0, 'model output families');
  if (best.present.length < classes.length) {
    const missing = best.columns.filter((c) => !columns.includes(c));
    throw new ReferenceDataError(
      undefined,
      `--classes ${classes.join(',')} needs the columns ${best.columns.join(', ')}, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the reference (columns: ${columns.join(', ')})`,
      'give --prob-prefix (or --logit-prefix) so that prefix + class name is each output column, e.g. --prob-prefix score_ for score_a, score_b',
    );
  }
  const clash = best.columns.find((c) => declared.has(c));
  if (clash !== undefined) {
    throw new ReferenceDataError(clash, 'is declared a feature (or excluded) and is also a model output of --classes', 'declare it one way only');
  }
  return { input: best.input, classNames: [...classes], columns: best.columns };
}

/** No `--classes`: every column with one of the prefixes is an output, named by what follows it. */
function discover(available: readonly string[], families: { input: 'probs' | 'logits'; prefix: string }[]): OutputColumns | undefined {
  const empty = families.find((f) => f.prefix === '');
  if (empty !== undefined) {
    throw new ReferenceDataError(undefined, `an empty ${empty.input === 'probs' ? '--prob-prefix' : '--logit-prefix'} makes every column a model output`, 'list the output columns with --classes <a,b,...> (an empty prefix means the columns are named by the classes)');
  }
  const found = families
    .map((f) => ({ ...f, columns: available.filter((c) => c.startsWith(f.prefix) && c.length > f.prefix.length) }))
    .filter((f) => f.columns.length > 0);
  const [family, other] = found;
  if (family === undefined) return undefined;
  if (other !== undefined) {
    throw new ReferenceDataError(undefined, `the reference has both ${family.prefix}* (${family.columns.join(', ')}) and ${other.prefix}* (${other.columns.join(', ')}) columns`, 'keep one family of model outputs, or mark input features that happen to use the prefix with --numeric');
  }
  const { input, prefix, columns } = family;
  const names = columns.map((c) => c.slice(prefix.length));
  if (names.length < 2) {
    throw new ReferenceDataError(
      columns[0],
      `is the only ${prefix}* column; a classifier's output has one column per class (at least two)`,
      `export every class's output (for a binary model also ${prefix}<other class>); if the column is an input feature, say so with --numeric ${columns[0]}, ${INPUTS_ONLY}`,
    );
  }
  if (names.every((n) => /^(0|[1-9]\d*)$/.test(n))) {
    const indices = names.map(Number);
    const K = names.length;
    const missing = Array.from({ length: K }, (_, k) => k).filter((k) => !indices.includes(k));
    if (missing.length > 0) {
      throw new ReferenceDataError(`${prefix}*`, `index-named outputs must be ${prefix}0 .. ${prefix}${K - 1} for ${K} classes; ${prefix}${missing[0]} is missing (found ${columns.join(', ')})`, 'name the model output columns by class index, from 0, without gaps, or by class name');
    }
    const order = Array.from({ length: K }, (_, k) => at(columns, indices.indexOf(k), 'index-named output columns'));
    return { input, classNames: order.map((c) => c.slice(prefix.length)), columns: order };
  }
  return { input, classNames: names, columns };
}

/**
 * Without recognised outputs: stop on probability-looking columns and on a label column with
 * nothing to compare it with. A `prediction` column with a label is a regression reference.
 */
function checkNothingMissed(rows: readonly Row[], columns: readonly string[], available: readonly string[]): void {
  const group = probabilityLookalikes(rows, available.filter((c) => !NON_FEATURE_COLUMNS.includes(c)));
  if (group !== undefined) {
    const prefix = commonPrefix(group);
    const classes = group.map((c) => c.slice(prefix.length)).join(',');
    const declare = `--prob-prefix ${prefix === '' ? "''" : prefix} --classes ${classes}`;
    throw new ReferenceDataError(
      undefined,
      `the columns ${group.join(', ')} look like the model's class probabilities (every value in [0, 1], every row sums to 1) but are not named prob_<class>`,
      `declare them: ${declare}; if they are input features, say so with --numeric ${group.join(',')}; ${INPUTS_ONLY}`,
    );
  }
  if (available.includes('label') && !columns.includes('prediction')) {
    throw new ReferenceDataError(
      'label',
      'the reference has true labels but no model outputs (no prob_<class> or logit_<class> columns), so no accuracy or label-shift estimator can be fitted',
      `add the model's class probabilities as prob_<class> columns, or ${DECLARE} when they are named differently; ${INPUTS_ONLY}`,
    );
  }
}

/** At most this many candidate columns are checked pair by pair. */
const MAX_PAIR_CANDIDATES = 100;

/**
 * A group of ≥ 2 numeric columns that behaves like a probability vector, or undefined. Candidates:
 * numbers in [0, 1] on every row, at least one strictly between (one-hot flags are not
 * probabilities). Groups tried: same prefix (up to the last `_`, `.`, `-` or `:`), all candidates,
 * then pairs (the binary classifier exported as two unnamed columns).
 */
export function probabilityLookalikes(rows: readonly Row[], columns: readonly string[]): string[] | undefined {
  const candidates = columns.filter((c) => isProbabilityColumn(rows, c));
  if (candidates.length < 2) return undefined;
  const byPrefix = new Map<string, string[]>();
  for (const c of candidates) {
    const cut = Math.max(c.lastIndexOf('_'), c.lastIndexOf('.'), c.lastIndexOf('-'), c.lastIndexOf(':'));
    if (cut <= 0) continue;
    const prefix = c.slice(0, cut + 1);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), c]);
  }
  const groups = [...byPrefix.values()].filter((g) => g.length >= 2);
  groups.push(candidates);
  if (candidates.length <= MAX_PAIR_CANDIDATES) {
    for (const [i, a] of candidates.entries()) {
      for (const b of candidates.slice(i + 1)) groups.push([a, b]);
    }
  }
  const head = rows.slice(0, 200);
  return groups.find((g) => rowsSumToOne(head, g) && rowsSumToOne(rows, g));
}

function isProbabilityColumn(rows: readonly Row[], column: string): boolean {
  let inside = false;
  for (const row of rows) {
    const v = row[column];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
    if (v > 0 && v < 1) inside = true;
  }
  return inside;
}

function rowsSumToOne(rows: readonly Row[], group: readonly string[]): boolean {
  return rows.every((row) => sumsToOne(group.map((c) => row[c] as number)));
}

function commonPrefix(names: readonly string[]): string {
  let prefix = at(names, 0, 'output column names');
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  // Keep whole words: cut back to the last separator so "p_fraud"/"p_free" gives "p_", not "p_fr".
  const cut = Math.max(prefix.lastIndexOf('_'), prefix.lastIndexOf('.'), prefix.lastIndexOf('-'), prefix.lastIndexOf(':'));
  return cut < 0 ? '' : prefix.slice(0, cut + 1);
}
