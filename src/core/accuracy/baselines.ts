/**
 * Confidence baselines ATC is compared against (docs/algorithms.md#average-confidence, #doc): AC (average confidence) and DoC
 * (difference of confidences). Both only need the window's sum of max-confidences, kept with the
 * sum of squares so that a sampling interval can be reported; summaries merge by addition.
 */
import { ReferenceDataError } from '../errors.js';

/** Plain-JSON source parameters for DoC (AC needs none). */
export interface ConfidenceBaselineFit {
  n: number;
  sourceAccuracy: number;
  sourceMeanConfidence: number;
  /** Sample variance of (correct − confidence) over the source rows; feeds DoC's interval. */
  sourceGapVariance: number;
}

/** Mergeable window summary of max-confidences. */
export interface ConfidenceSummary {
  n: number;
  sum: number;
  sumSquares: number;
}

/** Fits DoC's source terms from held-out max-confidences and top-1 correctness. */
export function fitConfidenceBaseline(
  sourceConfidences: readonly number[],
  correct: readonly boolean[],
): ConfidenceBaselineFit {
  const n = sourceConfidences.length;
  if (n !== correct.length) {
    throw new ReferenceDataError(undefined, `${n} confidences but ${correct.length} correctness flags`, 'pass one flag per row');
  }
  if (n < 2) throw new ReferenceDataError(undefined, `DoC needs at least 2 held-out rows, got ${n}`, 'pass the held-out set');
  if (sourceConfidences.some((c) => !(c >= 0 && c <= 1))) {
    throw new ReferenceDataError(undefined, 'a max-confidence lies outside [0, 1] or is NaN', 'pass probabilities, not logits');
  }
  const gaps = sourceConfidences.map((c, i) => (correct[i] ? 1 : 0) - c);
  const meanGap = gaps.reduce((a, b) => a + b, 0) / n;
  const sourceGapVariance = gaps.reduce((a, g) => a + (g - meanGap) ** 2, 0) / (n - 1);
  const errors = correct.filter((c) => !c).length;
  const sourceMeanConfidence = sourceConfidences.reduce((a, b) => a + b, 0) / n;
  return { n, sourceAccuracy: (n - errors) / n, sourceMeanConfidence, sourceGapVariance };
}

/** Summarises a window's max-confidences. */
export function confidenceSummary(windowConfidences: readonly number[]): ConfidenceSummary {
  let sum = 0;
  let sumSquares = 0;
  for (const c of windowConfidences) {
    sum += c;
    sumSquares += c * c;
  }
  return { n: windowConfidences.length, sum, sumSquares };
}

/** Adds two summaries of disjoint parts of a window. */
export function mergeConfidenceSummaries(a: ConfidenceSummary, b: ConfidenceSummary): ConfidenceSummary {
  return { n: a.n + b.n, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares };
}

function windowMean(summary: ConfidenceSummary): number {
  if (!(summary.n > 0)) throw new RangeError('confidence baseline: the window is empty');
  return summary.sum / summary.n;
}

/** AC: the window's mean max-confidence, read as an accuracy (right only for a calibrated model). */
export function averageConfidence(summary: ConfidenceSummary): number {
  return windowMean(summary);
}

/** DoC: source accuracy − (source mean confidence − window mean confidence). Not clipped. */
export function docEstimate(summary: ConfidenceSummary, fit: ConfidenceBaselineFit): number {
  return fit.sourceAccuracy - (fit.sourceMeanConfidence - windowMean(summary));
}

/** Sample variance of the window's confidences (0 for a window of one row). */
export function windowConfidenceVariance(summary: ConfidenceSummary): number {
  if (summary.n < 2) return 0;
  const mean = summary.sum / summary.n;
  return Math.max(0, (summary.sumSquares - summary.n * mean * mean) / (summary.n - 1));
}
