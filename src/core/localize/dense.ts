/**
 * The few dense symmetric-matrix operations the localisation statistics need (d ≲ 100, row-major
 * Float64Array): Cholesky factorisation, inverse of a positive-definite matrix, products. Element
 * reads are checked as `m[k] ?? outOfRange(…)` (indexing.ts explains why not `at` in these loops).
 */
import { outOfRange } from '../indexing.js';

const element = (m: ArrayLike<number>, k: number, what: string): number => m[k] ?? outOfRange(what, k, m);

function checkSquare(m: ArrayLike<number>, d: number, what: string): void {
  if (m.length !== d * d) throw new RangeError(`${what}: ${m.length} values, expected ${d}×${d}`);
}

/** Lower Cholesky factor L (row-major, upper part zero) with A = L·Lᵀ; throws when A is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  checkSquare(a, d, 'cholesky');
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = element(a, i * d + j, 'matrix');
      for (let k = 0; k < j; k++) sum -= element(l, i * d + k, 'factor') * element(l, j * d + k, 'factor');
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} = ${sum})`);
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / element(l, j * d + j, 'factor');
      }
    }
  }
  return l;
}

/** A⁻¹ for a symmetric positive-definite A, through its Cholesky factor (the result is exactly symmetric). */
export function inverseSpd(a: Float64Array, d: number): Float64Array {
  const l = cholesky(a, d);
  // L⁻¹ by forward substitution, column by column.
  const li = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    li[c * d + c] = 1 / element(l, c * d + c, 'factor');
    for (let i = c + 1; i < d; i++) {
      let sum = 0;
      for (let k = c; k < i; k++) sum -= element(l, i * d + k, 'factor') * element(li, k * d + c, 'inverse factor');
      li[i * d + c] = sum / element(l, i * d + i, 'factor');
    }
  }
  // A⁻¹ = L⁻ᵀ·L⁻¹; fill the upper triangle and mirror it.
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = j; k < d; k++) sum += element(li, k * d + i, 'inverse factor') * element(li, k * d + j, 'inverse factor');
      inv[i * d + j] = sum;
      inv[j * d + i] = sum;
    }
  }
  return inv;
}

/** y = A·x for a d×d row-major A. */
export function matVec(a: ArrayLike<number>, x: ArrayLike<number>, d: number, out: Float64Array = new Float64Array(d)): Float64Array {
  checkSquare(a, d, 'matVec');
  for (let i = 0; i < d; i++) {
    let sum = 0;
    const row = i * d;
    for (let k = 0; k < d; k++) sum += element(a, row + k, 'matrix') * element(x, k, 'vector');
    out[i] = sum;
  }
  return out;
}

/** C = A·B for d×d row-major matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  checkSquare(a, d, 'matMul');
  checkSquare(b, d, 'matMul');
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = element(a, i * d + k, 'left matrix');
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) c[i * d + j] = element(c, i * d + j, 'product') + aik * element(b, k * d + j, 'right matrix');
    }
  }
  return c;
}

/** The d×d identity. */
export function identity(d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = 1;
  return out;
}
