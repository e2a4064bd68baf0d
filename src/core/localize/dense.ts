/**
 * The few dense symmetric-matrix operations the localisation statistics need (d ≲ 100, row-major
 * Float64Array): Cholesky factorisation, inverse of a positive-definite matrix, products.
 */

/** Lower Cholesky factor L (row-major, upper part zero) with A = L·Lᵀ; throws when A is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} = ${sum})`);
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / l[j * d + j]!;
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
    li[c * d + c] = 1 / l[c * d + c]!;
    for (let i = c + 1; i < d; i++) {
      let sum = 0;
      for (let k = c; k < i; k++) sum -= l[i * d + k]! * li[k * d + c]!;
      li[i * d + c] = sum / l[i * d + i]!;
    }
  }
  // A⁻¹ = L⁻ᵀ·L⁻¹; fill the upper triangle and mirror it.
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = j; k < d; k++) sum += li[k * d + i]! * li[k * d + j]!;
      inv[i * d + j] = sum;
      inv[j * d + i] = sum;
    }
  }
  return inv;
}

/** y = A·x for a d×d row-major A. */
export function matVec(a: ArrayLike<number>, x: ArrayLike<number>, d: number, out: Float64Array = new Float64Array(d)): Float64Array {
  for (let i = 0; i < d; i++) {
    let sum = 0;
    const row = i * d;
    for (let k = 0; k < d; k++) sum += a[row + k]! * x[k]!;
    out[i] = sum;
  }
  return out;
}

/** C = A·B for d×d row-major matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) c[i * d + j] += aik * b[k * d + j]!;
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
