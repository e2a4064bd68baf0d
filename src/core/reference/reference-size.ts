/**
 * How big a reference must be, and what `fit` says when it is small. Every minimum is a `fit`
 * option whose default is the recommended size and which cannot go below a floor where the method
 * stops meaning anything. A reference below a minimum in force stops `fit` with every shortfall
 * listed at once and the options that would accept it; one accepted below a recommended size is
 * fitted with warnings, recorded in the bundle (`reference.small`, `reference.warnings`). The
 * estimators whose intervals depend on the reference's size carry that uncertainty themselves
 * (ATC's threshold bootstrap, DoC's source variance, the recall term of the label-shift accuracy).
 */
import { ReferenceDataError, ShiftwatchError } from '../errors.js';

export interface ReferenceMinimums {
  /** Non-null values every feature column needs (`--min-rows`). */
  columnRows: number;
  /** Reference rows per served window that the window null needs (`--null-rows-per-window`). */
  nullRowsPerWindow: number;
  /** Labelled rows ATC's threshold needs (`--atc-min-rows`). */
  atcRows: number;
  /** Misclassified rows, and correctly classified rows, ATC needs (`--atc-min-errors`). */
  atcErrors: number;
  /** Rows with every numeric feature that a density flow needs (`--flow-min-rows`); fewer: no flow. */
  flowRows: number;
}

export const RECOMMENDED_MINIMUMS: Readonly<ReferenceMinimums> = Object.freeze({ columnRows: 500, nullRowsPerWindow: 2, atcRows: 2000, atcErrors: 20, flowRows: 1000 });

/**
 * The lowest value each option accepts. Flow: its calibration split (20 %) must keep the 100 rows
 * the likelihood tests need. Null: below 1.5 windows of reference per window, every simulated block
 * overlaps most others and is compared with a remainder a third of its size.
 */
export const MINIMUM_FLOORS: Readonly<ReferenceMinimums> = Object.freeze({ columnRows: 100, nullRowsPerWindow: 1.5, atcRows: 100, atcErrors: 5, flowRows: 500 });

export const MINIMUM_OPTIONS: Readonly<Record<keyof ReferenceMinimums, string>> = Object.freeze({
  columnRows: '--min-rows',
  nullRowsPerWindow: '--null-rows-per-window',
  atcRows: '--atc-min-rows',
  atcErrors: '--atc-min-errors',
  flowRows: '--flow-min-rows',
});

/** What is wrong with one minimum's value, or undefined. */
export function minimumProblem(key: keyof ReferenceMinimums, value: number): string | undefined {
  const integer = key !== 'nullRowsPerWindow';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return `${MINIMUM_OPTIONS[key]} must be ${integer ? 'an integer' : 'a number'}, got ${value}`;
  if (value < MINIMUM_FLOORS[key]) return `${MINIMUM_OPTIONS[key]} must be at least ${MINIMUM_FLOORS[key]} (recommended ${RECOMMENDED_MINIMUMS[key]}), got ${value}`;
  return undefined;
}

/** The recommended minimums with the given ones in their place, each checked against its floor. */
export function resolveMinimums(given: Partial<ReferenceMinimums> = {}): ReferenceMinimums {
  const out = { ...RECOMMENDED_MINIMUMS, ...given };
  for (const key of Object.keys(out) as (keyof ReferenceMinimums)[]) {
    const problem = minimumProblem(key, out[key]);
    if (problem !== undefined) throw new ShiftwatchError(problem);
  }
  return out;
}

/** What `fit` measured on the reference before fitting anything. */
export interface ReferenceSizes {
  rows: number;
  windowSize: number;
  minEvents: number;
  /** Non-null values per feature column. */
  columns: readonly { name: string; n: number }[];
  /** Classifiers: labelled rows and how many of them the model got wrong. */
  labelled?: { rows: number; errors: number };
}

/**
 * Throws one ReferenceDataError listing every shortfall against the minimums in force and the
 * options that would accept the reference; otherwise returns the warnings for every size below
 * its recommended value.
 */
export function assessReferenceSize(sizes: ReferenceSizes, minimums: ReferenceMinimums): string[] {
  const problems: string[] = [];
  const accept: string[] = [];
  const blockers: string[] = [];
  const { rows, windowSize: m } = sizes;
  const opt = MINIMUM_OPTIONS;

  const nullRows = Math.ceil(minimums.nullRowsPerWindow * m);
  if (rows < nullRows) {
    problems.push(`${fmt(rows)} rows cannot calibrate windows of ${fmt(m)} events: the window null needs ${minimums.nullRowsPerWindow} × ${fmt(m)} = ${fmt(nullRows)} rows (${opt.nullRowsPerWindow})`);
    const window = Math.floor(rows / minimums.nullRowsPerWindow);
    accept.push(`--window-size ${window} (and window.size ${window} in the service config)`);
    if (window < sizes.minEvents) accept.push(`--min-events ${window} (and window.minEvents in the service config)`);
  }
  const thin = sizes.columns.filter((c) => c.n < minimums.columnRows).sort((a, b) => a.n - b.n);
  if (thin.length > 0) {
    problems.push(`${list(thin.map((c) => `${c.name} has ${fmt(c.n)}`))} non-null values, fewer than ${fmt(minimums.columnRows)} (${opt.columnRows})`);
    const [fewestUsable] = thin.filter((c) => c.n >= MINIMUM_FLOORS.columnRows);
    if (fewestUsable !== undefined) accept.push(`${opt.columnRows} ${fewestUsable.n}`);
    for (const c of thin.filter((c) => c.n < MINIMUM_FLOORS.columnRows)) {
      blockers.push(`${c.name} has fewer than ${MINIMUM_FLOORS.columnRows} values, the floor of ${opt.columnRows}: add rows, or drop it with --exclude ${c.name}`);
    }
  }
  const labelled = sizes.labelled;
  if (labelled !== undefined) {
    const atcProblem = (have: number, need: number, what: string, key: 'atcRows' | 'atcErrors', fix: string) => {
      if (have >= need) return;
      problems.push(`ATC needs ${fmt(need)} ${what}, the reference has ${fmt(have)} (${opt[key]})`);
      if (have >= MINIMUM_FLOORS[key]) accept.push(`${opt[key]} ${have}`);
      else blockers.push(`${fmt(have)} ${what} is below the floor of ${opt[key]} (${MINIMUM_FLOORS[key]}): ${fix}`);
    };
    const inputsOnly = 'add labelled rows, or pass --no-predictions to monitor the inputs only';
    atcProblem(labelled.rows, minimums.atcRows, 'labelled rows', 'atcRows', inputsOnly);
    const fewest = Math.min(labelled.errors, labelled.rows - labelled.errors);
    const which = labelled.errors <= labelled.rows - labelled.errors ? 'misclassified' : 'correctly classified';
    const suspicious = labelled.errors === 0 ? ' (no error at all: is this the training data? ATC needs held-out rows)' : '';
    atcProblem(fewest, minimums.atcErrors, `${which} rows${suspicious}`, 'atcErrors', 'use held-out data (never the training data) with enough of both, or pass --no-predictions to monitor the inputs only');
  }
  if (problems.length > 0) {
    const anyway = accept.length > 0 ? `; or fit it anyway, knowingly, with ${accept.join(' ')} (fit then warns and records the small reference in the bundle)` : '';
    throw new ReferenceDataError(
      undefined,
      `the reference is smaller than the minimums in force: ${problems.join('; ')}`,
      `add reference rows${anyway}${blockers.length > 0 ? `; ${blockers.join('; ')}` : ''}`,
    );
  }
  return smallReferenceWarnings(sizes);
}

/** One warning per size below its recommended value (the minimums in force were met). */
function smallReferenceWarnings(sizes: ReferenceSizes): string[] {
  const rec = RECOMMENDED_MINIMUMS;
  const warnings: string[] = [];
  const perWindow = sizes.rows / sizes.windowSize;
  if (perWindow < rec.nullRowsPerWindow) {
    warnings.push(`the reference holds ${perWindow.toFixed(2)} windows of ${fmt(sizes.windowSize)} events (recommended at least ${rec.nullRowsPerWindow}): the simulated null windows overlap heavily, so window p-values are coarse`);
  }
  const thin = sizes.columns.filter((c) => c.n < rec.columnRows).sort((a, b) => a.n - b.n);
  const [fewest] = thin;
  if (fewest !== undefined) {
    warnings.push(`${thin.length} feature${thin.length === 1 ? ' has' : 's have'} fewer than the recommended ${fmt(rec.columnRows)} non-null reference values (fewest: ${fewest.name}, ${fmt(fewest.n)}): per-feature tests compare windows with a coarse reference and miss small shifts`);
  }
  const labelled = sizes.labelled;
  if (labelled !== undefined && labelled.rows < rec.atcRows) {
    warnings.push(`${fmt(labelled.rows)} labelled rows (recommended ${fmt(rec.atcRows)}): ATC's threshold, the calibration and the per-class recalls are noisy; ATC's bootstrap interval, DoC's and the label-shift accuracy's intervals include the reference's sampling error and are wider`);
  }
  if (labelled !== undefined && Math.min(labelled.errors, labelled.rows - labelled.errors) < rec.atcErrors) {
    warnings.push(`only ${fmt(Math.min(labelled.errors, labelled.rows - labelled.errors))} ${labelled.errors <= labelled.rows / 2 ? 'misclassified' : 'correctly classified'} labelled rows (recommended ${rec.atcErrors}): ATC's threshold rests on a handful of scores`);
  }
  return warnings;
}

/** The warning for a flow trained on fewer complete rows than recommended, if any. */
export function flowSizeWarning(completeRows: number): string | undefined {
  if (completeRows >= RECOMMENDED_MINIMUMS.flowRows) return undefined;
  return `the density flow was trained on ${fmt(completeRows)} complete rows (recommended ${fmt(RECOMMENDED_MINIMUMS.flowRows)}): its likelihood null (the calibration split) is small, so covariate-shift p-values are coarse`;
}

function list(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
