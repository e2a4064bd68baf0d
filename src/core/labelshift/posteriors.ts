/**
 * Input shape for per-point class probabilities (posteriors) and a dense row-major copy of it, which
 * is what the estimators iterate over.
 */
import { outOfRange } from '../indexing.js';

/** Row-major m×K matrix backed by a Float64Array: entry (u, k) is data[u·cols + k]. */
export interface DenseRows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Posteriors as nested arrays (one row per point) or as a dense row-major matrix. */
export type Posteriors = readonly (readonly number[])[] | DenseRows;

function isDense(p: Posteriors): p is DenseRows {
  return (p as DenseRows).data instanceof Float64Array;
}

/**
 * Checks the shape and the values (finite, >= 0) and returns a dense view. A DenseRows input is
 * returned as is (not copied); nested arrays are copied into a Float64Array.
 */
export function toDenseRows(p: Posteriors, what = 'posteriors'): DenseRows {
  if (isDense(p)) {
    if (p.data.length !== p.rows * p.cols) throw new RangeError(`${what}: data length ${p.data.length} != ${p.rows}×${p.cols}`);
    if (p.cols < 1) throw new RangeError(`${what}: need at least one column`);
    for (const v of p.data) if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${what}: entries must be finite and >= 0, got ${v}`);
    return p;
  }
  const rows = p.length;
  const [first] = p;
  if (first === undefined) throw new RangeError(`${what}: no rows`);
  const cols = first.length;
  if (cols < 1) throw new RangeError(`${what}: need at least one column`);
  const data = new Float64Array(rows * cols);
  let u = 0;
  for (const row of p) {
    if (row.length !== cols) throw new RangeError(`${what}: row ${u} has ${row.length} entries, expected ${cols}`);
    let offset = u * cols;
    for (const v of row) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${what}: entries must be finite and >= 0 (row ${u}: ${v})`);
      data[offset++] = v;
    }
    u++;
  }
  return { rows, cols, data };
}

/** Column means of the rows: the mean posterior. */
export function meanRow(p: Posteriors, what = 'posteriors'): number[] {
  const d = toDenseRows(p, what);
  const sum = new Float64Array(d.cols);
  for (let u = 0; u < d.rows; u++) {
    for (let k = 0; k < d.cols; k++) {
      const value = d.data[u * d.cols + k] ?? outOfRange(what, u * d.cols + k, d.data);
      sum[k] = (sum[k] ?? outOfRange(what, k, sum)) + value;
    }
  }
  return Array.from(sum, (v) => v / d.rows);
}
