/**
 * Small dense linear algebra on row-major Float64Array matrices: a square product and an LU
 * factorisation with partial pivoting that can be reused for many right-hand sides. Written here
 * rather than taken from ml-matrix because the ReTaSA system is up to a few thousand rows and these
 * flat loops are several times faster than ml-matrix's element accessors.
 */
import { at, outOfRange } from '../indexing.js';

/** Throws unless `m` holds an n×n row-major matrix: the one shape check each entry point makes. */
export function checkSquare(m: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || m.length !== n * n) throw new RangeError(`${what}: ${m.length} entries is not a ${n}×${n} matrix`);
}

/** C = A·B for n×n row-major matrices (four rows of C at a time, to reuse each row of B). */
export function multiplySquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'multiplySquare(A)');
  checkSquare(b, n, 'multiplySquare(B)');
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i += 4) {
    const rows = Math.min(4, n - i);
    const c0 = c.subarray(i * n, (i + 1) * n);
    const c1 = rows > 1 ? c.subarray((i + 1) * n, (i + 2) * n) : c0;
    const c2 = rows > 2 ? c.subarray((i + 2) * n, (i + 3) * n) : c0;
    const c3 = rows > 3 ? c.subarray((i + 3) * n, (i + 4) * n) : c0;
    for (let k = 0; k < n; k++) {
      const a0 = a[i * n + k] ?? outOfRange('multiplySquare', i * n + k, a);
      const a1 = rows > 1 ? (a[(i + 1) * n + k] ?? outOfRange('multiplySquare', (i + 1) * n + k, a)) : 0;
      const a2 = rows > 2 ? (a[(i + 2) * n + k] ?? outOfRange('multiplySquare', (i + 2) * n + k, a)) : 0;
      const a3 = rows > 3 ? (a[(i + 3) * n + k] ?? outOfRange('multiplySquare', (i + 3) * n + k, a)) : 0;
      const bk = b.subarray(k * n, (k + 1) * n);
      for (let j = 0; j < n; j++) {
        const v = bk[j] ?? outOfRange('multiplySquare', j, bk);
        c0[j] = (c0[j] ?? outOfRange('multiplySquare', j, c0)) + a0 * v;
        c1[j] = (c1[j] ?? outOfRange('multiplySquare', j, c1)) + a1 * v;
        c2[j] = (c2[j] ?? outOfRange('multiplySquare', j, c2)) + a2 * v;
        c3[j] = (c3[j] ?? outOfRange('multiplySquare', j, c3)) + a3 * v;
      }
    }
  }
  return c;
}

/** y = A·x for an n×n row-major matrix. */
export function multiplyVector(a: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  checkSquare(a, n, 'multiplyVector');
  if (x.length !== n) throw new RangeError(`multiplyVector: vector of ${x.length} entries for a ${n}×${n} matrix`);
  const xs = x instanceof Float64Array ? x : Float64Array.from(x);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) sum += (a[row + j] ?? outOfRange('multiplyVector', row + j, a)) * (xs[j] ?? outOfRange('multiplyVector', j, xs));
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
  checkSquare(a, n, 'luFactor');
  const m = Float64Array.from(a);
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (const v of m) scale = Math.max(scale, Math.abs(v));
  const entry = (i: number, j: number) => m[i * n + j] ?? outOfRange('luFactor', i * n + j, m);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(entry(i, k)) > Math.abs(entry(p, k))) p = i;
    if (!(Math.abs(entry(p, k)) > scale * 1e-14)) throw new RangeError(`luFactor: matrix is singular (column ${k})`);
    if (p !== k) {
      const rowK = m.slice(k * n, (k + 1) * n);
      m.copyWithin(k * n, p * n, (p + 1) * n);
      m.set(rowK, p * n);
      const displaced = at(permutation, k);
      permutation[k] = at(permutation, p);
      permutation[p] = displaced;
    }
    const pivot = entry(k, k);
    const rowK = m.subarray(k * n, (k + 1) * n);
    for (let i = k + 1; i < n; i++) {
      const l = entry(i, k) / pivot;
      m[i * n + k] = l;
      if (l === 0) continue;
      const rowI = m.subarray(i * n, (i + 1) * n);
      for (let j = k + 1; j < n; j++) rowI[j] = (rowI[j] ?? outOfRange('luFactor', j, rowI)) - l * (rowK[j] ?? outOfRange('luFactor', j, rowK));
    }
  }
  return { n, packed: m, permutation };
}

/** Solves A·x = rhs with the factors from `luFactor`. */
export function luSolve(f: LuFactors, rhs: ArrayLike<number>): Float64Array {
  const { n, packed, permutation } = f;
  checkSquare(packed, n, 'luSolve');
  if (rhs.length !== n || permutation.length !== n) throw new RangeError(`luSolve: ${rhs.length} right-hand sides and ${permutation.length} pivots for ${n} unknowns`);
  const entry = (i: number, j: number) => packed[i * n + j] ?? outOfRange('luSolve', i * n + j, packed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = at(rhs, at(permutation, i, 'luSolve pivots'), 'luSolve right-hand side');
    for (let j = 0; j < i; j++) sum -= entry(i, j) * (x[j] ?? outOfRange('luSolve', j, x));
    x[i] = sum;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i] ?? outOfRange('luSolve', i, x);
    for (let j = i + 1; j < n; j++) sum -= entry(i, j) * (x[j] ?? outOfRange('luSolve', j, x));
    x[i] = sum / entry(i, i);
  }
  return x;
}
