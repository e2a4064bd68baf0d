/**
 * Per-feature reference summaries (see bundle-types.ts for the numeric bin layout).
 *
 * Numeric edges: when the reference has at most `maxBins` distinct values, the edges are those values
 * plus one extra edge, the next double above the maximum, so every distinct value has a bin of its
 * own ([v_i, v_{i+1}), the last one [max, nextUp(max)]) and anything above the maximum lands in the
 * "above" bin. Otherwise the edges are the distinct values found at the quantile positions
 * i/maxBins, i = 0..maxBins, of the sorted data, so the minimum and the maximum are always edges.
 * Either way there are at most maxBins interior bins.
 */
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import type { CategoricalFeatureReference, FeatureReference, NumericFeatureReference } from './bundle-types.js';
import type { CellValue } from './row.js';
import { forceKindFix, type FeatureSpec } from './schema.js';

export const DEFAULT_MAX_BINS = 512;

export function buildFeatureReference(
  spec: FeatureSpec,
  values: readonly CellValue[],
  options: { maxBins?: number } = {},
): FeatureReference {
  return spec.kind === 'numeric'
    ? numericReference(spec.name, values, options.maxBins ?? DEFAULT_MAX_BINS)
    : categoricalReference(spec.name, values);
}

function numericReference(name: string, values: readonly CellValue[], maxBins: number): NumericFeatureReference {
  const xs = new Float64Array(values.length);
  let n = 0;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) missing += 1;
    else if (typeof v === 'number' && Number.isFinite(v)) xs[n++] = v;
    else {
      throw new ReferenceDataError(
        name,
        `numeric feature has the ${typeof v} ${typeof v === 'number' ? String(v) : JSON.stringify(v)} on row ${i + 1}`,
        `clean the column, or force its type with ${forceKindFix(name, 'categorical')}`,
      );
    }
  }
  if (n === 0) throw new ReferenceDataError(name, `all ${missing} values are null`, `drop it with --exclude ${name}, or fix the export`);
  const sorted = xs.subarray(0, n).sort();
  const edges = numericEdges(sorted, maxBins);
  const counts = new Array<number>(edges.length + 1).fill(0);
  let sum = 0;
  for (const x of sorted) {
    const bin = binIndex(edges, x);
    counts[bin] = at(counts, bin, 'reference bin counts') + 1;
    sum += x;
  }
  const mean = sum / n;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) ** 2;
  const std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const min = at(sorted, 0, 'sorted reference values');
  const max = at(sorted, n - 1, 'sorted reference values');
  return { kind: 'numeric', name, edges, counts, n, missing, mean, std, min, max };
}

function categoricalReference(name: string, values: readonly CellValue[]): CategoricalFeatureReference {
  const byCategory = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined) {
      missing += 1;
      continue;
    }
    const key = typeof v === 'string' ? v : String(v);
    byCategory.set(key, (byCategory.get(key) ?? 0) + 1);
  }
  if (byCategory.size === 0) {
    throw new ReferenceDataError(name, `all ${missing} values are null`, `drop it with --exclude ${name}, or fix the export`);
  }
  // Descending count, then name by UTF-16 code units (not locale), so bundles are reproducible.
  const sorted = [...byCategory].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const counts = sorted.map(([, c]) => c);
  return {
    kind: 'categorical',
    name,
    categories: sorted.map(([c]) => c),
    counts,
    n: counts.reduce((a, b) => a + b, 0),
    missing,
  };
}

/** Edges for finite values sorted ascending (see the header comment). */
export function numericEdges(sortedFinite: Float64Array, maxBins: number): number[] {
  const n = sortedFinite.length;
  if (n === 0) throw new RangeError('numericEdges: no values');
  if (!Number.isInteger(maxBins) || maxBins < 1) throw new RangeError(`numericEdges: maxBins must be a positive integer, got ${maxBins}`);
  let last = at(sortedFinite, 0, 'sorted values');
  const distinct: number[] = [last];
  for (let i = 1; i < n && distinct.length <= maxBins; i++) {
    const v = at(sortedFinite, i, 'sorted values');
    if (v !== last) {
      distinct.push(v);
      last = v;
    }
  }
  if (distinct.length <= maxBins) {
    const top = nextUp(last);
    if (Number.isFinite(top)) distinct.push(top);
    return distinct;
  }
  const edges: number[] = [];
  for (let i = 0; i <= maxBins; i++) {
    const v = at(sortedFinite, Math.floor((i * (n - 1)) / maxBins), 'sorted values');
    if (edges.length === 0 || v !== edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/**
 * The bin of `x` in the layout of bundle-types.ts, by binary search: 0 below edges[0], E above
 * edges[E-1], i for edges[i-1] <= x < edges[i], and E-1 for x == edges[E-1]. NaN is a RangeError.
 */
export function binIndex(edges: readonly number[], x: number): number {
  if (Number.isNaN(x)) throw new RangeError('binIndex: x is NaN');
  // Per event: checked inline, not through at() (see window/summary.ts).
  const last = edges.length - 1;
  const lowest = edges[0];
  const highest = edges[last];
  if (lowest === undefined || highest === undefined) throw new RangeError('binIndex: no edges');
  if (x < lowest) return 0;
  if (x > highest) return last + 1;
  if (x === highest) return last;
  let lo = 1;
  let hi = last; // edges[0] <= x < edges[last]: the answer is the first k with edges[k] > x
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const edge = edges[mid];
    if (edge === undefined) throw new RangeError(`binIndex: edge ${mid} of ${edges.length} missing`);
    if (edge <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The smallest double greater than x (x finite). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  const bits = at(i64, 0, 'float bits');
  i64[0] = x > 0 ? bits + 1n : bits - 1n;
  return at(f64, 0, 'float bits');
}
