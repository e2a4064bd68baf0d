import {
  gaussianKernel,
  nadarayaWatsonMatrix,
  nadarayaWatsonWeights,
  silvermanBandwidth,
} from '../../../src/core/regression/kernels.js';

describe('Gaussian kernel helpers', () => {
  it('kernel is exp(−½(d/h)²)', () => {
    expect(gaussianKernel(0, 0.3)).toBe(1);
    expect(gaussianKernel(0.6, 0.3)).toBeCloseTo(Math.exp(-2), 15);
    expect(gaussianKernel(-0.6, 0.3)).toBeCloseTo(Math.exp(-2), 15);
  });

  it('Silverman: 1.06·sd·n^(−1/5) with the n − 1 sd', () => {
    // [1..5]: sd = √2.5, 5^(−0.2) = 0.7247796636776955.
    expect(silvermanBandwidth([1, 2, 3, 4, 5])).toBeCloseTo(1.06 * Math.sqrt(2.5) * 0.7247796636776955, 14);
    expect(() => silvermanBandwidth([2, 2, 2])).toThrow(RangeError);
    expect(() => silvermanBandwidth([2])).toThrow(RangeError);
  });

  it('NW matrix rows are the NW weights at each point and sum to 1', () => {
    const points = Float64Array.from([-1.2, 0.1, 0.4, 2.5, 0.9]);
    const { matrix, rowSums } = nadarayaWatsonMatrix(points, 0.7);
    const row = new Float64Array(5);
    for (let i = 0; i < 5; i++) {
      nadarayaWatsonWeights(points, points[i]!, 0.7, row);
      let sum = 0;
      for (let j = 0; j < 5; j++) {
        sum += matrix[i * 5 + j]!;
        expect(matrix[i * 5 + j]).toBeCloseTo(row[j]!, 15);
        expect(matrix[i * 5 + j]).toBeCloseTo(gaussianKernel(points[i]! - points[j]!, 0.7) / rowSums[i]!, 15);
      }
      expect(sum).toBeCloseTo(1, 14);
    }
  });

  it('NW weights stay finite far from every point (all mass on the nearest)', () => {
    const w = nadarayaWatsonWeights(Float64Array.from([0, 1, 2]), 500, 0.1, new Float64Array(3));
    expect(Array.from(w)).toEqual([0, 0, 1]);
  });
});
