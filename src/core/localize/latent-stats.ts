/**
 * Mergeable sufficient statistics of a window's points (the flow's latent points z = f(x), or the
 * standardised inputs for the Gaussian variant): n, Σz and Σzzᵀ. Adding rows and merging panes or
 * partitions are plain sums, so they are associative and commutative; the window's Gaussian
 * moments (μ_w, Σ_w + ridge) are read off at window close.
 *
 * Σzzᵀ is kept as its upper triangle (entries i ≤ j of a d×d row-major array; the lower triangle
 * stays 0): half the work per row, and `latentMoments` mirrors it.
 */
import { outOfRange } from '../indexing.js';
import { inverseSpd } from './dense.js';

export interface LatentStats {
  dim: number;
  n: number;
  sum: Float64Array;
  /** Upper triangle (i ≤ j) of Σ z zᵀ, d×d row-major. */
  sumOuter: Float64Array;
}

/** JSON form of `LatentStats` (a pane's state, a snapshot). */
export interface LatentStatsSnapshot {
  stateVersion: 1;
  dim: number;
  n: number;
  sum: number[];
  sumOuter: number[];
}

export function createLatentStats(dim: number): LatentStats {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  return { dim, n: 0, sum: new Float64Array(dim), sumOuter: new Float64Array(dim * dim) };
}

/** Adds one point, read from `values[offset .. offset + dim)`. */
export function addPoint(stats: LatentStats, values: ArrayLike<number>, offset = 0): void {
  const { dim, sum, sumOuter } = stats;
  if (!(offset >= 0 && offset + dim <= values.length)) throw new RangeError(`a latent point at ${offset}..${offset + dim} is outside the ${values.length} values`);
  // Checked reads as `v[k] ?? outOfRange(…)`, not `at`: this runs per row per window (indexing.ts).
  for (let i = 0; i < dim; i++) {
    const zi = values[offset + i] ?? outOfRange('latent points', offset + i, values);
    sum[i] = (sum[i] ?? outOfRange('latent sum', i, sum)) + zi;
    const row = i * dim;
    for (let j = i; j < dim; j++) {
      sumOuter[row + j] = (sumOuter[row + j] ?? outOfRange('latent outer sum', row + j, sumOuter)) + zi * (values[offset + j] ?? outOfRange('latent points', offset + j, values));
    }
  }
  stats.n++;
}

/** Adds `n` row-major points (`dim` values each). */
export function addPoints(stats: LatentStats, rows: ArrayLike<number>, n: number): void {
  if (rows.length < n * stats.dim) throw new RangeError(`${rows.length} values hold fewer than ${n} rows × ${stats.dim}`);
  for (let r = 0; r < n; r++) addPoint(stats, rows, r * stats.dim);
}

/** Adds the rows of `rows` (row-major) listed in `indices` (a bootstrap window of a cached sample). */
export function addIndexedPoints(stats: LatentStats, rows: ArrayLike<number>, indices: ArrayLike<number>): void {
  for (let k = 0; k < indices.length; k++) addPoint(stats, rows, (indices[k] ?? outOfRange('window row indices', k, indices)) * stats.dim);
}

/** `into += other` (a pane or partition merged into a window). */
export function mergeInto(into: LatentStats, other: Readonly<LatentStats>): LatentStats {
  if (into.dim !== other.dim) throw new RangeError(`cannot merge latent statistics of dimension ${other.dim} into ${into.dim}`);
  into.n += other.n;
  addInPlace(into.sum, other.sum, 'latent sum');
  addInPlace(into.sumOuter, other.sumOuter, 'latent outer sum');
  return into;
}

/** `into += other`, element by element (equal lengths). */
function addInPlace(into: Float64Array, other: Float64Array, what: string): void {
  if (into.length !== other.length) throw new RangeError(`${what}: cannot add ${other.length} values to ${into.length}`);
  other.forEach((v, k) => {
    into[k] = (into[k] ?? outOfRange(what, k, into)) + v;
  });
}

/** A new statistic holding both (pure; associative and commutative). */
export function mergeLatentStats(a: Readonly<LatentStats>, b: Readonly<LatentStats>): LatentStats {
  const out = createLatentStats(a.dim);
  mergeInto(out, a);
  return mergeInto(out, b);
}

export function snapshotLatentStats(stats: Readonly<LatentStats>): LatentStatsSnapshot {
  return { stateVersion: 1, dim: stats.dim, n: stats.n, sum: Array.from(stats.sum), sumOuter: Array.from(stats.sumOuter) };
}

export function restoreLatentStats(snapshot: LatentStatsSnapshot): LatentStats {
  const { dim } = snapshot;
  if (snapshot.stateVersion !== 1) throw new RangeError(`unknown latent statistics stateVersion ${String(snapshot.stateVersion)}`);
  if (snapshot.sum.length !== dim || snapshot.sumOuter.length !== dim * dim) throw new RangeError('latent statistics snapshot has inconsistent sizes');
  return { dim, n: snapshot.n, sum: Float64Array.from(snapshot.sum), sumOuter: Float64Array.from(snapshot.sumOuter) };
}

/** Gaussian moments of a window, as the window model q̂ uses them. */
export interface GaussianMoments {
  dim: number;
  n: number;
  mean: Float64Array;
  /** Sample covariance (divisor n − 1) plus `ridge` on the diagonal, d×d row-major. */
  cov: Float64Array;
  /** (cov)⁻¹, d×d row-major. */
  precision: Float64Array;
  ridge: number;
}

/**
 * Ridge added to a window covariance [ours]: 1e-3·trace(Σ)/d when the window has fewer
 * than 5d points (Σ is then poorly conditioned), otherwise the reference's 1e-5.
 */
export function defaultRidge(n: number, dim: number, trace: number): number {
  return n < 5 * dim ? (1e-3 * trace) / dim : 1e-5;
}

/** μ = Σz/n, Σ = (Σzzᵀ − n μμᵀ)/(n − 1) + ridge·I and its inverse. Needs n ≥ 2. */
export function latentMoments(stats: Readonly<LatentStats>, options: { ridge?: number } = {}): GaussianMoments {
  const { dim: d, n } = stats;
  if (n < 2) throw new RangeError(`a window covariance needs at least 2 points, got ${n}`);
  const mean = stats.sum.map((s) => s / n);
  const cov = new Float64Array(d * d);
  let trace = 0;
  mean.forEach((mi, i) => {
    for (let j = i; j < d; j++) {
      const c = ((stats.sumOuter[i * d + j] ?? outOfRange('latent outer sum', i * d + j, stats.sumOuter)) - n * mi * (mean[j] ?? outOfRange('latent mean', j, mean))) / (n - 1);
      cov[i * d + j] = c;
      cov[j * d + i] = c;
      if (j === i) trace += c;
    }
  });
  const ridge = options.ridge ?? defaultRidge(n, d, trace);
  for (let i = 0; i < d; i++) cov[i * d + i] = (cov[i * d + i] ?? outOfRange('latent covariance', i * d + i, cov)) + ridge;
  return { dim: d, n, mean, cov, precision: inverseSpd(cov, d), ridge };
}
