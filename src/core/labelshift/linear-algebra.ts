/**
 * The few dense linear-algebra operations the label-shift estimators need, on plain number[][]
 * (small K×K matrices), with ml-matrix doing the factorisations.
 */
import { Matrix, SingularValueDecomposition, solve } from 'ml-matrix';

export function matVec(a: readonly (readonly number[])[], x: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, v, j) => s + v * x[j]!, 0));
}

export function transpose(a: readonly (readonly number[])[]): number[][] {
  const cols = a[0]?.length ?? 0;
  return Array.from({ length: cols }, (_, j) => a.map((row) => row[j]!));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
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
  const svd = new SingularValueDecomposition(new Matrix(a as number[][]), { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const s = svd.diagonal;
  const rows = a.length;
  const cols = a[0]!.length;
  const inv = Array.from({ length: cols }, () => new Array<number>(rows).fill(0));
  let rank = 0;
  for (let k = 0; k < s.length; k++) {
    if (!(s[k]! > cutoff)) continue;
    rank++;
    for (let i = 0; i < cols; i++) {
      const vik = v.get(i, k) / s[k]!;
      if (vik === 0) continue;
      for (let j = 0; j < rows; j++) inv[i]![j]! += vik * u.get(j, k);
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
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i]![j]! + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i]![i] = Math.sqrt(s);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}
