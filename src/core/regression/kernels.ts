/**
 * Gaussian kernel helpers for 1-D kernel smoothing (used by ReTaSA): the kernel, Silverman's
 * bandwidth rule, dense kernel matrices and Nadaraya–Watson weight rows.
 */
import { outOfRange } from '../indexing.js';

/**
 * Gaussian kernel without its normalising constant, exp(−½(d/h)²). Every use in this folder is a
 * ratio of kernel sums with one bandwidth, so the constant cancels.
 */
export function gaussianKernel(distance: number, bandwidth: number): number {
  const z = distance / bandwidth;
  return Math.exp(-0.5 * z * z);
}

/** Silverman's rule for a Gaussian kernel: 1.06·sd·n^(−1/5), with the n − 1 sample sd. */
export function silvermanBandwidth(values: readonly number[] | Float64Array): number {
  const n = values.length;
  if (n < 2) throw new RangeError(`silvermanBandwidth: need at least 2 values, got ${n}`);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  if (!(sd > 0) || !Number.isFinite(sd)) throw new RangeError(`silvermanBandwidth: values have no spread (sd = ${sd})`);
  return 1.06 * sd * n ** -0.2;
}

/**
 * Row-normalised n×n kernel matrix, row-major: entry (i, j) = k(p_i − p_j) / Σ_l k(p_i − p_l).
 * Row i holds the Nadaraya–Watson weights at p_i. The row sums before normalising (each ≥ 1,
 * because of the diagonal) are returned alongside.
 */
export function nadarayaWatsonMatrix(points: Float64Array, bandwidth: number): { matrix: Float64Array; rowSums: Float64Array } {
  const n = points.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    matrix[i * n + i] = 1;
    const pi = points[i] ?? outOfRange('nadarayaWatsonMatrix', i, points);
    for (let j = i + 1; j < n; j++) {
      const k = gaussianKernel(pi - (points[j] ?? outOfRange('nadarayaWatsonMatrix', j, points)), bandwidth);
      matrix[i * n + j] = k;
      matrix[j * n + i] = k;
    }
  }
  const rowSums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = matrix.subarray(i * n, i * n + n);
    let sum = 0;
    for (const v of row) sum += v;
    rowSums[i] = sum;
    for (let j = 0; j < n; j++) row[j] = (row[j] ?? outOfRange('nadarayaWatsonMatrix', j, row)) / sum;
  }
  return { matrix, rowSums };
}

/**
 * Nadaraya–Watson weights of `points` at `at` (they sum to 1), written into `out`. The exponent is
 * shifted by the nearest point's, so a query far from every point still gets finite weights.
 */
export function nadarayaWatsonWeights(points: Float64Array, at: number, bandwidth: number, out: Float64Array): Float64Array {
  const n = points.length;
  if (out.length !== n) throw new RangeError(`nadarayaWatsonWeights: output has ${out.length} entries for ${n} points`);
  const c = -0.5 / (bandwidth * bandwidth);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[i] = Math.exp(c * ((points[i] ?? outOfRange('nadarayaWatsonWeights', i, points)) - at) ** 2);
  if (!(sum > 1e-250)) {
    // Far from every point: shift the exponent so the nearest point gets kernel value 1.
    let nearest = Infinity;
    for (const p of points) nearest = Math.min(nearest, (p - at) ** 2);
    sum = 0;
    for (let i = 0; i < n; i++) sum += out[i] = Math.exp(c * (((points[i] ?? outOfRange('nadarayaWatsonWeights', i, points)) - at) ** 2 - nearest));
  }
  const inv = 1 / sum;
  for (let i = 0; i < n; i++) out[i] = (out[i] ?? outOfRange('nadarayaWatsonWeights', i, out)) * inv;
  return out;
}
