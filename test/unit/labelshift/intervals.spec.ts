import { bootstrapPercentileIntervals, selectRows, sortedQuantile } from '../../../src/core/labelshift/bootstrap.js';
import { binomialUpperTail, wilsonInterval } from '../../../src/core/labelshift/intervals.js';
import { mllsIntervals } from '../../../src/core/labelshift/mlls-intervals.js';
import { mllsEm } from '../../../src/core/labelshift/mlls.js';
import { expectClose } from '../stats/close.js';
import { A3, sampleGaussianWindow, seededRandom } from './synthetic.js';

describe('wilsonInterval (spec A.8)', () => {
  it('95 % interval for 0.8 with m = 500 is [0.76271, 0.83271]', () => {
    const [lo, hi] = wilsonInterval(400, 500);
    expect(Math.abs(lo - 0.76271)).toBeLessThan(5e-6);
    expect(Math.abs(hi - 0.83271)).toBeLessThan(5e-6);
    // scipy/statsmodels-style value with z = 1.959963984540054
    expectClose(lo, 0.7627108946948262, 1e-12);
    expectClose(hi, 0.8327145010282426, 1e-12);
  });
  it('stays inside [0, 1] at the extremes and narrows for a smaller z', () => {
    const [lo0, hi0] = wilsonInterval(0, 20);
    expect(lo0).toBe(0);
    expect(hi0).toBeGreaterThan(0.1);
    const [lo1] = wilsonInterval(400, 500, 1);
    expect(lo1).toBeGreaterThan(0.76271);
    expect(() => wilsonInterval(6, 5)).toThrow(RangeError);
  });
});

describe('binomialUpperTail (spec A.8)', () => {
  it('P(Bin(500, 0.01) >= 12) = 0.0052080', () => {
    expectClose(binomialUpperTail(12, 500, 0.01), 0.0052080442541713266, 1e-10);
  });
  it('matches scipy binom.sf on the lower-tail path too', () => {
    expectClose(binomialUpperTail(3, 500, 0.01), 0.8766142256464187, 1e-12);
    expectClose(binomialUpperTail(1, 500, 0.01), 0.9934295169575854, 1e-12);
    expectClose(binomialUpperTail(200, 1000, 0.2), 0.512613925614515, 1e-11);
  });
  it('handles the edges and the symmetry P(X >= k) + P(Y >= n−k+1) = 1 with Y ~ Bin(n, 1−p)', () => {
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(3, 10, 0)).toBe(0);
    expectClose(binomialUpperTail(4, 10, 0.3) + binomialUpperTail(7, 10, 0.7), 1, 1e-14);
  });
});

describe('bootstrap percentile intervals (docs/algorithms.md#label-shift-library)', () => {
  it('type-7 quantiles', () => {
    expect(sortedQuantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(sortedQuantile([1, 2, 3, 4], 1)).toBe(4);
  });
  it('for MLLS: deterministic per seed, covers q, and about as wide as the Fisher interval', () => {
    const PI_S = [0.5, 0.3, 0.2];
    const { posteriors } = sampleGaussianWindow(seededRandom(91), 1000, A3.q, PI_S);
    const estimate = (idx: readonly number[]) => mllsEm(selectRows(posteriors, idx), PI_S, { tolerance: 1e-9, maxIterations: 1000 }).targetPrior;
    const a = bootstrapPercentileIntervals(1000, estimate, { seed: 5 });
    const b = bootstrapPercentileIntervals(1000, estimate, { seed: 5 });
    expect(a).toEqual(b);
    expect(a.replicates).toBe(200);
    const fisher = mllsIntervals(posteriors, PI_S, estimate(posteriors.map((_, i) => i)));
    A3.q.forEach((q, k) => {
      expect(a.lower[k]!).toBeLessThanOrEqual(q);
      expect(a.upper[k]!).toBeGreaterThanOrEqual(q);
      const ratio = (a.upper[k]! - a.lower[k]!) / (fisher.upper[k]! - fisher.lower[k]!);
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.4);
    });
  });
});
