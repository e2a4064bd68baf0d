/**
 * ReTaSA (docs/algorithms.md#target-shift): importance weights ω(y) = p_t(y)/p_s(y) for a regression target under continuous
 * target shift (p(x|y) unchanged, p(y) moved), from labelled source pairs and unlabelled target rows.
 * The unknown is ρ = ω − 1. The Tikhonov normal equation (αI + S*S)ρ = S*η is discretised at the
 * source labels, r_i = ρ(y_i), as (αI + A_y·A_x) r = b with Gaussian Nadaraya–Watson smoothers A_x
 * (on x) and A_y (on y), and b_i = n·(A_y v)_i − 1 where v_k is the mean NW weight that target rows
 * put on source point k (the kernel form of E_t[p_s(y_i|X)]/p_s(y_i) − 1). Then ω = max(0, 1 + r),
 * rescaled to mean 1. x is a 1-D summary: the deployed regressor's prediction.
 * Bandwidths: Silverman, 1.06·sd·n^(−1/5), on the source summaries and on the source labels used.
 *
 * Note: with the window equal to the source sample, b is not exactly 0 (n·v holds the column sums
 * of A_x, which are not all 1), so "no shift" gives ω̂ ≈ 1 rather than ω̂ ≡ 1.
 *
 * Cost: everything that depends on the source alone (A_y, A_x, their product and its LU) is done
 * once by `fitRetasaSource`, O(n³), so n is capped at 1000 (a seeded subsample stratified on y;
 * 3000 would be affordable in memory, but the cubic fit took over a minute at n = 2000 here). Each window is O(m·n + n²)
 * with m capped at 2000 by a seeded random subsample. Measured on a shared 2-core machine under
 * load: n = m = 800 fit ≈ 3 s and window ≈ 50 ms; at the caps fit ≈ 4 s and window ≈ 0.1–0.2 s.
 */
import { at, outOfRange } from '../indexing.js';
import { seededRandom } from '../random.js';
import { luFactor, luSolve, multiplySquare, multiplyVector, type LuFactors } from './dense-linear.js';
import { nadarayaWatsonMatrix, nadarayaWatsonWeights, silvermanBandwidth } from './kernels.js';
import { randomSubsample, stratifiedSubsample } from './subsample.js';
import { DEFAULT_QUANTILE_PROBABILITIES, weightedQuantiles } from './weight-summary.js';

export const RETASA_DEFAULT_ALPHA = 0.01;
export const RETASA_MAX_SOURCE_POINTS = 1000;
export const RETASA_MAX_TARGET_POINTS = 2000;

export interface RetasaSourceOptions {
  /** Tikhonov α (default 0.01). Larger values shrink ω̂ toward 1 ("no shift"). */
  alpha?: number;
  maxSourcePoints?: number;
  /** Seed of the source subsample (default 1). */
  seed?: number;
  /** Override Silverman's rule on the x-summary or on y. */
  bandwidthX?: number;
  bandwidthY?: number;
}

/** The source half of the estimator, reused by every window. Matrices are n×n, row-major. */
export interface RetasaSourceModel {
  alpha: number;
  bandwidthX: number;
  bandwidthY: number;
  /** Which of the caller's source rows were kept (ascending); `summary` and `y` follow this order. */
  sourceIndices: number[];
  summary: Float64Array;
  y: Float64Array;
  smootherX: Float64Array;
  smootherY: Float64Array;
  system: LuFactors;
}

export interface RetasaEstimate {
  /** ω̂ at the kept source labels (model.y): ≥ 0, mean exactly 1. */
  weights: number[];
  /** 1 + r_i before clipping and rescaling. */
  unclippedWeights: number[];
  /** How many 1 + r_i were negative and set to 0. */
  clippedCount: number;
  /** mean_i max(0, 1 + r_i): the divisor that made the mean 1. */
  normaliser: number;
  targetPointsUsed: number;
  /** n·v − A_x r, which lets `retasaWeightAt` evaluate ω̂ at any y. */
  extension: Float64Array;
}

function finite(name: string, values: readonly number[]): void {
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError(`${name}: values must be finite`);
}

/** Source-only work: subsample, bandwidths, smoothers, and the LU of αI + A_y·A_x. */
export function fitRetasaSource(
  sourceSummary: readonly number[],
  sourceY: readonly number[],
  options: RetasaSourceOptions = {},
): RetasaSourceModel {
  if (sourceSummary.length !== sourceY.length) {
    throw new RangeError(`fitRetasaSource: ${sourceSummary.length} summaries vs ${sourceY.length} labels`);
  }
  finite('fitRetasaSource(summary)', sourceSummary);
  finite('fitRetasaSource(y)', sourceY);
  const alpha = options.alpha ?? RETASA_DEFAULT_ALPHA;
  if (!(alpha > 0)) throw new RangeError(`fitRetasaSource: alpha must be > 0, got ${alpha}`);
  const max = options.maxSourcePoints ?? RETASA_MAX_SOURCE_POINTS;
  const sourceIndices = stratifiedSubsample(sourceY, max, seededRandom(options.seed ?? 1));
  const summary = Float64Array.from(sourceIndices, (i) => at(sourceSummary, i, 'fitRetasaSource: source summaries'));
  const y = Float64Array.from(sourceIndices, (i) => at(sourceY, i, 'fitRetasaSource: source labels'));
  const bandwidthX = options.bandwidthX ?? silvermanBandwidth(summary);
  const bandwidthY = options.bandwidthY ?? silvermanBandwidth(y);
  const n = y.length;
  const smootherX = nadarayaWatsonMatrix(summary, bandwidthX).matrix;
  const smootherY = nadarayaWatsonMatrix(y, bandwidthY).matrix;
  const operator = multiplySquare(smootherY, smootherX, n);
  for (let i = 0; i < n; i++) operator[i * n + i] = (operator[i * n + i] ?? outOfRange('fitRetasaSource', i * n + i, operator)) + alpha;
  return { alpha, bandwidthX, bandwidthY, sourceIndices, summary, y, smootherX, smootherY, system: luFactor(operator, n) };
}

/** One window: ω̂ at the source labels from the target rows' x-summaries. */
export function estimateRetasaWeights(
  model: RetasaSourceModel,
  targetSummary: readonly number[],
  options: { maxTargetPoints?: number; seed?: number } = {},
): RetasaEstimate {
  finite('estimateRetasaWeights', targetSummary);
  const picked = randomSubsample(targetSummary.length, options.maxTargetPoints ?? RETASA_MAX_TARGET_POINTS, seededRandom(options.seed ?? 1));
  if (picked.length === 0) throw new RangeError('estimateRetasaWeights: empty target window');
  const n = model.y.length;
  // n·v_k = (n/m) Σ_j W_k(x'_j), W the NW weights of the source summaries at a target point.
  const nv = new Float64Array(n);
  const row = new Float64Array(n);
  for (const j of picked) {
    nadarayaWatsonWeights(model.summary, at(targetSummary, j, 'estimateRetasaWeights: target summaries'), model.bandwidthX, row);
    for (let k = 0; k < n; k++) nv[k] = (nv[k] ?? outOfRange('n·v', k, nv)) + (row[k] ?? outOfRange('NW weights', k, row));
  }
  for (let k = 0; k < n; k++) nv[k] = (nv[k] ?? outOfRange('n·v', k, nv)) * (n / picked.length);
  const b = multiplyVector(model.smootherY, nv, n).map((v) => v - 1);
  const r = luSolve(model.system, b);
  const unclippedWeights = Array.from(r, (v) => 1 + v);
  const clipped = unclippedWeights.map((w) => Math.max(0, w));
  const normaliser = clipped.reduce((acc, w) => acc + w, 0) / n;
  if (!(normaliser > 0)) throw new RangeError('estimateRetasaWeights: every weight clipped to 0 (target outside the source support?)');
  const smoothedR = multiplyVector(model.smootherX, r, n);
  return {
    weights: clipped.map((w) => w / normaliser),
    unclippedWeights,
    clippedCount: unclippedWeights.filter((w) => w < 0).length,
    normaliser,
    targetPointsUsed: picked.length,
    extension: nv.map((v, k) => v - (smoothedR[k] ?? outOfRange('estimateRetasaWeights', k, smoothedR))),
  };
}

/**
 * ω̂ at any label value y (Nyström extension of αρ = S*η − S*Sρ): ρ(y) = (a(y)·extension − 1)/α,
 * a(y) the NW weights in y at y; then the same clip and normaliser. Equals `weights[i]` at y = y_i.
 */
export function retasaWeightAt(model: RetasaSourceModel, estimate: RetasaEstimate, y: number): number {
  const a = nadarayaWatsonWeights(model.y, y, model.bandwidthY, new Float64Array(model.y.length));
  let dot = 0;
  if (estimate.extension.length !== a.length) throw new RangeError(`retasaWeightAt: an estimate over ${estimate.extension.length} source points, the model has ${a.length}`);
  for (let k = 0; k < a.length; k++) dot += at(a, k) * at(estimate.extension, k);
  return Math.max(0, 1 + (dot - 1) / model.alpha) / estimate.normaliser;
}

/** Reported: ω̂ at quantiles (default 5 %, 10 %, …, 95 %) of the source labels kept by the model. */
export function retasaWeightGauges(
  model: RetasaSourceModel,
  estimate: RetasaEstimate,
  probabilities: readonly number[] = DEFAULT_QUANTILE_PROBABILITIES,
): Array<{ probability: number; y: number; weight: number }> {
  const ys = Array.from(model.y);
  const quantiles = weightedQuantiles(ys, new Array<number>(ys.length).fill(1), probabilities);
  return quantiles.map((y, i) => ({ probability: at(probabilities, i), y, weight: retasaWeightAt(model, estimate, y) }));
}
