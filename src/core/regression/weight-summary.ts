/**
 * What the monitor reports from importance weights ω̂_i on source labels y_i (docs/algorithms.md#target-shift): effective
 * sample size, the weighted (estimated target) label distribution through its mean and quantiles
 * next to the source's, the χ²-type shift statistic, and optionally an importance-weighted risk.
 */
import { at, outOfRange } from '../indexing.js';

/** 5 %, 10 %, …, 95 %. */
export const DEFAULT_QUANTILE_PROBABILITIES: readonly number[] = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
/** Below this n_eff/n the weighted estimates rest on too few source points to trust (docs/algorithms.md#target-shift). */
export const MIN_RELIABLE_EFFECTIVE_FRACTION = 0.1;

export interface QuantilePair {
  probability: number;
  /** Quantile of the source labels (unweighted). */
  source: number;
  /** Quantile of the estimated target label distribution (ω̂-weighted source labels). */
  target: number;
}

export interface WeightSummary {
  n: number;
  /** n_eff = (Σ ω̂)² / Σ ω̂². */
  effectiveSampleSize: number;
  effectiveFraction: number;
  reliable: boolean;
  sourceMean: number;
  /** Σ ω̂_i y_i / Σ ω̂_i: the estimated target mean of y. */
  targetMean: number;
  /** D = mean_i (ω̂_i − 1)² after scaling ω̂ to mean 1: an estimate of the χ²-divergence. */
  chiSquareDivergence: number;
  quantiles: QuantilePair[];
  /** Σ ω̂_i ℓ_i / Σ ω̂_i when per-row losses of the regressor are given (MSE or MAE terms). */
  weightedRisk?: number;
}

/**
 * Quantiles of the distribution that puts mass w_i on v_i: for each p in (0, 1], the smallest v
 * whose cumulative weight reaches p·Σw (the inverse of the weighted ECDF; no interpolation).
 */
export function weightedQuantiles(values: readonly number[], weights: readonly number[], probabilities: readonly number[]): number[] {
  if (values.length === 0 || values.length !== weights.length) {
    throw new RangeError(`weightedQuantiles: ${values.length} values vs ${weights.length} weights`);
  }
  const order = values.map((_, i) => i).sort((a, b) => at(values, a, 'weightedQuantiles') - at(values, b, 'weightedQuantiles'));
  const cumulative = new Float64Array(order.length);
  let total = 0;
  order.forEach((i, rank) => (cumulative[rank] = total += at(weights, i, 'weightedQuantiles: weights')));
  if (!(total > 0)) throw new RangeError('weightedQuantiles: weights sum to 0');
  return probabilities.map((p) => {
    if (!(p > 0 && p <= 1)) throw new RangeError(`weightedQuantiles: probability must be in (0, 1], got ${p}`);
    const target = p * total * (1 - 1e-12); // absorb rounding in the running sum
    let lo = 0;
    let hi = order.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? outOfRange('weightedQuantiles', mid, cumulative)) >= target) hi = mid;
      else lo = mid + 1;
    }
    return at(values, at(order, lo, 'weightedQuantiles: order'), 'weightedQuantiles');
  });
}

/** Summary of weights ω̂ (≥ 0, any positive scale) on source labels y; see `WeightSummary`. */
export function summariseWeights(
  y: readonly number[],
  weights: readonly number[],
  options: { probabilities?: readonly number[]; losses?: readonly number[] } = {},
): WeightSummary {
  const n = y.length;
  if (n === 0 || weights.length !== n) throw new RangeError(`summariseWeights: ${n} labels vs ${weights.length} weights`);
  if (weights.some((w) => !(w >= 0) || !Number.isFinite(w))) throw new RangeError('summariseWeights: weights must be finite and ≥ 0');
  const { losses } = options;
  if (losses !== undefined && losses.length !== n) throw new RangeError(`summariseWeights: ${losses.length} losses for ${n} labels`);
  let sum = 0;
  let sumSq = 0;
  let sumY = 0;
  let sumWY = 0;
  let sumWL = 0;
  for (const [i, w] of weights.entries()) {
    const yi = at(y, i, 'summariseWeights: labels');
    sum += w;
    sumSq += w * w;
    sumY += yi;
    sumWY += w * yi;
    if (losses) sumWL += w * at(losses, i, 'summariseWeights: losses');
  }
  if (!(sum > 0)) throw new RangeError('summariseWeights: weights sum to 0');
  const meanW = sum / n;
  const chiSquareDivergence = weights.reduce((acc, w) => acc + (w / meanW - 1) ** 2, 0) / n;
  const probabilities = options.probabilities ?? DEFAULT_QUANTILE_PROBABILITIES;
  const target = weightedQuantiles(y, weights, probabilities);
  const source = weightedQuantiles(y, new Array<number>(n).fill(1), probabilities);
  const effectiveSampleSize = (sum * sum) / sumSq;
  return {
    n,
    effectiveSampleSize,
    effectiveFraction: effectiveSampleSize / n,
    reliable: effectiveSampleSize / n >= MIN_RELIABLE_EFFECTIVE_FRACTION,
    sourceMean: sumY / n,
    targetMean: sumWY / sum,
    chiSquareDivergence,
    quantiles: probabilities.map((probability, i) => ({ probability, source: at(source, i, 'source quantiles'), target: at(target, i, 'target quantiles') })),
    ...(losses ? { weightedRisk: sumWL / sum } : {}),
  };
}
