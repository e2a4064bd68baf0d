/**
 * Null distributions of per-feature window statistics, computed once at fit time from reference
 * rows (docs/algorithms.md#conditional-shift), and the p-values and normalised scores read from them at serve time.
 *
 * Each replicate b draws a window of W pool rows (and, for a two-sample statistic, a resample of
 * the reference the serve-time p̂ is fitted on) and computes the statistic vector S_b with the
 * caller's callback: the SAME procedure as at serve time (ONNX, float64 or Gaussian).
 * p_j = (1 + #{b : S_bj ≥ S_j})/(B + 1), z_j = (S_j − mean_b S_bj)/sd_b S_bj.
 *
 * Why a two-sample bootstrap [ours, measured]. S compares the window's moments with p̂'s. Drawn
 * from a finite pool of n rows, replicate windows differ from p̂ by (pool − population) + (window −
 * pool): the first term is frozen, the same in every replicate, and of order 1/n against the
 * window's 1/W. With W = 1000 and a 2000-row hold-out that is not small: one-sample subsampling
 * without replacement (narrower than fresh windows by the factor 1 − W/n) gave 29–59% false alarms
 * at α = 0.05 on the localization benchmark, and one-sample resampling with replacement is as far off the other way
 * (its frozen offset adds ≈ W/n to the null's mean noise, very conservative). A "simple
 * bootstrap" removes the frozen term: each replicate also resamples the rows p̂ is fitted on (size
 * `referenceSize`, with replacement) and refits p̂ on them, so the null carries p̂'s own estimation
 * noise exactly as a live window sees it. For the flow method the refit is p̂'s latent Gaussian
 * (cheap: sufficient statistics of cached latent points); the flow map itself stays fixed.
 *
 * Sampling:
 * - 'bootstrap' (default): window and reference resample iid with replacement.
 * - 'blocks': the window is W contiguous rows from a uniform start (a time bootstrap), the
 *   reference resample a moving-block bootstrap with blocks of W rows, for autocorrelated or
 *   seasonal streams. The pool must then be in time order and span many W-blocks.
 * - 'subsample': W distinct rows (one-sample use only; see above for when it is anticonservative).
 *
 * Replicates. The p-value above is valid for any B (the observed statistic ranks among B + 1
 * exchangeable values), so B only decides resolution: the smallest p is 1/(B + 1), and what has to
 * be resolved is the smallest per-test level acted on: α/m for the first step of BH over m
 * hypotheses. The default B = 2000 gives p ≥ 1/2001 ≈ 5e-4, below α/d = 2e-3 (conditional tests
 * alone, d = 25, α = 0.05) and below α/(2d) = 1e-3 (conditional and marginal tests together), so a
 * single strongly shifted feature is rejected either way. Near the boundary the Monte Carlo error
 * of p is √(p/B) (≈ 50% relative at 2e-3); B ≥ 20/α_eff (10,000 at d = 25) makes
 * borderline decisions stable and `recommendedReplicates` returns it for callers that can afford it.
 *
 * Storage (compact, JSON): per statistic the mean and sd, the largest ⌈tailFraction·B⌉ values
 * exactly (p-values up to tailFraction are exact) and a 101-point quantile grid for the body
 * (larger p-values interpolated, error ≲ 0.01; they never decide anything at α ≤ tailFraction).
 */
import { at, outOfRange } from '../indexing.js';
import { seededRandom } from '../random.js';

export type NullSampling = 'subsample' | 'bootstrap' | 'blocks';

export const DEFAULT_REPLICATES = 2000;
export const DEFAULT_TAIL_FRACTION = 0.1;
const QUANTILE_POINTS = 101;

/** B ≥ 20/α_eff with α_eff = α/d (docs/algorithms.md#conditional-shift), at least 1000. */
export function recommendedReplicates(alpha: number, features: number): number {
  return Math.max(1000, Math.ceil((20 * features) / alpha));
}

export interface NullOptions {
  /** Rows per replicate window: the serving window size. */
  windowSize: number;
  /** B; default DEFAULT_REPLICATES. */
  replicates?: number;
  /** Default 'bootstrap'. */
  sampling?: NullSampling;
  /**
   * Two-sample statistics: the size of the reference resample drawn with each replicate (the
   * number of rows p̂ is fitted on at serve time). Absent: one-sample, no reference resample.
   */
  referenceSize?: number;
  seed?: number;
  /** Share of the replicates kept exactly (the upper tail). Default 0.1. */
  tailFraction?: number;
  /** Called after each replicate (progress). */
  onReplicate?: (done: number, total: number) => void;
}

/** The null of one statistic (one feature). */
export interface StatisticNull {
  mean: number;
  sd: number;
  /** The largest replicate values, descending (all values ≥ the last one are here). */
  tail: number[];
  /** Replicate quantiles at probabilities k/100, k = 0..100 (ascending). */
  quantiles: number[];
}

export interface NullDistribution {
  stateVersion: 1;
  windowSize: number;
  replicates: number;
  sampling: NullSampling;
  /** Size of the reference resample of each replicate (0: one-sample). */
  referenceSize: number;
  seed: number;
  /** Rows the replicates were drawn from. */
  poolRows: number;
  statistics: StatisticNull[];
}

/**
 * The statistic vector of one replicate: `window` holds W pool row indices; `reference` the
 * indices of the reference resample (null for a one-sample null).
 */
export type WindowStatistic = (window: Int32Array, reference: Int32Array | null, replicate: number) => Float64Array | Promise<Float64Array>;

function checkSampling(sampling: NullSampling, poolRows: number, windowSize: number): void {
  if ((sampling === 'subsample' || sampling === 'blocks') && windowSize > poolRows) {
    throw new RangeError(`'${sampling}' needs a window (${windowSize}) no larger than the pool (${poolRows} rows)`);
  }
}

/** Draws replicate windows of pool row indices. */
export function windowSampler(poolRows: number, windowSize: number, sampling: NullSampling, random: () => number): (out: Int32Array) => Int32Array {
  checkSampling(sampling, poolRows, windowSize);
  const permutation = sampling === 'subsample' ? Int32Array.from({ length: poolRows }, (_, i) => i) : new Int32Array(0);
  return (out) => {
    if (sampling === 'bootstrap') {
      for (let k = 0; k < windowSize; k++) out[k] = Math.floor(random() * poolRows);
    } else if (sampling === 'blocks') {
      const start = Math.floor(random() * (poolRows - windowSize + 1));
      for (let k = 0; k < windowSize; k++) out[k] = start + k;
    } else {
      // Partial Fisher–Yates: the first W entries of a fresh random permutation (the array stays a permutation).
      for (let k = 0; k < windowSize; k++) {
        const j = k + Math.floor(random() * (poolRows - k));
        const t = permutation[k] ?? outOfRange('permutation', k, permutation);
        const picked = permutation[j] ?? outOfRange('permutation', j, permutation);
        permutation[k] = picked;
        permutation[j] = t;
        out[k] = picked;
      }
    }
    return out;
  };
}

/** Reference resamples: iid with replacement, or (sampling 'blocks') a moving-block bootstrap with blocks of `block` rows. */
export function referenceSampler(poolRows: number, size: number, sampling: NullSampling, block: number, random: () => number): (out: Int32Array) => Int32Array {
  const length = Math.min(block, poolRows);
  return (out) => {
    if (sampling !== 'blocks') {
      for (let k = 0; k < size; k++) out[k] = Math.floor(random() * poolRows);
      return out;
    }
    for (let k = 0; k < size; ) {
      const start = Math.floor(random() * (poolRows - length + 1));
      for (let i = 0; i < length && k < size; i++, k++) out[k] = start + i;
    }
    return out;
  };
}

/** Runs B replicates of `statistic` and summarises each component's null. */
export async function calibrateNull(poolRows: number, options: NullOptions, statistic: WindowStatistic): Promise<NullDistribution> {
  const windowSize = options.windowSize;
  const replicates = options.replicates ?? DEFAULT_REPLICATES;
  const seed = options.seed ?? 0;
  const referenceSize = options.referenceSize ?? 0;
  if (!(Number.isInteger(windowSize) && windowSize >= 2)) throw new RangeError(`windowSize must be an integer >= 2, got ${windowSize}`);
  if (!(Number.isInteger(replicates) && replicates >= 20)) throw new RangeError(`replicates must be an integer >= 20, got ${replicates}`);
  if (!(Number.isInteger(referenceSize) && referenceSize >= 0)) throw new RangeError(`referenceSize must be a non-negative integer, got ${referenceSize}`);
  const sampling = options.sampling ?? 'bootstrap';
  const random = seededRandom(seed);
  const drawWindow = windowSampler(poolRows, windowSize, sampling, random);
  const drawReference = referenceSampler(poolRows, referenceSize, sampling, windowSize, random);
  const window = new Int32Array(windowSize);
  const reference = referenceSize > 0 ? new Int32Array(referenceSize) : null;
  let columns: Float64Array[] | null = null;
  for (let b = 0; b < replicates; b++) {
    drawWindow(window);
    if (reference) drawReference(reference);
    const s = await statistic(window, reference, b);
    if (columns === null) columns = Array.from({ length: s.length }, () => new Float64Array(replicates));
    if (s.length !== columns.length) throw new RangeError(`replicate ${b} returned ${s.length} statistics, the first returned ${columns.length}`);
    const byStatistic = columns;
    s.forEach((v, j) => {
      at(byStatistic, j, 'replicate statistics')[b] = v;
    });
    options.onReplicate?.(b + 1, replicates);
  }
  const tailFraction = options.tailFraction ?? DEFAULT_TAIL_FRACTION;
  return {
    stateVersion: 1,
    windowSize,
    replicates,
    sampling,
    referenceSize,
    seed,
    poolRows,
    statistics: (columns ?? []).map((values) => summarizeNull(values, tailFraction)),
  };
}

/** Nine significant digits: float32 precision, a third of the JSON. */
const compact = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(9)) : v);

/** Mean, sd, exact upper tail and a quantile grid of B replicate values (NaNs count as +∞: conservative). */
export function summarizeNull(values: ArrayLike<number>, tailFraction = DEFAULT_TAIL_FRACTION): StatisticNull {
  const sorted = Float64Array.from(values, (v) => (Number.isNaN(v) ? Infinity : v)).sort();
  const B = sorted.length;
  if (B === 0) throw new RangeError('an empty null');
  let sum = 0;
  let finite = 0;
  for (const v of sorted) if (Number.isFinite(v)) (sum += v), finite++;
  const mean = finite > 0 ? sum / finite : NaN;
  let ss = 0;
  for (const v of sorted) if (Number.isFinite(v)) ss += (v - mean) ** 2;
  const sd = finite > 1 ? Math.sqrt(ss / (finite - 1)) : NaN;
  const keep = Math.min(B, Math.max(1, Math.ceil(tailFraction * B)));
  const tail: number[] = [];
  for (let k = B - 1; k >= B - keep; k--) tail.push(compact(at(sorted, k, 'sorted replicates')));
  const quantiles: number[] = [];
  for (let q = 0; q < QUANTILE_POINTS; q++) quantiles.push(compact(at(sorted, Math.round((q / (QUANTILE_POINTS - 1)) * (B - 1)), 'sorted replicates')));
  return { mean: compact(mean), sd: compact(sd), tail, quantiles };
}

/**
 * p = (1 + #{b : S_b ≥ value})/(B + 1). Exact while value ≥ the smallest kept tail value; below it
 * the count is interpolated on the quantile grid. NaN gives 1 (nothing can be concluded).
 */
export function nullPValue(statistic: StatisticNull, replicates: number, value: number): number {
  if (Number.isNaN(value)) return 1;
  const { tail, quantiles } = statistic;
  const lastTail = at(tail, tail.length - 1, 'null tail');
  let exceed: number;
  if (value >= lastTail) {
    // tail is descending: count the entries ≥ value (binary search).
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(tail, mid, 'null tail') >= value) lo = mid + 1;
      else hi = mid;
    }
    exceed = lo;
  } else {
    exceed = Math.max(tail.length, Math.round(replicates * (1 - gridCdf(quantiles, value))));
  }
  return Math.min(1, (1 + exceed) / (replicates + 1));
}

/** Share of replicates below `value`, interpolated linearly between the grid's quantiles. */
function gridCdf(quantiles: readonly number[], value: number): number {
  const last = quantiles.length - 1;
  if (value <= at(quantiles, 0, 'null quantiles')) return 0;
  if (value >= at(quantiles, last, 'null quantiles')) return 1;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (at(quantiles, mid, 'null quantiles') <= value) lo = mid;
    else hi = mid;
  }
  const a = at(quantiles, lo, 'null quantiles');
  const b = at(quantiles, hi, 'null quantiles');
  const frac = b > a ? (value - a) / (b - a) : 0;
  return (lo + frac) / last;
}

/** z = (value − mean)/sd of the null (NaN when the null has no spread). */
export function nullZScore(statistic: StatisticNull, value: number): number {
  return statistic.sd > 0 ? (value - statistic.mean) / statistic.sd : NaN;
}
