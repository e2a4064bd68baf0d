/**
 * Time-ordered null of a per-window statistic (docs/algorithms.md#time-ordered-null): how much the statistic varies
 * between windows of a stream in which nothing changed, learned from the reference itself.
 *
 * A live stream arrives in time order, so consecutive windows carry time of day, day of week and
 * slow drift that an iid-shuffled reference does not show. At fit time the statistic T (larger =
 * more shifted) is computed on contiguous chunks of the time-ordered reference, each the size of a
 * served window, and on iid windows of the same size drawn from the same rows. The iid windows
 * measure sampling noise; the chunks measure sampling noise plus whatever time order adds. At serve
 * time a window is scored against both:
 *
 *   z = (T − center) / sqrt(iidVar + excessVar + chunkVar / chunks)
 *
 * where excessVar = max(0, chunkVar − iidVar) is the variation time order adds, and the last term
 * is the uncertainty of the center. The p-value is Student's t with Welch–Satterthwaite degrees of
 * freedom: close to normal when the excess is negligible, heavy-tailed when a few chunks carry
 * most of the variance (a small reference is honest about what it cannot know).
 *
 * The center is the chunks' mean, unless the caller knows the null center better: the flow's
 * statistics are standardised against rows it never trained on, so their center is 0 plus the
 * difference chunks − iid measured on the same (partly trained-on) rows.
 */
import { studentTSurvival } from '../stats/student-t.js';
import { lag1Autocorrelation } from './series.js';
import { at } from '../indexing.js';

export interface TimeNull {
  /** Rows per window it was fitted at. */
  rows: number;
  /** Disjoint contiguous chunks behind the excess variance (0: no time order, iid sampling only). */
  chunks: number;
  /** iid windows behind iidVar. */
  iidWindows: number;
  center: number;
  iidVar: number;
  excessVar: number;
  /** Variance of the statistic over the chunks (for the center's uncertainty). */
  chunkVar: number;
  /** Lag-1 autocorrelation of consecutive disjoint chunks' standardised values (0 when unknown). */
  lag1: number;
  /**
   * The chunks' values, sorted, moved by the same correction as the center: inside their range the
   * p-value is never smaller than their empirical one, so a skewed null is not read as normal.
   */
  sorted: number[];
}

export interface TimeNullInput {
  rows: number;
  /** Statistic on contiguous chunks, each series in time order (e.g. chunks starting at offset 0, and at offset m/2). */
  chunkSeries: readonly (readonly number[])[];
  /** Statistic on iid windows of the same size from the same rows. */
  iid: readonly number[];
  /** Null center of the statistic on unseen rows, when known (default: the iid windows' mean). */
  iidCenter?: number;
}

export function fitTimeNull(input: TimeNullInput): TimeNull {
  const iid = finite(input.iid);
  if (iid.length < 2) throw new Error(`a time-ordered null needs at least 2 iid windows, got ${iid.length}`);
  const iidMean = mean(iid);
  const iidVar = variance(iid, iidMean);
  const series = input.chunkSeries.map(finite).filter((s) => s.length > 0);
  const all = series.flat();
  const chunks = Math.max(0, ...series.map((s) => s.length));
  const base = input.iidCenter ?? iidMean;
  if (chunks < 2) {
    return { rows: input.rows, chunks: 0, iidWindows: iid.length, center: base, iidVar, excessVar: 0, chunkVar: 0, lag1: 0, sorted: [] };
  }
  const chunkMean = mean(all);
  const chunkVar = variance(all, chunkMean);
  const center = base + (chunkMean - iidMean);
  const excessVar = Math.max(0, chunkVar - iidVar);
  const scale = Math.sqrt(Math.max(iidVar + excessVar, 1e-300));
  const lag1 = lag1Autocorrelation(series.map((s) => s.map((v) => (v - center) / scale)));
  const shift = base - iidMean;
  const sorted = all.map((v) => Number((v + shift).toPrecision(7))).sort((a, b) => a - b);
  return { rows: input.rows, chunks, iidWindows: iid.length, center, iidVar, excessVar, chunkVar, lag1, sorted };
}

export interface TimeNullScore {
  z: number;
  pValue: number;
}

/**
 * Upper-tail p-value of T under the time-ordered null (large T: more shifted): Student's t on the
 * variance components, never below the chunks' own empirical p-value while T lies within their
 * range (a null whose chunks are skewed is not read as normal), and never above the smallest
 * empirical p-value beyond it (beyond the chunks only the parametric tail can extrapolate).
 */
export function scoreTimeNull(n: TimeNull, statistic: number): TimeNullScore {
  const centerVar = n.chunks > 0 ? n.chunkVar / n.chunks : n.iidVar / n.iidWindows;
  const total = n.iidVar + n.excessVar + centerVar;
  const sd = Math.sqrt(Math.max(total, 1e-24 * (1 + n.center * n.center)));
  const z = (statistic - n.center) / sd;
  const parametric = studentTSurvival(z, degreesOfFreedom(n));
  const sorted = n.sorted;
  const highest = sorted.at(-1);
  if (highest === undefined || Number.isNaN(statistic)) return { z, pValue: parametric };
  const floor = 1 / (sorted.length + 1);
  if (statistic > highest) return { z, pValue: Math.min(parametric, floor) };
  return { z, pValue: Math.max(parametric, (1 + atLeast(sorted, statistic)) / (sorted.length + 1)) };
}

/** How many sorted values are ≥ x. */
function atLeast(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(sorted, mid, 'null statistics') < x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Welch–Satterthwaite degrees of freedom of iidVar + excessVar + the center's variance. */
export function degreesOfFreedom(n: TimeNull): number {
  const iidDf = Math.max(1, n.iidWindows - 1);
  if (n.chunks < 2) return iidDf;
  const chunkDf = n.chunks - 1;
  const excessTerm = n.excessVar + n.chunkVar / n.chunks;
  const total = n.iidVar + excessTerm;
  const denominator = (excessTerm * excessTerm) / chunkDf + (n.iidVar * n.iidVar) / iidDf;
  return denominator > 0 ? Math.max(1, (total * total) / denominator) : iidDf;
}

/** Disjoint chunks [start, start + size) at stride `size`, from each offset in `offsets` (fractions of size). */
export function chunkStarts(rows: number, size: number, offsets: readonly number[] = [0, 0.5]): number[][] {
  if (size <= 0 || rows < size) return [];
  return offsets.map((o) => {
    const starts: number[] = [];
    for (let s = Math.floor(o * size); s + size <= rows; s += size) starts.push(s);
    return starts;
  }).filter((s) => s.length > 0);
}

const finite = (xs: readonly number[]) => xs.filter((x) => Number.isFinite(x));
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[], m: number) => (xs.length < 2 ? 0 : xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
