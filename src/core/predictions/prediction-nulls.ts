/**
 * Fit-time calibration of the prediction detectors on the reference in time order (docs/algorithms.md#time-ordered-null):
 *  - the label-shift test's time-ordered null: its statistic on contiguous chunks of the served
 *    window size and on iid windows of the same size (core/detect/time-null.ts), the class-mix
 *    distance the chunks reached, and the lag-1 correlation of consecutive chunks' evidence;
 *  - for every accuracy estimator (and the two baselines) the spread of its error on those chunks,
 *    whose labels are known: the interval an estimate carries before the stream's own labels arrive.
 */
import type { DenseRows } from '../labelshift/posteriors.js';
import { chunkStarts, fitTimeNull, scoreTimeNull } from '../detect/time-null.js';
import { lag1Autocorrelation, upperQuantile } from '../detect/series.js';
import { conformalHalfWidth } from '../accuracy/intervals.js';
import { pValueToEvidence } from '../stats/cusum.js';
import { sampleWithoutReplacement, seededRandom } from '../random.js';
import { estimateClassShares, type ClassSharesOptions } from './class-shares.js';
import { labelFreeAccuracy } from './accuracy-estimates.js';
import type { ClassificationReference, PredictionNulls } from './classification-reference.js';
import type { AccuracyEstimatorName } from './estimators.js';
import { at } from '../indexing.js';

export interface PredictionNullOptions {
  windowSize: number;
  alpha: number;
  coverage: number;
  classShares: ClassSharesOptions;
  iidWindows: number;
  seed: number;
}

/**
 * `probs`: the reference rows' calibrated probabilities in time order; `correct`: whether the
 * model's own top class was right on each row; `labels`: the true classes.
 */
export function fitPredictionNulls(
  ref: ClassificationReference,
  probs: readonly (readonly number[])[],
  correct: readonly boolean[],
  options: PredictionNullOptions,
): PredictionNulls | undefined {
  const m = options.windowSize;
  const series = chunkStarts(probs.length, m);
  const [firstSeries] = series;
  if (firstSeries === undefined || firstSeries.length < 2) return undefined;
  const shareOptions = { ...options.classShares, bootstrap: 0 };
  const windowOf = (indices: readonly number[]) => {
    const rows = indices.map((i) => at(probs, i, 'reference prediction rows'));
    const dense: DenseRows = { rows: rows.length, cols: ref.classes, data: Float64Array.from(rows.flat()) };
    return { rows, ...estimateClassShares(ref, dense, shareOptions, 0) };
  };
  const range = (start: number) => Array.from({ length: m }, (_, i) => start + i);
  const chunks = series.map((starts) => starts.map((start) => {
    const w = windowOf(range(start));
    const realized = range(start).reduce((s, i) => s + (correct[i] ? 1 : 0), 0) / m;
    return { ...w, realized, estimates: labelFreeAccuracy(ref, w.rows, w.shares.estimate).estimates };
  }));
  const random = seededRandom(options.seed);
  const iid = Array.from({ length: options.iidWindows }, () => windowOf(sampleWithoutReplacement(probs.length, m, random)).test.score);
  const score = fitTimeNull({ rows: m, chunkSeries: chunks.map((s) => s.map((c) => c.test.score)), iid });
  const evidence = chunks.map((s) => s.map((c) => pValueToEvidence(scoreTimeNull(score, c.test.score).pValue)));
  const errors = new Map<AccuracyEstimatorName, number[]>();
  const push = (name: AccuracyEstimatorName, e: number) => errors.set(name, [...(errors.get(name) ?? []), Math.abs(e)]);
  for (const s of chunks) {
    s.forEach((c, i) => {
      for (const [name, e] of Object.entries(c.estimates)) push(name as AccuracyEstimatorName, e.estimate - c.realized);
      push('no-change', ref.sourceAccuracy - c.realized);
      if (i > 0) push('last-realized', at(s, i - 1, 'chunk windows').realized - c.realized);
    });
  }
  const halfWidth: PredictionNulls['halfWidth'] = {};
  for (const [name, e] of errors) {
    const h = conformalHalfWidth(e, options.coverage);
    if (Number.isFinite(h)) halfWidth[name] = h;
  }
  return {
    windowSize: m,
    chunks: firstSeries.length,
    labelShift: { score, distanceCeiling: upperQuantile(chunks.flat().map((c) => c.test.distance), 1 - options.alpha), lag1: lag1Autocorrelation(evidence) },
    coverage: options.coverage,
    halfWidth,
  };
}
