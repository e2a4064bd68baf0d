/**
 * MLLS: maximum-likelihood label-shift estimation by EM (Saerens et al.; docs/algorithms.md#mlls), run on
 * calibrated source posteriors of the window's points.
 *
 * With a_uk = P[u,k]/π_s,k, each iteration reweights every row by the current q, renormalises it,
 * and takes q ← the mean reweighted row. It stops once no q_k moved by more than the tolerance
 * (default 1e-6) or after 100 iterations; `iterations` counts the updates made. Classes with
 * π_s,k = 0 get a_uk = 0 and so q_k = 0.
 */
import { at, outOfRange } from '../indexing.js';
import { meanRow, toDenseRows, type DenseRows, type Posteriors } from './posteriors.js';

export interface MllsOptions {
  maxIterations?: number;
  tolerance?: number;
  /** Starting q (normalised here); default π_s. A normalised BBSE estimate is an alternative. */
  initialPrior?: readonly number[];
  /**
   * MAP-EM: a Dirichlet prior centred on π_s worth this many pseudo-rows (default 0: plain MLLS).
   * The M-step becomes q_k = (Σ_u w_uk + λ·π_s,k) / (m + λ), so a window whose likelihood is flat in
   * some direction stays near the source mix instead of running to a corner of the simplex.
   */
  priorStrength?: number;
  /** Per-row multiplicities (a bootstrap resample without copying rows); default 1 each. */
  rowWeights?: ArrayLike<number>;
  /** Accelerate with SQUAREM (see mllsEmOnRatios); default false: plain EM, iteration by iteration as Saerens et al. give it. */
  accelerate?: boolean;
}

export interface MllsResult {
  targetPrior: number[];
  /** q̂_k / π_s,k (0 where π_s,k = 0). */
  weights: number[];
  iterations: number;
  converged: boolean;
}

/** π_s: the mean calibrated posterior on the validation set (docs/algorithms.md#mlls). */
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
  const base = u * d.cols;
  for (let k = 0; k < d.cols; k++) {
    const p = d.data[base + k] ?? outOfRange('rowLikelihoodRatio: posteriors', base + k, d.data);
    s += p * at(inv, k, '1/π_s') * at(q, k, 'q');
  }
  return s;
}

/** L(q) = Σ_u log Σ_k P[u,k]·q_k/π_s,k (docs/algorithms.md#mlls); 0 at q = π_s when rows sum to 1. */
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

/**
 * The likelihood ratios a_uk = P[u,k]/π_s,k of a window's rows (0 where π_s,k = 0): what every EM
 * iteration reads. Computing them once lets many runs on the same rows (a bootstrap) share them.
 */
export function likelihoodRatios(posteriors: Posteriors, sourcePrior: readonly number[]): DenseRows {
  const d = toDenseRows(posteriors, 'mllsEm');
  const inv = inverseSourcePrior(sourcePrior, d.cols, 'mllsEm');
  const data = new Float64Array(d.data.length);
  const inverse = Float64Array.from(inv);
  for (let i = 0; i < data.length; i++) {
    const k = i % d.cols;
    data[i] = (d.data[i] ?? outOfRange('likelihoodRatios', i, d.data)) * (inverse[k] ?? outOfRange('likelihoodRatios', k, inverse));
  }
  return { rows: d.rows, cols: d.cols, data };
}

/** EM estimate of the window's label distribution q from calibrated posteriors P (m×K) and π_s. */
export function mllsEm(posteriors: Posteriors, sourcePrior: readonly number[], options: MllsOptions = {}): MllsResult {
  return mllsEmOnRatios(likelihoodRatios(posteriors, sourcePrior), sourcePrior, options);
}

/**
 * `mllsEm` on ratios from `likelihoodRatios` (the same rows and source prior). EM converges slowly
 * where the likelihood is flat; with `accelerate`, steps follow SQUAREM (Varadhan & Roland, 2008):
 * two EM steps give a direction and a step length, the extrapolated point is stabilised by one more
 * EM step, and a point off the simplex falls back to plain EM. The fixed point is EM's own.
 */
export function mllsEmOnRatios(a: DenseRows, sourcePrior: readonly number[], options: MllsOptions = {}): MllsResult {
  const K = a.cols;
  const m = a.rows;
  const ratios = a.data;
  if (ratios.length !== m * K) throw new RangeError(`mllsEm: ${ratios.length} likelihood ratios for ${m}×${K} rows`);
  if (sourcePrior.length !== K) throw new RangeError(`mllsEm: source prior has ${sourcePrior.length} entries, the ratios ${K} columns`);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const lambda = options.priorStrength ?? 0;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`mllsEm: priorStrength must be finite and >= 0, got ${lambda}`);
  const weights = options.rowWeights;
  let mass = m;
  if (weights !== undefined) {
    if (weights.length !== m) throw new RangeError(`mllsEm: ${weights.length} row weights for ${m} rows`);
    mass = 0;
    for (let u = 0; u < m; u++) mass += at(weights, u, 'mllsEm: row weights');
  }
  const prior = Float64Array.from(sourcePrior);
  const rowWeights = weights === undefined ? undefined : Float64Array.from(weights);
  let iterations = 0;
  const em = (q: Float64Array): Float64Array => {
    iterations++;
    const next = emStep(ratios, m, K, q, prior, lambda, mass, rowWeights);
    return next;
  };
  const distance = (x: Float64Array, y: Float64Array) => {
    let d = 0;
    for (let k = 0; k < K; k++) d = Math.max(d, Math.abs(at(x, k) - at(y, k)));
    return d;
  };
  let q: Float64Array = Float64Array.from(startingPrior(options.initialPrior, sourcePrior));
  let converged = false;
  const r = new Float64Array(K);
  const v = new Float64Array(K);
  while (iterations < maxIterations) {
    const q1 = em(q);
    if (distance(q1, q) <= tolerance) {
      q = q1;
      converged = true;
      break;
    }
    if (!options.accelerate || iterations >= maxIterations) {
      q = q1;
      continue;
    }
    const q2 = em(q1);
    let rNorm = 0;
    let vNorm = 0;
    for (let k = 0; k < K; k++) {
      const qk = at(q, k);
      const q1k = at(q1, k);
      const rk = q1k - qk;
      const vk = at(q2, k) - 2 * q1k + qk;
      r[k] = rk;
      v[k] = vk;
      rNorm += rk * rk;
      vNorm += vk * vk;
    }
    let next = q2;
    if (vNorm > 0) {
      const alpha = Math.min(-1, -Math.sqrt(rNorm / vNorm));
      const jump = new Float64Array(K);
      let total = 0;
      let inside = true;
      for (let k = 0; k < K; k++) {
        const jk = at(q, k) - 2 * alpha * at(r, k) + alpha * alpha * at(v, k);
        jump[k] = jk;
        if (!(jk > 0)) inside = false;
        total += jk;
      }
      if (inside) {
        for (let k = 0; k < K; k++) jump[k] = at(jump, k) / total;
        next = em(jump);
      }
    }
    const change = distance(next, q);
    q = next;
    if (change <= tolerance) {
      converged = true;
      break;
    }
  }
  const targetPrior = Array.from(q);
  const inv = sourcePrior.map((p) => (p > 0 ? 1 / p : 0));
  return { targetPrior, weights: targetPrior.map((x, k) => x * at(inv, k, 'mllsEm')), iterations, converged };
}

/** One EM update of q on likelihood ratios (row-major m×K), with the Dirichlet prior and row weights. */
function emStep(ratios: Float64Array, m: number, K: number, q: Float64Array, prior: Float64Array, lambda: number, mass: number, weights: Float64Array | undefined): Float64Array {
  const next = prior.map((p) => lambda * p);
  for (let u = 0, base = 0; u < m; u++, base += K) {
    const c = weights === undefined ? 1 : (weights[u] ?? outOfRange('mllsEm: row weights', u, weights));
    if (c === 0) continue;
    let s = 0;
    for (let k = 0; k < K; k++) s += (ratios[base + k] ?? outOfRange('emStep', base + k, ratios)) * (q[k] ?? outOfRange('emStep', k, q));
    if (!(s > 0)) throw new RangeError(`mllsEm: row ${u} has no posterior mass on any class with q·π_s > 0`);
    const scale = c / s;
    for (let k = 0; k < K; k++) {
      const ratio = (ratios[base + k] ?? outOfRange('emStep', base + k, ratios)) * (q[k] ?? outOfRange('emStep', k, q));
      next[k] = (next[k] ?? outOfRange('emStep', k, next)) + ratio * scale;
    }
  }
  const denominator = mass + lambda;
  for (let k = 0; k < K; k++) next[k] = (next[k] ?? outOfRange('emStep', k, next)) / denominator;
  return next;
}
