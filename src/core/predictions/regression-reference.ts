/**
 * Regression target shift (ReTaSA) in the service: the reference keeps a bounded sample of the
 * model's predictions and the true targets; each window's predicted values give importance
 * weights ω(y) of the target, summarised as what users read: the estimated target mean and
 * quantiles next to the reference's, the effective sample size, and a divergence D.
 * Caveat: this assumes p(x | y) is unchanged (pure target shift) and uses the model's prediction
 * as the 1-D summary of x; under covariate shift the weights are not meaningful.
 */
import type { Row } from '../reference/readers.js';
import { ReferenceDataError } from '../errors.js';
import { seededRandom } from '../random.js';
import { estimateRetasaWeights, fitRetasaSource, RETASA_MAX_SOURCE_POINTS, type RetasaSourceModel } from '../regression/retasa.js';
import { summariseWeights } from '../regression/weight-summary.js';

export interface RegressionReference {
  kind: 'regression';
  n: number;
  /** A seeded sample (at most RETASA_MAX_SOURCE_POINTS) of (prediction, target) pairs. */
  predictions: number[];
  targets: number[];
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
export function fitRegressionReference(rows: readonly Row[], columns: readonly string[], seed: number): RegressionReference | undefined {
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
    [sample[i], sample[j]] = [sample[j]!, sample[i]!];
  }
  const kept = sample.slice(0, RETASA_MAX_SOURCE_POINTS);
  const ref: RegressionReference = { kind: 'regression', n: rows.length, predictions: kept.map((p) => p[0]), targets: kept.map((p) => p[1]) };
  sourceModel(ref);
  return ref;
}

/** The source half of the estimator (a few seconds at the 1,000-point cap: build once per model). */
export function sourceModel(ref: RegressionReference): RetasaSourceModel {
  return fitRetasaSource(ref.predictions, ref.targets);
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
