/**
 * Percentile bootstrap intervals for any label-shift estimator (docs/algorithms.md#label-shift-library):
 * resample the window's rows with replacement B times (default 200), re-estimate, and take per-class
 * percentiles. Deterministic for a given seed.
 */
import { at } from '../indexing.js';
import { seededRandom } from '../random.js';
import { toDenseRows, type DenseRows, type Posteriors } from './posteriors.js';

export interface BootstrapOptions {
  replicates?: number;
  /** Two-sided coverage, default 0.95. */
  level?: number;
  seed?: number;
}

export interface BootstrapIntervals {
  lower: number[];
  upper: number[];
  replicates: number;
}

/** The rows of `p` at `indices`, as a new dense matrix. */
export function selectRows(p: Posteriors, indices: readonly number[]): DenseRows {
  const d = toDenseRows(p);
  const data = new Float64Array(indices.length * d.cols);
  indices.forEach((u, r) => {
    if (!Number.isInteger(u) || u < 0 || u >= d.rows) throw new RangeError(`selectRows: row ${u} out of range [0, ${d.rows})`);
    data.set(d.data.subarray(u * d.cols, (u + 1) * d.cols), r * d.cols);
  });
  return { rows: indices.length, cols: d.cols, data };
}

/** Linear-interpolation quantile (type 7) of sorted values. */
export function sortedQuantile(sorted: readonly number[], prob: number): number {
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const low = at(sorted, lo, 'sortedQuantile');
  return low + (h - lo) * (at(sorted, hi, 'sortedQuantile') - low);
}

/**
 * Resamples indices 0..size−1 and calls `estimate` on each resample; returns per-coordinate percentile
 * intervals of the estimates.
 */
export function bootstrapPercentileIntervals(
  size: number,
  estimate: (indices: readonly number[]) => readonly number[],
  options: BootstrapOptions = {},
): BootstrapIntervals {
  const replicates = options.replicates ?? 200;
  const level = options.level ?? 0.95;
  if (!(size >= 1) || !(replicates >= 2) || !(level > 0 && level < 1)) throw new RangeError('bootstrapPercentileIntervals: bad arguments');
  const random = seededRandom(options.seed ?? 1);
  const draws: number[][] = [];
  for (let b = 0; b < replicates; b++) {
    const indices = Array.from({ length: size }, () => Math.floor(random() * size));
    draws.push([...estimate(indices)]);
  }
  const K = at(draws, 0, 'bootstrap draws').length;
  const lower: number[] = [];
  const upper: number[] = [];
  for (let k = 0; k < K; k++) {
    const sorted = draws.map((row) => at(row, k, 'bootstrap estimate')).sort((x, y) => x - y);
    lower.push(sortedQuantile(sorted, (1 - level) / 2));
    upper.push(sortedQuantile(sorted, (1 + level) / 2));
  }
  return { lower, upper, replicates };
}
