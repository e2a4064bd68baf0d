/**
 * Per-window estimates from the model's calibrated predictions: accuracy without labels (ATC-NE,
 * ATC-MC, MaNo, DoC, average confidence, and the accuracy implied by the estimated class mix),
 * each with an interval, the estimated class proportions with intervals, and the test of
 * "has the label distribution changed".
 */
import type { PredictionSummary } from '../window/summary.js';
import type { DenseRows } from '../labelshift/posteriors.js';
import { mllsEm } from '../labelshift/mlls.js';
import { mllsIntervals } from '../labelshift/mlls-intervals.js';
import { bbse } from '../labelshift/bbse.js';
import { rlls } from '../labelshift/rlls.js';
import { argmax, predictedMarginalSoft } from '../labelshift/confusion.js';
import { mllsLikelihoodRatioTest, predictedLabelChiSquareTest } from '../labelshift/label-shift-test.js';
import { atcSummary, atcFromCounts } from '../accuracy/atc.js';
import { atcBootstrapSummary, atcInterval } from '../accuracy/atc-bootstrap.js';
import { SCORE_FUNCTIONS } from '../accuracy/scores.js';
import { averageConfidence, confidenceSummary, docEstimate } from '../accuracy/baselines.js';
import { averageConfidenceInterval, docInterval, normalInterval } from '../accuracy/intervals.js';
import { manoAccuracy } from '../accuracy/mano-calibration.js';
import { manoScoreFromSummary, manoSummary } from '../accuracy/mano.js';
import { modelLogits, type ClassificationReference } from './classification-reference.js';
import type { AccuracyEstimatorName, LabelShiftMethod } from './estimators.js';


export interface Estimate {
  estimate: number;
  lower: number;
  upper: number;
  /** How the interval was made: sampling (wilson, normal, bootstrap) or calibrated (conformal). */
  interval: string;
}

export interface PredictionEvaluation {
  n: number;
  accuracy: Partial<Record<AccuracyEstimatorName, Estimate>>;
  classProportions: { method: LabelShiftMethod; estimate: number[]; lower: number[]; upper: number[]; reference: number[] };
  /** Likelihood-ratio test of q = π_s (MLLS); the χ² test on predicted classes when MLLS is not used. */
  labelShiftTest: { name: string; statistic: number; df: number; pValue: number };
  warnings: string[];
}

export function evaluatePredictions(ref: ClassificationReference, summary: PredictionSummary, method: LabelShiftMethod): PredictionEvaluation | undefined {
  const m = summary.n;
  const K = ref.classes;
  if (m === 0) return undefined;
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(summary.probs.slice(i * K, (i + 1) * K));
  const dense: DenseRows = { rows: m, cols: K, data: Float64Array.from(summary.probs) };
  const warnings: string[] = [];
  const accuracy: PredictionEvaluation['accuracy'] = {};

  for (const variant of ['ne', 'mc'] as const) {
    const scores = rows.map(SCORE_FUNCTIONS[variant]);
    const s = atcSummary(scores, ref.atc[variant]);
    const interval = atcInterval(s, atcBootstrapSummary(scores, ref.atc.bootstrap[variant]));
    accuracy[`atc-${variant}`] = { estimate: atcFromCounts(s.above, s.n), lower: interval.lower, upper: interval.upper, interval: interval.kind };
  }
  const conf = confidenceSummary(rows.map(SCORE_FUNCTIONS.mc));
  const ac = averageConfidenceInterval(conf);
  accuracy.ac = { estimate: averageConfidence(conf), lower: ac.lower, upper: ac.upper, interval: ac.kind };
  const doc = docInterval(conf, ref.confidence);
  accuracy.doc = { estimate: docEstimate(conf, ref.confidence), lower: doc.lower, upper: doc.upper, interval: doc.kind };
  if ('fit' in ref.mano) {
    const mano = manoAccuracy(manoScoreFromSummary(manoSummary(rows.map((p) => modelLogits(p, ref.calibration)), ref.mano.fit)), ref.mano.calibration);
    accuracy.mano = { estimate: mano.accuracy, lower: mano.interval.lower, upper: mano.interval.upper, interval: mano.interval.kind };
    if (!mano.inCalibrationRange) warnings.push('mano: score outside the calibration range, extrapolated');
  }

  // More iterations than the reference code's 100: EM creeps when a class heads towards 0, and
  // stopping early there raised 'did not converge' on estimates that were in fact good.
  const em = mllsEm(dense, ref.sourcePrior, { maxIterations: 1000 });
  const emIntervals = mllsIntervals(dense, ref.sourcePrior, em.targetPrior);
  if (!em.converged) warnings.push('mlls: EM did not converge');
  let proportions: PredictionEvaluation['classProportions'];
  if (method === 'mlls') {
    proportions = { method, estimate: em.targetPrior, lower: emIntervals.lower, upper: emIntervals.upper, reference: ref.sourcePrior };
  } else {
    const mu = predictedMarginalSoft(dense);
    const r = method === 'bbse' ? bbse(ref.confusion, mu) : rlls(ref.confusion, mu, { validationSize: ref.n });
    if (r.illConditioned) warnings.push(`${method}: confusion matrix is ill-conditioned (σ_min ${r.sigmaMin.toExponential(2)})`);
    // Sampling intervals for BBSE/RLLS need the delta method on Ĉ⁻¹; MLLS's Wald intervals, centred on this estimate, are shown instead.
    const half = emIntervals.upper.map((u, k) => (u - emIntervals.lower[k]!) / 2);
    proportions = {
      method, estimate: r.targetPrior, reference: ref.labelPrior,
      lower: r.targetPrior.map((q, k) => Math.max(0, q - half[k]!)), upper: r.targetPrior.map((q, k) => Math.min(1, q + half[k]!)),
    };
  }
  const implied = proportions.estimate.reduce((s, q, k) => s + q * ref.recall[k]!, 0);
  const impliedInterval = normalInterval(implied, impliedAccuracyVariance(ref, proportions.estimate, implied, m));
  accuracy['label-shift'] = { estimate: implied, lower: impliedInterval.lower, upper: impliedInterval.upper, interval: impliedInterval.kind };

  const test = method === 'mlls'
    ? { name: 'mlls-likelihood-ratio', ...mllsLikelihoodRatioTest(dense, ref.sourcePrior, em.targetPrior) }
    : { name: 'predicted-class-chi2', ...predictedLabelChiSquareTest(ref.predictedCounts, countPredicted(rows, K)) };
  return { n: m, accuracy, classProportions: proportions, labelShiftTest: { name: test.name, statistic: test.statistic, df: test.df, pValue: test.pValue }, warnings };
}

function countPredicted(rows: readonly number[][], K: number): number[] {
  const counts = new Array<number>(K).fill(0);
  for (const r of rows) counts[argmax(r)]! += 1;
  return counts;
}

/**
 * Variance of Σ_k q_k·recall_k: the window's binomial term plus the reference's, because each
 * recall_k was measured on the n·π_k labelled reference rows of class k (a small reference gives a
 * wide interval). The class mix q is taken as known; its own error is in the class-share interval.
 */
function impliedAccuracyVariance(ref: ClassificationReference, q: readonly number[], implied: number, m: number): number {
  let reference = 0;
  ref.recall.forEach((r, k) => {
    const nk = ref.labelPrior[k]! * ref.n;
    // Shrunk toward 1/2 (add one hit and one miss) so that a recall of exactly 0 or 1 on a few rows still has spread.
    const shrunk = (r * nk + 1) / (nk + 2);
    reference += (q[k]! ** 2 * shrunk * (1 - shrunk)) / (nk + 2);
  });
  return (implied * (1 - implied)) / m + reference;
}
