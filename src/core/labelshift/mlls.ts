/**
 * MLLS: maximum-likelihood label-shift estimation by EM (Saerens et al.; spec §3.4.1), run on
 * calibrated source posteriors of the window's points.
 *
 * With a_uk = P[u,k]/π_s,k, each iteration reweights every row by the current q, renormalises it,
 * and takes q ← the mean reweighted row. It stops once no q_k moved by more than the tolerance
 * (default 1e-6) or after 100 iterations; `iterations` counts the updates made. Classes with
 * π_s,k = 0 get a_uk = 0 and so q_k = 0.
 */
import { meanRow, toDenseRows, type DenseRows, type Posteriors } from './posteriors.js';

export interface MllsOptions {
  maxIterations?: number;
  tolerance?: number;
  /** Starting q (normalised here); default π_s. A normalised BBSE estimate is the spec's alternative. */
  initialPrior?: readonly number[];
  /**
   * MAP-EM: a Dirichlet prior centred on π_s worth this many pseudo-rows (default 0: plain MLLS).
   * The M-step becomes q_k = (Σ_u w_uk + λ·π_s,k) / (m + λ), so a window whose likelihood is flat in
   * some direction stays near the source mix instead of running to a corner of the simplex.
   */
  priorStrength?: number;
  /** Per-row multiplicities (a bootstrap resample without copying rows); default 1 each. */
  rowWeights?: ArrayLike<number>;
}

export interface MllsResult {
  targetPrior: number[];
  /** q̂_k / π_s,k (0 where π_s,k = 0). */
  weights: number[];
  iterations: number;
  converged: boolean;
}

/** π_s: the mean calibrated posterior on the validation set (spec §3.4.1 step 1). */
export function sourcePriorFromPosteriors(validationPosteriors: Posteriors): number[] {
  return meanRow(validationPosteriors);
}

/** Checks π_s against K (finite, >= 0, sums to 1 within 1e-6) and returns 1/π_s (0 where π_s = 0). */
export function inverseSourcePrior(sourcePrior: readonly number[], K: number, what: string): number[] {
  if (sourcePrior.length !== K) throw new RangeError(`${what}: source prior has ${sourcePrior.length} entries, posteriors have ${K}`);
  let sum = 0;
  for (const p of sourcePrior) {
    if (!(p >= 0) || !Number.isFinite(p)) throw new RangeError(`${what}: source prior entries must be finite and >= 0, got ${p}`);
    sum += p;
  }
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`${what}: source prior sums to ${sum}, not 1`);
  return sourcePrior.map((p) => (p > 0 ? 1 / p : 0));
}

/** Σ_k a_uk·q_k for row u, the likelihood ratio of point u under q versus π_s. */
export function rowLikelihoodRatio(d: DenseRows, inv: readonly number[], q: readonly number[], u: number): number {
  let s = 0;
  for (let k = 0; k < d.cols; k++) s += d.data[u * d.cols + k]! * inv[k]! * q[k]!;
  return s;
}

/** L(q) = Σ_u log Σ_k P[u,k]·q_k/π_s,k (spec §3.4.4); 0 at q = π_s when rows sum to 1. */
export function mllsLogLikelihood(posteriors: Posteriors, sourcePrior: readonly number[], q: readonly number[]): number {
  const d = toDenseRows(posteriors, 'mllsLogLikelihood');
  const inv = inverseSourcePrior(sourcePrior, d.cols, 'mllsLogLikelihood');
  if (q.length !== d.cols) throw new RangeError(`mllsLogLikelihood: q has ${q.length} entries, expected ${d.cols}`);
  let total = 0;
  for (let u = 0; u < d.rows; u++) total += Math.log(rowLikelihoodRatio(d, inv, q, u));
  return total;
}

function startingPrior(initial: readonly number[] | undefined, sourcePrior: readonly number[]): number[] {
  const q = [...(initial ?? sourcePrior)];
  if (q.length !== sourcePrior.length) throw new RangeError(`mllsEm: initial prior has ${q.length} entries, expected ${sourcePrior.length}`);
  const sum = q.reduce((s, v) => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`mllsEm: initial prior entries must be finite and >= 0, got ${v}`);
    return s + v;
  }, 0);
  if (!(sum > 0)) throw new RangeError('mllsEm: initial prior has no mass');
  return q.map((v) => v / sum);
}

/** EM estimate of the window's label distribution q from calibrated posteriors P (m×K) and π_s. */
export function mllsEm(posteriors: Posteriors, sourcePrior: readonly number[], options: MllsOptions = {}): MllsResult {
  const d = toDenseRows(posteriors, 'mllsEm');
  const K = d.cols;
  const inv = inverseSourcePrior(sourcePrior, K, 'mllsEm');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  let q = startingPrior(options.initialPrior, sourcePrior);
  const lambda = options.priorStrength ?? 0;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`mllsEm: priorStrength must be finite and >= 0, got ${lambda}`);
  const weights = options.rowWeights;
  let mass = d.rows;
  if (weights !== undefined) {
    if (weights.length !== d.rows) throw new RangeError(`mllsEm: ${weights.length} row weights for ${d.rows} rows`);
    mass = 0;
    for (let u = 0; u < d.rows; u++) mass += weights[u]!;
  }
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const next = sourcePrior.map((p) => lambda * p);
    for (let u = 0; u < d.rows; u++) {
      const c = weights === undefined ? 1 : weights[u]!;
      if (c === 0) continue;
      const s = rowLikelihoodRatio(d, inv, q, u);
      if (!(s > 0)) throw new RangeError(`mllsEm: row ${u} has no posterior mass on any class with q·π_s > 0`);
      for (let k = 0; k < K; k++) next[k]! += (c * d.data[u * K + k]! * inv[k]! * q[k]!) / s;
    }
    let change = 0;
    for (let k = 0; k < K; k++) {
      next[k]! /= mass + lambda;
      change = Math.max(change, Math.abs(next[k]! - q[k]!));
    }
    q = next;
    iterations++;
    if (change <= tolerance) {
      converged = true;
      break;
    }
  }
  return { targetPrior: q, weights: q.map((v, k) => v * inv[k]!), iterations, converged };
}
