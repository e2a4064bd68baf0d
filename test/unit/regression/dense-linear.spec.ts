import { Matrix, solve } from 'ml-matrix';
import { luFactor, luSolve, multiplySquare, multiplyVector } from '../../../src/core/regression/dense-linear.js';
import { seededRandom } from '../../../src/core/random.js';

const randomMatrix = (n: number, seed: number) => {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n * n }, () => r() - 0.5);
};
const toMatrix = (a: Float64Array, n: number) => new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n))));

describe('dense linear algebra', () => {
  it('square product and matrix-vector product match ml-matrix (n not a multiple of 4)', () => {
    for (const n of [1, 6, 7]) {
      const a = randomMatrix(n, n);
      const b = randomMatrix(n, n + 100);
      const expected = toMatrix(a, n).mmul(toMatrix(b, n)).to1DArray();
      Array.from(multiplySquare(a, b, n)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 13));
      const x = Array.from({ length: n }, (_, i) => i - 2);
      const y = toMatrix(a, n).mmul(Matrix.columnVector(x)).to1DArray();
      Array.from(multiplyVector(a, x, n)).forEach((v, i) => expect(v).toBeCloseTo(y[i]!, 13));
    }
  });

  it('LU solves like ml-matrix, including when pivoting is required', () => {
    const n = 9;
    const a = randomMatrix(n, 42);
    a[0] = 0; // zero leading pivot forces a row swap
    const rhs = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const expected = solve(toMatrix(a, n), Matrix.columnVector(rhs)).to1DArray();
    const x = luSolve(luFactor(a, n), rhs);
    Array.from(x).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 11));
    const back = multiplyVector(a, x, n);
    back.forEach((v, i) => expect(v).toBeCloseTo(rhs[i]!, 12));
  });

  it('refuses a matrix or vector whose size is not the n it is given, naming the function', () => {
    const a = randomMatrix(3, 1);
    expect(() => multiplySquare(a, randomMatrix(2, 2), 3)).toThrow(new RangeError('multiplySquare(B): 4 entries is not a 3×3 matrix'));
    expect(() => multiplyVector(a, [1, 2], 3)).toThrow('multiplyVector: vector of 2 entries for a 3×3 matrix');
    expect(() => luFactor(a, 2)).toThrow(/luFactor: 9 entries is not a 2×2 matrix/);
    expect(() => luSolve(luFactor(a, 3), [1, 2])).toThrow(/luSolve: 2 right-hand sides/);
  });

  it('does not modify its input and refuses a singular matrix', () => {
    const a = Float64Array.from([1, 2, 2, 4]);
    expect(() => luFactor(a, 2)).toThrow(RangeError);
    expect(Array.from(a)).toEqual([1, 2, 2, 4]);
  });
});
