/**
 * ATC (average thresholded confidence), docs/algorithms.md#atc. The fit picks a score threshold on held-out,
 * already-calibrated source data so that the share of source rows counted at or above it equals the
 * source accuracy; a window's accuracy estimate is the share of its rows counted the same way.
 * The window part is a mergeable count, so windows can be built record by record.
 */
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import { SCORE_FUNCTIONS, correctness, type ScoreName } from './scores.js';

/** What prediction needs: the threshold and the weight given to window scores exactly equal to it. */
export interface AtcThreshold {
  threshold: number;
  /** The tie weight λ: 1 when no tie straddles the threshold, less when tied scores do. */
  tieWeight: number;
}

/** Plain-JSON parameters of a fitted ATC threshold. */
export interface AtcFit extends AtcThreshold {
  sourceAccuracy: number;
  errors: number;
  n: number;
}

export interface AtcFitOptions {
  /** Fewest held-out rows accepted (ATC_DEFAULT_MIN_ROWS, 2000, unless told). */
  minRows?: number;
  /** Fewest misclassified rows: the threshold is pinned by the e lowest scores, so tiny e is noise. */
  minErrors?: number;
  /** Fewest correctly classified rows, for the same reason at the top end. */
  minCorrect?: number;
}

export const ATC_DEFAULT_MIN_ROWS = 2000;
export const ATC_DEFAULT_MIN_ERRORS = 20;
export const ATC_DEFAULT_MIN_CORRECT = 20;

/**
 * Stands in for t = +∞ when every source row is wrong: with tie weight 0 no finite score is counted,
 * which is what +∞ would do, and unlike Infinity it survives JSON.stringify.
 */
const ABOVE_EVERY_SCORE = Number.MAX_VALUE;

/**
 * The exact rule, without any refusal: t = the (e+1)-th smallest score (1-indexed), and
 * λ = (n − e − #{s > t}) / #{s = t}, so that counting #{s > t} + λ·#{s = t} on the source itself
 * gives exactly n − e. Without a tie across the boundary λ = 1 and this is the plain "s ≥ t" count.
 * Note: the paper writes its prediction with a strict "s > t"; with t placed exactly on s_(e+1) that
 * would give (n − e − 1)/n on the source, so "≥" is the one that fits.
 */
export function atcThresholdFromScores(scores: readonly number[], errors: number): AtcThreshold {
  const n = scores.length;
  if (!Number.isInteger(errors) || errors < 0 || errors > n) {
    throw new RangeError(`atcThresholdFromScores: errors must be an integer in [0, ${n}], got ${errors}`);
  }
  if (errors === n) return { threshold: ABOVE_EVERY_SCORE, tieWeight: 0 };
  const sorted = [...scores].sort((a, b) => a - b);
  const threshold = at(sorted, errors, 'atcThresholdFromScores: sorted scores');
  let greater = 0;
  let equal = 0;
  for (const s of scores) {
    if (s > threshold) greater++;
    else if (s === threshold) equal++;
  }
  return { threshold, tieWeight: (n - errors - greater) / equal };
}

/** Refuses a held-out set that cannot support a threshold; the message names the problem and the fix. */
function checkHeldOut(n: number, errors: number, options: AtcFitOptions): void {
  const minRows = options.minRows ?? ATC_DEFAULT_MIN_ROWS;
  const minErrors = options.minErrors ?? ATC_DEFAULT_MIN_ERRORS;
  const minCorrect = options.minCorrect ?? ATC_DEFAULT_MIN_CORRECT;
  const fix = 'use a larger held-out set (never the training data), or lower `shiftwatch fit --atc-min-rows` / `--atc-min-errors` knowingly (fit then warns and records it in the bundle)';
  if (n < minRows) {
    throw new ReferenceDataError(undefined, `ATC needs at least ${minRows} held-out rows to fit a threshold, got ${n}`, fix);
  }
  if (errors < minErrors) {
    throw new ReferenceDataError(
      undefined,
      `ATC needs at least ${minErrors} misclassified held-out rows to place its threshold, got ${errors} of ${n}` +
        (errors === 0 ? ' (is this the training data?)' : ''),
      fix,
    );
  }
  if (n - errors < Math.max(1, minCorrect)) {
    throw new ReferenceDataError(
      undefined,
      `ATC needs at least ${Math.max(1, minCorrect)} correctly classified held-out rows, got ${n - errors} of ${n}`,
      'check that labels and class indices match the model outputs, or use a larger held-out set',
    );
  }
}

/** Fits the threshold from held-out scores and top-1 correctness (docs/algorithms.md#atc). */
export function fitAtc(scores: readonly number[], correct: readonly boolean[], options: AtcFitOptions = {}): AtcFit {
  if (scores.length !== correct.length) {
    throw new ReferenceDataError(undefined, `${scores.length} scores but ${correct.length} correctness flags`, 'pass one flag per row');
  }
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) {
    throw new ReferenceDataError(undefined, `score of row ${bad} is ${scores[bad]}`, 'pass finite scores (probabilities without NaN)');
  }
  const n = scores.length;
  const errors = correct.reduce((e, c) => e + (c ? 0 : 1), 0);
  checkHeldOut(n, errors, options);
  return { ...atcThresholdFromScores(scores, errors), sourceAccuracy: (n - errors) / n, errors, n };
}

/** ATC fit for a named variant: 'mc' (max confidence) or 'ne' (negative entropy), from probabilities. */
export function fitAtcVariant(
  probabilities: readonly (readonly number[])[],
  labels: readonly number[],
  variant: ScoreName,
  options: AtcFitOptions = {},
): AtcFit & { variant: ScoreName } {
  const scores = probabilities.map(SCORE_FUNCTIONS[variant]);
  return { ...fitAtc(scores, correctness(probabilities, labels), options), variant };
}

/** Mergeable window summary: `above` is the (possibly fractional, because of ties) count at or above t. */
export interface AtcWindowSummary {
  n: number;
  above: number;
}

/** A bare number means weight 1 at the threshold, i.e. the plain "score ≥ t" count. */
function asThreshold(threshold: number | AtcThreshold): AtcThreshold {
  return typeof threshold === 'number' ? { threshold, tieWeight: 1 } : threshold;
}

/**
 * Summarises window scores against a fitted threshold (docs/algorithms.md#atc). Rows with a score
 * below every source score can only lower the estimate, unless t itself is that minimum score
 * (e = 0 with a saturated bottom), where they count with weight λ like other tied rows.
 */
export function atcSummary(windowScores: readonly number[], threshold: number | AtcThreshold): AtcWindowSummary {
  const { threshold: t, tieWeight } = asThreshold(threshold);
  let greater = 0;
  let equal = 0;
  for (const s of windowScores) {
    if (s > t) greater++;
    else if (s === t) equal++;
  }
  return { n: windowScores.length, above: greater + tieWeight * equal };
}

/** Adds two summaries of disjoint parts of a window. */
export function mergeAtcSummaries(a: AtcWindowSummary, b: AtcWindowSummary): AtcWindowSummary {
  return { n: a.n + b.n, above: a.above + b.above };
}

/** Accuracy estimate from a summary's counts. */
export function atcFromCounts(above: number, n: number): number {
  if (!(n > 0)) throw new RangeError(`atcFromCounts: the window is empty (n = ${n})`);
  return above / n;
}

/**
 * Accuracy estimate for one window. Pass the whole fit (or an AtcThreshold) so that ties at the
 * threshold are weighted as on the source; a bare number counts every score ≥ t fully.
 */
export function atcEstimate(windowScores: readonly number[], threshold: number | AtcThreshold): number {
  const summary = atcSummary(windowScores, threshold);
  return atcFromCounts(summary.above, summary.n);
}
