/**
 * The few dense linear-algebra operations the label-shift estimators need, on plain number[][]
 * (small K×K matrices), with ml-matrix doing the factorisations.
 */
import { Matrix, SingularValueDecomposition, solve } from 'ml-matrix';
import { at } from '../indexing.js';

/** The common row length of a non-empty rectangular matrix; a RangeError naming `what` otherwise. */
export function columnCount(rows: readonly (readonly number[])[], what: string): number {
  const [first] = rows;
  if (first === undefined) throw new RangeError(`${what}: no rows`);
  for (const [i, row] of rows.entries()) {
    if (row.length !== first.length) throw new RangeError(`${what}: row ${i} has ${row.length} entries, row 0 has ${first.length}`);
  }
  return first.length;
}

/** Entry (i, j) of a nested-array matrix, or a RangeError naming `what` when it is outside the matrix. */
export function cell(m: readonly (readonly number[])[], i: number, j: number, what = 'matrix'): number {
  const value = m[i]?.[j];
  if (value === undefined) throw new RangeError(`${what}: entry (${i}, ${j}) is outside the matrix (${m.length} rows)`);
  return value;
}

/** f(a_i, b_i) for two vectors of one length; a RangeError naming `what` when the lengths differ. */
export function zipWith(a: readonly number[], b: readonly number[], f: (x: number, y: number, i: number) => number, what: string): number[] {
  if (a.length !== b.length) throw new RangeError(`${what}: vectors of ${a.length} and ${b.length} entries`);
  return a.map((x, i) => f(x, at(b, i, what), i));
}

export function matVec(a: readonly (readonly number[])[], x: readonly number[]): number[] {
  return a.map((row) => dot(row, x));
}

export function transpose(a: readonly (readonly number[])[]): number[][] {
  const cols = a.length === 0 ? 0 : columnCount(a, 'transpose');
  return Array.from({ length: cols }, (_, j) => a.map((row) => at(row, j, 'transpose')));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`dot: vectors of ${a.length} and ${b.length} entries`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += at(a, i) * at(b, i);
  return s;
}

export function norm2(a: readonly number[]): number {
  return Math.sqrt(dot(a, a));
}

/** Singular values (descending) of a matrix. */
export function singularValues(a: readonly (readonly number[])[]): number[] {
  const svd = new SingularValueDecomposition(new Matrix(a as number[][]), {
    autoTranspose: true,
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  });
  return [...svd.diagonal].sort((x, y) => y - x);
}

/**
 * Moore–Penrose pseudo-inverse that treats singular values below `cutoff` (absolute) as zero, i.e. a
 * truncated-SVD inverse. Returns the inverse and the number of singular values kept.
 */
export function truncatedPseudoInverse(a: readonly (readonly number[])[], cutoff: number): { inverse: number[][]; rank: number } {
  const cols = columnCount(a, 'truncatedPseudoInverse');
  const svd = new SingularValueDecomposition(new Matrix(a as number[][]), { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const s = svd.diagonal;
  const inv = Array.from({ length: cols }, () => new Array<number>(a.length).fill(0));
  let rank = 0;
  for (const [k, sk] of s.entries()) {
    if (!(sk > cutoff)) continue;
    rank++;
    for (const [i, row] of inv.entries()) {
      const vik = v.get(i, k) / sk;
      if (vik === 0) continue;
      for (const [j, x] of row.entries()) row[j] = x + vik * u.get(j, k);
    }
  }
  return { inverse: inv, rank };
}

/** Solves the square system A x = b (LU with partial pivoting); throws if A is singular. */
export function solveSquare(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const x = solve(new Matrix(a as number[][]), Matrix.columnVector(b as number[])).getColumn(0);
  for (const v of x) if (!Number.isFinite(v)) throw new RangeError('solveSquare: singular system');
  return x;
}

/**
 * Cholesky solve of (H + λI) x = r for a symmetric matrix; null when H + λI is not positive definite,
 * which the Newton solvers use to decide to raise the damping.
 */
export function choleskySolve(h: readonly (readonly number[])[], r: readonly number[], lambda = 0): number[] | null {
  const n = r.length;
  if (h.length !== n || h.some((row) => row.length !== n)) throw new RangeError(`choleskySolve: the matrix is not ${n}×${n} like the right-hand side`);
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [i, li] of l.entries()) {
    for (let j = 0; j <= i; j++) {
      const lj = at(l, j, 'choleskySolve');
      let s = cell(h, i, j, 'choleskySolve') + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= at(li, k) * at(lj, k);
      if (i === j) {
        if (!(s > 0)) return null;
        li[i] = Math.sqrt(s);
      } else {
        li[j] = s / at(lj, j);
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (const [i, li] of l.entries()) {
    let s = at(r, i);
    for (let k = 0; k < i; k++) s -= at(li, k) * at(y, k);
    y[i] = s / at(li, i);
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = at(y, i);
    for (let k = i + 1; k < n; k++) s -= cell(l, k, i) * at(x, k);
    x[i] = s / cell(l, i, i);
  }
  return x;
}
