import { summariseWeights, weightedQuantiles } from '../../../src/core/regression/weight-summary.js';

describe('weighted quantiles', () => {
  it('invert the weighted ECDF without interpolation', () => {
    // Sorted values 1, 2, 3, 4 with weights 1, 1, 2, 0 (total 4): ECDF 0.25, 0.5, 1, 1.
    const q = weightedQuantiles([3, 1, 4, 2], [2, 1, 0, 1], [0.1, 0.25, 0.26, 0.5, 0.75, 1]);
    expect(q).toEqual([1, 1, 2, 2, 3, 3]);
    expect(weightedQuantiles([5, 1, 3], [1, 1, 1], [0.5])).toEqual([3]);
    expect(() => weightedQuantiles([1], [1], [0])).toThrow(RangeError);
    expect(() => weightedQuantiles([1, 2], [0, 0], [0.5])).toThrow(RangeError);
  });
});

describe('summariseWeights', () => {
  const y = [0, 1, 2, 3];
  const w = [0.5, 0.5, 1.5, 1.5]; // mean 1

  it('reports n_eff, means, the χ² statistic, quantiles and a weighted risk', () => {
    const s = summariseWeights(y, w, { probabilities: [0.25, 0.5, 0.75], losses: [1, 1, 3, 3] });
    expect(s.effectiveSampleSize).toBeCloseTo(16 / 5, 14); // (Σw)² / Σw² = 16 / 5
    expect(s.effectiveFraction).toBeCloseTo(0.8, 14);
    expect(s.reliable).toBe(true);
    expect(s.sourceMean).toBeCloseTo(1.5, 14);
    expect(s.targetMean).toBeCloseTo((0.5 + 3 + 4.5) / 4, 14);
    expect(s.chiSquareDivergence).toBeCloseTo(0.25, 14);
    expect(s.quantiles).toEqual([
      { probability: 0.25, source: 0, target: 1 },
      { probability: 0.5, source: 1, target: 2 },
      { probability: 0.75, source: 2, target: 3 },
    ]);
    expect(s.weightedRisk).toBeCloseTo((0.5 + 0.5 + 4.5 + 4.5) / 4, 14);
  });

  it('is unchanged by the scale of the weights, and flags a collapsed n_eff', () => {
    const a = summariseWeights(y, w);
    const b = summariseWeights(y, w.map((v) => v * 7));
    expect(b.effectiveSampleSize).toBeCloseTo(a.effectiveSampleSize, 12);
    expect(b.chiSquareDivergence).toBeCloseTo(a.chiSquareDivergence, 12);
    expect(b.quantiles).toEqual(a.quantiles);
    expect(a.quantiles).toHaveLength(19);
    expect(a.weightedRisk).toBeUndefined();
    const spiky = summariseWeights(Array.from({ length: 20 }, (_, i) => i), [20, ...new Array<number>(19).fill(0)]);
    expect(spiky.effectiveSampleSize).toBeCloseTo(1, 12);
    expect(spiky.reliable).toBe(false);
  });

  it('rejects negative or mismatched weights', () => {
    expect(() => summariseWeights(y, [1, -1, 1, 1])).toThrow(RangeError);
    expect(() => summariseWeights(y, [1, 1])).toThrow(RangeError);
    expect(() => summariseWeights(y, w, { losses: [1] })).toThrow(RangeError);
  });
});
