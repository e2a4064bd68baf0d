import { destandardizeRow, fitStandardization, logScaleSum, standardizeRow } from '../../../src/core/flow/standardize.js';
import { expectClose } from '../stats/close.js';

describe('fitStandardization', () => {
  const features = ['a', 'const', 'b', 'almost'];
  const columns = [
    [1, 2, 3, 4, 10],
    [5, 5, 5, 5, 5],
    [-2, 0, NaN, 2, 4],
    [7, 7, 7, 7, 7 + 1e-14],
  ];

  it('uses the mean and sample standard deviation, and drops constant features', () => {
    const { standardization, dropped } = fitStandardization(features, columns);
    expect(standardization.features).toEqual(['a', 'b']);
    expect(dropped).toEqual(['const', 'almost']);
    // numpy: mean 4, std(ddof=1) of [1,2,3,4,10] = sqrt(12.5)
    expectClose(standardization.mean[0]!, 4, 1e-15);
    expectClose(standardization.scale[0]!, Math.sqrt(12.5), 1e-15);
    // NaN ignored: [-2, 0, 2, 4] → mean 1, std sqrt(20/3)
    expectClose(standardization.mean[1]!, 1, 1e-15);
    expectClose(standardization.scale[1]!, Math.sqrt(20 / 3), 1e-15);
  });

  it('robust option: median and IQR/1.349 (linear-interpolation quantiles)', () => {
    const { standardization } = fitStandardization(['a'], [[1, 2, 3, 4, 10, 100]], { robust: true });
    // numpy.percentile([1,2,3,4,10,100], [25, 50, 75]) = 2.25, 3.5, 8.5
    expectClose(standardization.mean[0]!, 3.5, 1e-15);
    expectClose(standardization.scale[0]!, (8.5 - 2.25) / 1.349, 1e-15);
  });

  it('robust option falls back to the standard deviation when the IQR is zero', () => {
    const column = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const { standardization, dropped } = fitStandardization(['spiky'], [column], { robust: true });
    expect(dropped).toEqual([]);
    expect(standardization.mean[0]).toBe(0);
    expectClose(standardization.scale[0]!, Math.sqrt(0.1), 1e-14); // std(ddof=1) = sqrt(0.9/9)
  });

  it('drops features with fewer than two finite values and rejects mismatched inputs', () => {
    expect(fitStandardization(['x'], [[NaN, 3]]).dropped).toEqual(['x']);
    expect(() => fitStandardization(['x', 'y'], [[1, 2]])).toThrow(RangeError);
  });

  it('standardises and destandardises rows, and sums log scales', () => {
    const st = { features: ['a', 'b'], mean: [1, -2], scale: [2, 0.5] };
    expect(Array.from(standardizeRow(st, [3, -1]))).toEqual([1, 2]);
    expect(Array.from(destandardizeRow(st, [1, 2]))).toEqual([3, -1]);
    expectClose(logScaleSum({ ...st, scale: [2, 0.25] }), Math.log(0.5), 1e-15);
    expect(() => standardizeRow(st, [1])).toThrow(RangeError);
  });
});
