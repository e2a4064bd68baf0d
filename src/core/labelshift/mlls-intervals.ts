/**
 * Wald intervals for the MLLS estimate q̂ from the observed Fisher information of the window's
 * mixture log-likelihood (docs/algorithms.md#label-shift-library). Free parameters q_1..q_{K−1} (q_K = 1 − Σ q_k):
 *   g_u = (a_u[1..K−1] − a_u[K]) / (a_uᵀq̂),  J = Σ_u g_u g_uᵀ,  Cov(q_{1..K−1}) ≈ J⁻¹,
 *   Var(q_K) = 1ᵀJ⁻¹1,  Cov(q_k, q_K) = −(J⁻¹1)_k.
 * Intervals are q̂ ± z·SE clipped to [0, 1]. They ignore the uncertainty of the calibration and of
 * π_s, and are unreliable when some q̂_k is at 0; prefer a bootstrap (bootstrap.ts).
 */
import { at, outOfRange } from '../indexing.js';
import { cell, truncatedPseudoInverse, zipWith } from './linear-algebra.js';
import { inverseSourcePrior, rowLikelihoodRatio } from './mlls.js';
import { toDenseRows, type Posteriors } from './posteriors.js';

export interface MllsIntervals {
  lower: number[];
  upper: number[];
  standardErrors: number[];
  /** K×K covariance of q̂ (rows and columns sum to 0). */
  covariance: number[][];
  /** J was singular (a pseudo-inverse was used), e.g. two classes with identical posterior columns. */
  singular: boolean;
}

/** Per-class Wald intervals for q̂ (default z = 1.96, i.e. 95 %). */
export function mllsIntervals(
  posteriors: Posteriors,
  sourcePrior: readonly number[],
  targetPrior: readonly number[],
  z = 1.96,
): MllsIntervals {
  const d = toDenseRows(posteriors, 'mllsIntervals');
  const K = d.cols;
  const inv = inverseSourcePrior(sourcePrior, K, 'mllsIntervals');
  if (targetPrior.length !== K) throw new RangeError(`mllsIntervals: target prior has ${targetPrior.length} entries, expected ${K}`);
  if (!(z > 0)) throw new RangeError(`mllsIntervals: z must be > 0, got ${z}`);
  const f = K - 1;
  const j = Array.from({ length: f }, () => new Array<number>(f).fill(0));
  const g = new Float64Array(f);
  for (let u = 0; u < d.rows; u++) {
    const s = rowLikelihoodRatio(d, inv, targetPrior, u);
    if (!(s > 0)) throw new RangeError(`mllsIntervals: row ${u} has zero likelihood under the target prior`);
    const last = (d.data[u * K + f] ?? outOfRange('mllsIntervals', u * K + f, d.data)) * at(inv, f);
    for (let k = 0; k < f; k++) g[k] = ((d.data[u * K + k] ?? outOfRange('mllsIntervals', u * K + k, d.data)) * at(inv, k) - last) / s;
    for (let a = 0; a < f; a++) {
      const row = at(j, a, 'mllsIntervals: information');
      for (let b = 0; b <= a; b++) row[b] = at(row, b) + (g[a] ?? outOfRange('mllsIntervals', a, g)) * (g[b] ?? outOfRange('mllsIntervals', b, g));
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) at(j, b, 'mllsIntervals: information')[a] = cell(j, a, b);
  const scale = Math.max(...j.map((row, a) => Math.abs(at(row, a))));
  const { inverse, rank } = truncatedPseudoInverse(j, 1e-12 * scale);
  const covariance = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const lastRow = at(covariance, f, 'mllsIntervals: covariance');
  let lastVariance = 0;
  for (let a = 0; a < f; a++) {
    const row = at(covariance, a, 'mllsIntervals: covariance');
    let rowSum = 0;
    for (let b = 0; b < f; b++) {
      const x = cell(inverse, a, b, 'mllsIntervals: inverse information');
      row[b] = x;
      rowSum += x;
    }
    row[f] = -rowSum;
    lastRow[a] = -rowSum;
    lastVariance += rowSum;
  }
  lastRow[f] = lastVariance;
  const standardErrors = covariance.map((row, k) => Math.sqrt(Math.max(at(row, k), 0)));
  return {
    lower: zipWith(targetPrior, standardErrors, (q, se) => Math.min(1, Math.max(0, q - z * se)), 'mllsIntervals'),
    upper: zipWith(targetPrior, standardErrors, (q, se) => Math.min(1, Math.max(0, q + z * se)), 'mllsIntervals'),
    standardErrors,
    covariance,
    singular: rank < f,
  };
}
