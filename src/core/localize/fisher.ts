/**
 * Conditional Fisher divergence per feature (docs/algorithms.md#conditional-shift), from the score of two density models:
 *   S_j = E[(∂_j log p̂(x) − ∂_j log q̂(x))²],
 * where ∂_j log p(x) = ∂_j log p(x_j | x_{−j}) (the other features' marginal does not depend on x_j), so one gradient gives all d
 * conditionals at once.
 *
 * Flow variant [ours]. p̂ is the reference flow, z = f(x). The window model q̂ lives in the same
 * latent space: q̂(x) = N(f(x); μ_w, Σ_w)·|det ∂f/∂x|, with (μ_w, Σ_w) from the window's mergeable
 * latent statistics (latent-stats.ts). Both models share the Jacobian, so the log-determinant
 * terms cancel in the score difference:
 *   g(x) = ∂x log p̂ − ∂x log q̂ = Jᵀ v,   v = ∇z log p̂_Z(z) + Σ_w⁻¹(z − μ_w),   J = ∂z/∂x,
 * one vector–Jacobian product per row. For the flow's standard normal base ∇z log p̂_Z(z) = −z, so
 * v = Σ_w⁻¹(z − μ_w) − z (`LatentReference` kind 'base'). Kind 'gaussian' uses p̂_Z = N(μ_r, Σ_r)
 * fitted to held-out reference latents instead, i.e. the flow followed by one fitted affine layer:
 * the flow's residual misfit then leaves the statistic, p̂ can be refitted in every bootstrap
 * replicate (a two-sample null, null.ts), and v = Σ_w⁻¹(z − μ_w) − Σ_r⁻¹(z − μ_r). This is the
 * default (localize-scorer.ts); bench `localize` measures both.
 *
 * The expectation is estimated at the window's own rows (the "evaluate at actual rows" variant of
 * the statistic), S_j = mean_i g_ij²; the bootstrap null (null.ts) uses the same estimator.
 *
 * Gaussian variant (docs/algorithms.md#conditional-shift): p̂ = N(μ_p, Σ_p) fitted on the reference, q̂ = N(μ_q, Σ_q) on the
 * window, g(x) = −Σ_p⁻¹(x − μ_p) + Σ_q⁻¹(x − μ_q). It is the flow variant with f the reference
 * standardisation (a constant Jacobian), so S_j over the window's rows follows from the window's
 * sufficient statistics alone: no second pass over the rows, and panes merge exactly.
 *
 * Shapes are checked where each function starts; element reads in the loops are checked as
 * `v[k] ?? outOfRange(…)` (indexing.ts explains why not `at` there).
 */
import type { BaseDistribution } from '../flow/flow-spec.js';
import { at, outOfRange } from '../indexing.js';
import { baseScore } from '../flow/base-density.js';
import { inverseSpd } from './dense.js';
import type { GaussianMoments, LatentStats } from './latent-stats.js';

/** The reference density p̂ seen in the latent space (JSON-serialisable). */
export type LatentReference =
  /** p̂ is the trained flow itself: ∇z log p̂_Z is its base density's score (−z for a standard normal). */
  | { kind: 'base'; base: BaseDistribution }
  /** p̂_Z = N(mean, precision⁻¹) fitted to reference latent points; `precision` d×d row-major. */
  | { kind: 'gaussian'; mean: number[]; precision: number[] };

/**
 * The VJP seeds v_i = ∇z log p̂_Z(z_i) + Σ_w⁻¹(z_i − μ_w) for `n` row-major latent points.
 * Written into `out` (float32 for ONNX Runtime by default).
 */
export function scoreDifferenceSeeds<T extends Float32Array | Float64Array = Float32Array>(
  z: ArrayLike<number>,
  n: number,
  window: GaussianMoments,
  reference: LatentReference,
  out?: T,
): T {
  const d = window.dim;
  const v = (out ?? new Float32Array(n * d)) as T;
  if (z.length < n * d || v.length < n * d) throw new RangeError(`score-difference seeds: ${n} rows × ${d} need ${n * d} values, got ${z.length} points and ${v.length} outputs`);
  const { mean, precision } = window;
  const linear = linearReference(reference, d);
  if (linear !== null) {
    // v = P_w(z − μ_w) − P_r(z − μ_r) = A z − c with A = P_w − P_r, c = P_w μ_w − P_r μ_r.
    const { a, b } = affineScoreDifference(linear, window, d);
    // Plain loops: a forEach callback here measured 2.8× slower (d = 25, W = 1000).
    for (let r = 0; r < n; r++) {
      const o = r * d;
      for (let i = 0; i < d; i++) {
        let sum = b[i] ?? outOfRange('b', i, b);
        const row = i * d;
        for (let k = 0; k < d; k++) sum += (a[row + k] ?? outOfRange('A', row + k, a)) * (z[o + k] ?? outOfRange('latent points', o + k, z));
        v[o + i] = sum;
      }
    }
    return v;
  }
  const centred = new Float64Array(d);
  const point = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let k = 0; k < d; k++) {
      const zk = z[o + k] ?? outOfRange('latent points', o + k, z);
      point[k] = zk;
      centred[k] = zk - (mean[k] ?? outOfRange('window mean', k, mean));
    }
    const ref = referenceScore(reference, point, d);
    for (let i = 0; i < d; i++) {
      let sum = ref[i] ?? outOfRange('reference score', i, ref);
      const row = i * d;
      for (let k = 0; k < d; k++) sum += (precision[row + k] ?? outOfRange('window precision', row + k, precision)) * (centred[k] ?? outOfRange('centred point', k, centred));
      v[o + i] = sum;
    }
  }
  return v;
}

/** p̂_Z as N(mean, precision⁻¹) when it is Gaussian (kind 'gaussian', or a standard normal base); null otherwise. */
function linearReference(reference: LatentReference, d: number): { mean: ArrayLike<number>; precision: ArrayLike<number> } | null {
  if (reference.kind === 'gaussian') {
    if (reference.mean.length !== d || reference.precision.length !== d * d) throw new RangeError(`latent reference has dimension ${reference.mean.length}, the points ${d}`);
    return reference;
  }
  if (reference.base.kind === 'normal') {
    const precision = new Float64Array(d * d);
    for (let i = 0; i < d; i++) precision[i * d + i] = 1;
    return { mean: new Float64Array(d), precision };
  }
  return null;
}

/** ∇z log p̂_Z(z). */
export function referenceScore(reference: LatentReference, z: Float64Array, d: number): Float64Array {
  if (reference.kind === 'base') return baseScore(reference.base, z);
  const { mean, precision } = reference;
  if (mean.length !== d || precision.length !== d * d) throw new RangeError(`latent reference has dimension ${mean.length}, the points ${d}`);
  if (z.length !== d) throw new RangeError(`a latent point of ${z.length} values, the reference has ${d}`);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = 0;
    z.forEach((zk, k) => {
      sum -= at(precision, i * d + k, 'reference precision') * (zk - at(mean, k, 'reference mean'));
    });
    out[i] = sum;
  }
  return out;
}

/** S_j = (1/n) Σ_i g_ij² for `n` row-major score-difference rows of dimension d. */
export function fisherFromScoreDifferences(g: ArrayLike<number>, n: number, d: number): Float64Array {
  if (n < 1) throw new RangeError('the Fisher statistic needs at least one row');
  const s = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) {
      const v = g[o + j] ?? outOfRange('score differences', o + j, g);
      s[j] = (s[j] ?? outOfRange('Fisher statistic', j, s)) + v * v;
    }
  }
  s.forEach((sum, j) => {
    s[j] = sum / n;
  });
  return s;
}

/**
 * S_j as a trimmed mean: per feature, the largest ⌊trim·n⌋ squared score differences are dropped.
 * With a flow, ∂z/∂x can be extreme on a few rows (bounded or log-normal features near their
 * edges), so the plain mean is dominated by whichever rare row a window happens to hold and its
 * bootstrap null spans orders of magnitude; trimming keeps shifts that move many rows visible.
 */
export function trimmedFisherFromScoreDifferences(g: ArrayLike<number>, n: number, d: number, trim: number): Float64Array {
  if (n < 1) throw new RangeError('the Fisher statistic needs at least one row');
  const keep = n - Math.floor(trim * n);
  const s = new Float64Array(d);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < n; r++) {
      const v = g[r * d + j] ?? outOfRange('score differences', r * d + j, g);
      column[r] = v * v;
    }
    column.sort();
    let sum = 0;
    for (const v of column.subarray(0, keep)) sum += v;
    s[j] = sum / keep;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Gaussian variant

/** A Gaussian by its mean and precision (d×d row-major). */
export interface GaussianByPrecision {
  mean: ArrayLike<number>;
  precision: ArrayLike<number>;
}

/** g(x) = −Σ_p⁻¹(x − μ_p) + Σ_q⁻¹(x − μ_q) at one point. */
export function gaussianScoreDifference(x: ArrayLike<number>, p: GaussianByPrecision, q: GaussianByPrecision): Float64Array {
  const d = x.length;
  const g = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = 0;
    for (let k = 0; k < d; k++) {
      const xk = at(x, k, 'point');
      sum += -at(p.precision, i * d + k, 'p precision') * (xk - at(p.mean, k, 'p mean')) + at(q.precision, i * d + k, 'q precision') * (xk - at(q.mean, k, 'q mean'));
    }
    g[i] = sum;
  }
  return g;
}

/**
 * S_j = (1/n) Σ_i g_j(u_i)² over the window's n points, from the window's statistics alone, for the
 * Gaussian p̂ (`reference`) and q̂ = `window` (both in the units of the statistics, e.g. the
 * standardised u). With A = P_q − P_p and b = P_p μ_p − P_q μ_q, g(u) = A u + b and
 *   S_j = (A M Aᵀ)_jj + 2 (A m)_j b_j + b_j²,   m = Σu/n, M = Σuuᵀ/n.
 * `scale` converts to original units (x = mean + scale·u, so ∂/∂x_j = ∂/∂u_j / scale_j): S_j /= scale_j².
 */
export function gaussianFisherFromStats(reference: GaussianByPrecision, window: GaussianByPrecision, stats: Readonly<LatentStats>, scale?: ArrayLike<number>): Float64Array {
  const { dim: d, n } = stats;
  if (n < 1) throw new RangeError('the Fisher statistic needs at least one row');
  if (scale && scale.length !== d) throw new RangeError(`the Fisher statistic has ${d} features but ${scale.length} scales`);
  const { a, b } = affineScoreDifference(reference, window, d);
  const m = stats.sum.map((v) => v / n);
  const big = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = (stats.sumOuter[i * d + j] ?? outOfRange('latent outer sum', i * d + j, stats.sumOuter)) / n;
      big[i * d + j] = v;
      big[j * d + i] = v;
    }
  }
  const s = new Float64Array(d);
  const aRowM = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // (A M Aᵀ)_jj = Σ_k (A M)_jk A_jk
    for (let k = 0; k < d; k++) {
      let sum = 0;
      for (let l = 0; l < d; l++) sum += (a[j * d + l] ?? outOfRange('A', j * d + l, a)) * (big[l * d + k] ?? outOfRange('M', l * d + k, big));
      aRowM[k] = sum;
    }
    let quad = 0;
    let am = 0;
    for (let k = 0; k < d; k++) {
      const ajk = a[j * d + k] ?? outOfRange('A', j * d + k, a);
      quad += (aRowM[k] ?? outOfRange('A·M row', k, aRowM)) * ajk;
      am += ajk * (m[k] ?? outOfRange('window mean', k, m));
    }
    const bj = b[j] ?? outOfRange('b', j, b);
    const value = quad + 2 * am * bj + bj * bj;
    const sj = scale ? (scale[j] ?? outOfRange('feature scales', j, scale)) : 1;
    s[j] = Math.max(0, value) / (sj * sj);
  }
  return s;
}

/**
 * g(x) = A x + b, the score difference ∇log p(x) − ∇log q(x) of two Gaussians:
 * A = P_q − P_p and b = P_p μ_p − P_q μ_q.
 */
function affineScoreDifference(p: GaussianByPrecision, q: GaussianByPrecision, d: number): { a: Float64Array; b: Float64Array } {
  for (const { mean, precision } of [p, q]) {
    if (mean.length !== d || precision.length !== d * d) throw new RangeError(`a Gaussian of dimension ${mean.length} (precision ${precision.length} values) where ${d} is expected`);
  }
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let bi = 0;
    for (let k = 0; k < d; k++) {
      const pp = p.precision[i * d + k] ?? outOfRange('precision', i * d + k, p.precision);
      const pq = q.precision[i * d + k] ?? outOfRange('precision', i * d + k, q.precision);
      a[i * d + k] = pq - pp;
      bi += pp * (p.mean[k] ?? outOfRange('mean', k, p.mean)) - pq * (q.mean[k] ?? outOfRange('mean', k, q.mean));
    }
    b[i] = bi;
  }
  return { a, b };
}

/** A Gaussian by its mean and covariance (d×d row-major). */
export interface GaussianByCovariance {
  mean: ArrayLike<number>;
  cov: ArrayLike<number>;
}

/**
 * The exact S_j = E_{x ~ w·p + (1−w)·q}[(∂_j log p(x) − ∂_j log q(x))²] for two Gaussians (the
 * statistic with the true densities; w = ½ weighs both equally). With g(x) = A x + b as above and
 * x ~ N(μ, Σ): E[g_j²] = (A Σ Aᵀ)_jj + (A μ + b)_j².
 * sanity checks: Σ = [[1, .5], [.5, 1]], μ_p = 0, μ_q = (1, 0) gives (16/9, 4/9); N(0, 1) vs N(0, 4) gives 45/32.
 */
export function gaussianFisherExpectation(p: GaussianByCovariance & { precision?: ArrayLike<number> }, q: GaussianByCovariance & { precision?: ArrayLike<number> }, weightP = 0.5): Float64Array {
  const d = p.mean.length;
  const pp = p.precision ?? invert(p.cov, d);
  const pq = q.precision ?? invert(q.cov, d);
  const { a, b } = affineScoreDifference({ mean: p.mean, precision: pp }, { mean: q.mean, precision: pq }, d);
  const under = (mu: ArrayLike<number>, cov: ArrayLike<number>): Float64Array =>
    b.map((bj, j) => {
      let quad = 0;
      let lin = bj;
      for (let k = 0; k < d; k++) {
        const ajk = at(a, j * d + k, 'A');
        lin += ajk * at(mu, k, 'mean');
        let row = 0;
        for (let l = 0; l < d; l++) row += at(cov, k * d + l, 'covariance') * at(a, j * d + l, 'A');
        quad += ajk * row;
      }
      return quad + lin * lin;
    });
  const ep = under(p.mean, p.cov);
  const eq = under(q.mean, q.cov);
  return ep.map((v, j) => weightP * v + (1 - weightP) * at(eq, j, 'expectation under q'));
}

function invert(cov: ArrayLike<number>, d: number): Float64Array {
  return inverseSpd(Float64Array.from(cov), d);
}
