/**
 * Input standardisation of the flow (docs/algorithms.md#flow-model): per feature a location μ_j and a scale σ_j from the
 * reference training split, u_j = (x_j − μ_j)/σ_j. Features with σ_j < 1e-12·(1 + |μ_j|) are
 * constant and are dropped.
 */
import { at, outOfRange } from '../indexing.js';
import type { Standardization } from './flow-spec.js';

export interface StandardizationOptions {
  /**
   * Median and IQR/1.349 instead of mean and standard deviation. When the IQR is (numerically)
   * zero but the standard deviation is not (a feature that is mostly one value), the standard
   * deviation is used as the scale, so the feature is not mistaken for a constant.
   */
  robust?: boolean;
}

export interface StandardizationFit {
  standardization: Standardization;
  /** Features left out, in input order: constant, or with fewer than 2 finite values. */
  dropped: string[];
}

/** IQR of a standard normal: 2·Φ⁻¹(0.75) ≈ 1.349. */
export const NORMAL_IQR = 1.349;

const isConstant = (scale: number, location: number) => !(scale >= 1e-12 * (1 + Math.abs(location)));

/** Linear-interpolation quantile of ascending `sorted` (numpy's default rule). */
function sortedQuantile(sorted: Float64Array, p: number): number {
  const position = (sorted.length - 1) * p;
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const low = at(sorted, lo, 'sorted values');
  return low + (position - lo) * (at(sorted, hi, 'sorted values') - low);
}

/** Mean and sample standard deviation (n − 1), two-pass. */
function meanAndStd(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  let correction = 0;
  for (const v of values) {
    squares += (v - mean) * (v - mean);
    correction += v - mean;
  }
  const variance = (squares - (correction * correction) / values.length) / (values.length - 1);
  return { mean, std: Math.sqrt(Math.max(variance, 0)) };
}

/**
 * Fits the standardisation on reference columns (`columns[j]` holds feature `features[j]`).
 * Non-finite values are ignored. Returns the kept features in input order and the dropped ones.
 */
export function fitStandardization(features: string[], columns: ArrayLike<number>[], options: StandardizationOptions = {}): StandardizationFit {
  if (features.length !== columns.length) throw new RangeError(`fitStandardization: ${features.length} features but ${columns.length} columns`);
  const standardization: Standardization = { features: [], mean: [], scale: [] };
  const dropped: string[] = [];
  features.forEach((feature, j) => {
    const finite = Array.from(at(columns, j, 'reference columns')).filter((v) => Number.isFinite(v));
    if (finite.length < 2) {
      dropped.push(feature);
      return;
    }
    const values = Float64Array.from(finite);
    const { mean, std } = meanAndStd(values);
    let location = mean;
    let scale = std;
    if (options.robust) {
      values.sort();
      const median = sortedQuantile(values, 0.5);
      const iqrScale = (sortedQuantile(values, 0.75) - sortedQuantile(values, 0.25)) / NORMAL_IQR;
      location = median;
      scale = isConstant(iqrScale, median) ? std : iqrScale;
    }
    if (isConstant(scale, location)) {
      dropped.push(feature);
      return;
    }
    standardization.features.push(feature);
    standardization.mean.push(location);
    standardization.scale.push(scale);
  });
  return { standardization, dropped };
}

/** u = (x − μ)/σ for one row given in the standardisation's feature order. */
export function standardizeRow(standardization: Standardization, x: ArrayLike<number>): Float64Array {
  const { mean, scale } = standardization;
  if (x.length !== mean.length) throw new RangeError(`standardize: row has ${x.length} values, expected ${mean.length}`);
  const u = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) u[j] = ((x[j] ?? outOfRange('row', j, x)) - (mean[j] ?? outOfRange('standardization mean', j, mean))) / (scale[j] ?? outOfRange('standardization scale', j, scale));
  return u;
}

/** x = μ + σ·u. */
export function destandardizeRow(standardization: Standardization, u: ArrayLike<number>): Float64Array {
  const { mean, scale } = standardization;
  if (u.length !== mean.length) throw new RangeError(`destandardize: row has ${u.length} values, expected ${mean.length}`);
  const x = new Float64Array(u.length);
  for (let j = 0; j < u.length; j++) x[j] = (mean[j] ?? outOfRange('standardization mean', j, mean)) + (scale[j] ?? outOfRange('standardization scale', j, scale)) * (u[j] ?? outOfRange('row', j, u));
  return x;
}

/** Σ_j log σ_j, the term log p_X(x) = log p_U(u) − Σ_j log σ_j subtracts. */
export function logScaleSum(standardization: Standardization): number {
  let total = 0;
  for (const s of standardization.scale) total += Math.log(s);
  return total;
}
