/**
 * Regression target shift (ReTaSA) in the service: the reference keeps a bounded sample of the
 * model's predictions and the true targets; each window's predicted values give importance
 * weights ω(y) of the target, summarised as what users read: the estimated target mean and
 * quantiles next to the reference's, the effective sample size, and a divergence D.
 * Caveat: this assumes p(x | y) is unchanged (pure target shift) and uses the model's prediction
 * as the 1-D summary of x; under covariate shift the weights are not meaningful.
 */
import type { Row } from '../reference/row.js';
import { ReferenceDataError } from '../errors.js';
import { sampleWithoutReplacement, seededRandom } from '../random.js';
import { estimateRetasaWeights, fitRetasaSource, RETASA_MAX_SOURCE_POINTS, type RetasaSourceModel } from '../regression/retasa.js';
import { summariseWeights } from '../regression/weight-summary.js';
import { chunkStarts, fitTimeNull, scoreTimeNull, type TimeNull } from '../detect/time-null.js';
import { lag1Autocorrelation, upperQuantile } from '../detect/series.js';
import { pValueToEvidence } from '../stats/cusum.js';
import { at } from '../indexing.js';

export interface RegressionReference {
  kind: 'regression';
  n: number;
  /** A seeded sample (at most RETASA_MAX_SOURCE_POINTS) of (prediction, target) pairs. */
  predictions: number[];
  targets: number[];
  /** Time-ordered null of the target-shift statistic at the served window size (absent: reference too small). */
  nulls?: RegressionNulls;
}

export interface RegressionNulls {
  windowSize: number;
  chunks: number;
  score: TimeNull;
  /** The (1 − alpha) quantile of the shift of the estimated target mean (in target sds) over the chunks. */
  effectCeiling: number;
  lag1: number;
}

export interface RegressionEvaluation {
  n: number;
  effectiveFraction: number;
  reliable: boolean;
  referenceMean: number;
  estimatedMean: number;
  divergence: number;
  quantiles: { probability: number; reference: number; estimated: number }[];
  clipped: number;
}

export const REPORTED_QUANTILES = [0.1, 0.5, 0.9] as const;

/** A regression reference when the data has a numeric `prediction` column and numeric `label`s. */
export function fitRegressionReference(rows: readonly Row[], columns: readonly string[], seed: number, calibration?: { windowSize: number; alpha: number; iidWindows?: number; order?: readonly number[] }): RegressionReference | undefined {
  if (!columns.includes('prediction') || !columns.includes('label')) return undefined;
  const pairs = rows.map((r, i) => {
    const [p, y] = [r.prediction, r.label];
    if (typeof p !== 'number' || typeof y !== 'number') {
      throw new ReferenceDataError(typeof p !== 'number' ? 'prediction' : 'label', `row ${i + 1} is not numeric`, 'give every row the numeric model prediction and the true target');
    }
    return [p, y] as const;
  });
  const random = seededRandom(seed);
  const sample = pairs.slice();
  for (let i = sample.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sample[i], sample[j]] = [at(sample, j, 'reference rows'), at(sample, i, 'reference rows')];
  }
  const kept = sample.slice(0, RETASA_MAX_SOURCE_POINTS);
  const ref: RegressionReference = { kind: 'regression', n: rows.length, predictions: kept.map((p) => p[0]), targets: kept.map((p) => p[1]) };
  const model = sourceModel(ref);
  // Rows are validated (and named) in file order; the null follows the time order when one is given.
  const timeOrdered = calibration?.order === undefined ? pairs.map((p) => p[0]) : calibration.order.map((i) => at(pairs, i, 'reference rows')[0]);
  const nulls = calibration === undefined ? undefined : fitRegressionNulls(model, timeOrdered, { ...calibration, seed });
  return nulls === undefined ? ref : { ...ref, nulls };
}

/** The source half of the estimator (a few seconds at the 1,000-point cap: build once per model). */
export function sourceModel(ref: RegressionReference): RetasaSourceModel {
  return fitRetasaSource(ref.predictions, ref.targets);
}

/** The target-shift statistic: |estimated − reference target mean| in reference target sds. */
export function targetMeanShift(e: RegressionEvaluation, referenceSd: number): number {
  return Math.abs(e.estimatedMean - e.referenceMean) / (referenceSd > 0 ? referenceSd : 1);
}

export function referenceTargetSd(model: RetasaSourceModel): number {
  const y = Array.from(model.y);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  return Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, y.length - 1));
}

function fitRegressionNulls(model: RetasaSourceModel, predictions: readonly number[], options: { windowSize: number; alpha: number; iidWindows?: number; seed: number }): RegressionNulls | undefined {
  const m = options.windowSize;
  const series = chunkStarts(predictions.length, m);
  const [firstSeries] = series;
  if (firstSeries === undefined || firstSeries.length < 2) return undefined;
  const sd = referenceTargetSd(model);
  const statistic = (values: number[]) => targetMeanShift(evaluateRegression(model, values), sd);
  const chunkValues = series.map((starts) => starts.map((s) => statistic(predictions.slice(s, s + m))));
  const random = seededRandom(options.seed + 7);
  const iid = Array.from({ length: options.iidWindows ?? 100 }, () => statistic(sampleWithoutReplacement(predictions.length, m, random).map((i) => at(predictions, i, 'reference predictions'))));
  const score = fitTimeNull({ rows: m, chunkSeries: chunkValues, iid });
  const evidence = chunkValues.map((s) => s.map((v) => pValueToEvidence(scoreTimeNull(score, v).pValue)));
  return { windowSize: m, chunks: firstSeries.length, score, effectCeiling: upperQuantile(chunkValues.flat(), 1 - options.alpha), lag1: lag1Autocorrelation(evidence) };
}

export function evaluateRegression(model: RetasaSourceModel, values: readonly number[]): RegressionEvaluation {
  const estimate = estimateRetasaWeights(model, values);
  const y = Array.from(model.y);
  const s = summariseWeights(y, estimate.weights, { probabilities: [...REPORTED_QUANTILES] });
  return {
    n: values.length,
    effectiveFraction: s.effectiveFraction,
    reliable: s.reliable,
    referenceMean: s.sourceMean,
    estimatedMean: s.targetMean,
    divergence: s.chiSquareDivergence,
    quantiles: s.quantiles.map((q) => ({ probability: q.probability, reference: q.source, estimated: q.target })),
    clipped: estimate.clippedCount,
  };
}
