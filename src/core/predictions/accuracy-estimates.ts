/**
 * Label-free accuracy estimates of one window from the model's calibrated probabilities: ATC-NE,
 * ATC-MC, average confidence, DoC, MaNo and the accuracy implied by the estimated class mix
 * (Σ_k q_k·recall_k). Each comes with a sampling interval, which only reflects the window's size;
 * the accuracy detector replaces it with an interval calibrated on the reference's chunks or, once
 * labels arrive, on the estimator's own recent errors.
 */
import { atcSummary, atcFromCounts } from '../accuracy/atc.js';
import { atcBootstrapSummary, atcInterval } from '../accuracy/atc-bootstrap.js';
import { SCORE_FUNCTIONS } from '../accuracy/scores.js';
import { averageConfidence, confidenceSummary, docEstimate } from '../accuracy/baselines.js';
import { averageConfidenceInterval, docInterval, normalInterval, type Interval } from '../accuracy/intervals.js';
import { manoAccuracy } from '../accuracy/mano-calibration.js';
import { manoScoreFromSummary, manoSummary } from '../accuracy/mano.js';
import { modelLogits, type ClassificationReference } from './classification-reference.js';
import type { LABEL_FREE_ESTIMATORS } from './estimators.js';
import { at } from '../indexing.js';

export interface PointEstimate {
  estimate: number;
  sampling: Interval;
}

export type LabelFreeEstimator = (typeof LABEL_FREE_ESTIMATORS)[number];

/**
 * `sampling: false` skips ATC's bootstrap interval (200 threshold refits per window) where the caller
 * shows another interval anyway (ATC's sampling interval is then Wilson's alone); the other sampling
 * intervals are closed forms and always filled.
 */
export function labelFreeAccuracy(
  ref: ClassificationReference,
  rows: readonly (readonly number[])[],
  classShares: readonly number[],
  options: { sampling?: boolean } = {},
): { estimates: Partial<Record<LabelFreeEstimator, PointEstimate>>; warnings: string[] } {
  const estimates: Partial<Record<LabelFreeEstimator, PointEstimate>> = {};
  const warnings: string[] = [];
  for (const variant of ['ne', 'mc'] as const) {
    const scores = rows.map(SCORE_FUNCTIONS[variant]);
    const s = atcSummary(scores, ref.atc[variant]);
    const bootstrap = options.sampling === false ? undefined : atcBootstrapSummary(scores, ref.atc.bootstrap[variant]);
    estimates[`atc-${variant}`] = { estimate: atcFromCounts(s.above, s.n), sampling: atcInterval(s, bootstrap) };
  }
  const conf = confidenceSummary(rows.map(SCORE_FUNCTIONS.mc));
  estimates.ac = { estimate: averageConfidence(conf), sampling: averageConfidenceInterval(conf) };
  estimates.doc = { estimate: docEstimate(conf, ref.confidence), sampling: docInterval(conf, ref.confidence) };
  if ('fit' in ref.mano) {
    const mano = manoAccuracy(manoScoreFromSummary(manoSummary(rows.map((p) => modelLogits(p, ref.calibration)), ref.mano.fit)), ref.mano.calibration);
    estimates.mano = { estimate: mano.accuracy, sampling: mano.interval };
    if (!mano.inCalibrationRange) warnings.push('mano: score outside the calibration range, extrapolated');
  }
  const implied = classShares.reduce((s, q, k) => s + q * at(ref.recall, k, 'class recalls'), 0);
  estimates['label-shift'] = { estimate: implied, sampling: normalInterval(implied, impliedAccuracyVariance(ref, classShares, implied, rows.length)) };
  return { estimates, warnings };
}

/**
 * Variance of Σ_k q_k·recall_k: the window's binomial term plus the reference's, because each
 * recall_k was measured on the n·π_k labelled reference rows of class k (a small reference gives a
 * wide interval). The class mix q is taken as known; its own error is in the class-share interval.
 */
function impliedAccuracyVariance(ref: ClassificationReference, q: readonly number[], implied: number, m: number): number {
  let reference = 0;
  ref.recall.forEach((r, k) => {
    const nk = at(ref.labelPrior, k, 'reference label prior') * ref.n;
    // Shrunk toward 1/2 (add one hit and one miss) so that a recall of exactly 0 or 1 on a few rows still has spread.
    const shrunk = (r * nk + 1) / (nk + 2);
    reference += (at(q, k, 'class shares') ** 2 * shrunk * (1 - shrunk)) / (nk + 2);
  });
  return (implied * (1 - implied)) / m + reference;
}
