/**
 * Small dense linear algebra on row-major Float64Array matrices: a square product and an LU
 * factorisation with partial pivoting that can be reused for many right-hand sides. Written here
 * rather than taken from ml-matrix because the ReTaSA system is up to a few thousand rows and these
 * flat loops are several times faster than ml-matrix's element accessors.
 */

/** C = A·B for n×n row-major matrices (four rows of C at a time, to reuse each row of B). */
export function multiplySquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i += 4) {
    const rows = Math.min(4, n - i);
    const c0 = c.subarray(i * n, (i + 1) * n);
    const c1 = rows > 1 ? c.subarray((i + 1) * n, (i + 2) * n) : c0;
    const c2 = rows > 2 ? c.subarray((i + 2) * n, (i + 3) * n) : c0;
    const c3 = rows > 3 ? c.subarray((i + 3) * n, (i + 4) * n) : c0;
    for (let k = 0; k < n; k++) {
      const a0 = a[i * n + k]!;
      const a1 = rows > 1 ? a[(i + 1) * n + k]! : 0;
      const a2 = rows > 2 ? a[(i + 2) * n + k]! : 0;
      const a3 = rows > 3 ? a[(i + 3) * n + k]! : 0;
      const bk = b.subarray(k * n, (k + 1) * n);
      for (let j = 0; j < n; j++) {
        const v = bk[j]!;
        c0[j]! += a0 * v;
        c1[j]! += a1 * v;
        c2[j]! += a2 * v;
        c3[j]! += a3 * v;
      }
    }
  }
  return c;
}

/** y = A·x for an n×n row-major matrix. */
export function multiplyVector(a: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) sum += a[row + j]! * x[j]!;
    y[i] = sum;
  }
  return y;
}

/** P·A = L·U packed in one matrix (unit-diagonal L below, U on and above the diagonal). */
export interface LuFactors {
  n: number;
  packed: Float64Array;
  /** Row of A that ended up in position i. */
  permutation: Int32Array;
}

/** Factorises a copy of the n×n matrix A; throws when a pivot is (numerically) zero. */
export function luFactor(a: Float64Array, n: number): LuFactors {
  const m = Float64Array.from(a);
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]!));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]!) > Math.abs(m[p * n + k]!)) p = i;
    if (!(Math.abs(m[p * n + k]!) > scale * 1e-14)) throw new RangeError(`luFactor: matrix is singular (column ${k})`);
    if (p !== k) {
      const rowK = m.slice(k * n, (k + 1) * n);
      m.copyWithin(k * n, p * n, (p + 1) * n);
      m.set(rowK, p * n);
      [permutation[k], permutation[p]] = [permutation[p]!, permutation[k]!];
    }
    const pivot = m[k * n + k]!;
    const rowK = m.subarray(k * n, (k + 1) * n);
    for (let i = k + 1; i < n; i++) {
      const l = (m[i * n + k]! /= pivot);
      if (l === 0) continue;
      const rowI = m.subarray(i * n, (i + 1) * n);
      for (let j = k + 1; j < n; j++) rowI[j]! -= l * rowK[j]!;
    }
  }
  return { n, packed: m, permutation };
}

/** Solves A·x = rhs with the factors from `luFactor`. */
export function luSolve(f: LuFactors, rhs: ArrayLike<number>): Float64Array {
  const { n, packed, permutation } = f;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[permutation[i]!]!;
    for (let j = 0; j < i; j++) sum -= packed[i * n + j]! * x[j]!;
    x[i] = sum;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]!;
    for (let j = i + 1; j < n; j++) sum -= packed[i * n + j]! * x[j]!;
    x[i] = sum / packed[i * n + i]!;
  }
  return x;
}
