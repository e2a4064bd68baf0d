import {
  KS_EXACT_MAX_PRODUCT,
  kolmogorovSurvival,
  ksPValue,
  ksStatisticFromCounts,
  ksTwoSample,
} from '../../../src/core/stats/ks.js';
import { expectClose } from './close.js';

// Reference values: scipy 1.17.1.

/** Deterministic, irregular samples in [0, 1) (Weyl sequences), reproduced in Python as written. */
const weylA = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i + 1) * 0.6180339887498949) % 1);
const weylB = (n: number, power: number): number[] =>
  Array.from({ length: n }, (_, j) => (((j + 1) * 0.7548776662466927) % 1) ** power);

describe('kolmogorovSurvival', () => {
  // scipy.special.kolmogorov(x); 1.17 and 1.19 straddle the switch between the two series.
  const cases: Array<[number, number]> = [
    [0.3, 0.9999906941986655],
    [0.5, 0.9639452436648751],
    [0.8, 0.5441424115741981],
    [1.0, 0.26999967167735456],
    [1.17, 0.12939004218561884],
    [1.19, 0.11774229287977166],
    [1.5, 0.022217962616525127],
    [2.0, 0.0006709252557796953],
    [3.0, 3.045995948942526e-8],
    [5.0, 3.8574996959278356e-22],
  ];
  it.each(cases)('Q_KS(%p) = %p', (x, expected) => expectClose(kolmogorovSurvival(x), expected, 1e-12));
  it('is 1 at and below 0 and for tiny x', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(-1)).toBe(1);
    expectClose(kolmogorovSurvival(0.1), 1, 1e-15); // scipy.special.kolmogorov(0.1) == 1.0
    // scipy.special.kolmogorov(0.02) == 1.0; the alternating series alone would be far off here
    expectClose(kolmogorovSurvival(0.02), 1, 1e-15);
    // 1 − Q_KS(0.3) against scipy.stats.kstwobign.cdf(0.3) = 9.305801334566636e-06 (1 − Q loses ~5 digits)
    expectClose(1 - kolmogorovSurvival(0.3), 9.305801334566636e-6, 1e-9);
  });
});

describe('ksStatisticFromCounts', () => {
  it('equals the raw-sample statistic when every bin holds one value', () => {
    // a = [1,1,2,3,3,3,4,5,5], b = [2,2,3,4,4,5,5,5], bins = the values 1..5
    // scipy.stats.ks_2samp(a, b).statistic = 0.2916666666666667
    expectClose(ksStatisticFromCounts([2, 1, 3, 1, 2], [0, 2, 1, 2, 3]), 0.2916666666666667, 1e-15);
  });
  it('is 0 for proportional histograms and 1 for disjoint ones', () => {
    expect(ksStatisticFromCounts([1, 2, 3, 0], [10, 20, 30, 0])).toBeCloseTo(0, 15);
    expect(ksStatisticFromCounts([5, 5, 0, 0], [0, 0, 3, 1])).toBe(1);
  });
  it('rejects mismatched lengths and empty sides', () => {
    expect(() => ksStatisticFromCounts([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => ksStatisticFromCounts([0, 0], [1, 2])).toThrow(RangeError);
  });
});

describe('ksTwoSample, exact regime (n·m ≤ 10000)', () => {
  it('handles ties (unequal sizes)', () => {
    // scipy.stats.ks_2samp([1,2,2,3,5,5,5,8], [2,3,3,4,6,7,9,9,10,11], method='exact')
    const r = ksTwoSample([1, 2, 2, 3, 5, 5, 5, 8], [2, 3, 3, 4, 6, 7, 9, 9, 10, 11]);
    expectClose(r.statistic, 0.475, 1e-14);
    expectClose(r.pValue, 0.20366561543032125, 1e-10);
  });
  it('steps over a tied block in both samples before comparing', () => {
    // scipy.stats.ks_2samp([2,2,2,5], [1,2,2,2,2,6], method='exact') -> 0.16666666666666666, 1.0
    // (comparing half-way through the block of 2s would give 3/4 − 2/6 = 0.4167)
    for (const r of [ksTwoSample([2, 2, 2, 5], [1, 2, 2, 2, 2, 6]), ksTwoSample([1, 2, 2, 2, 2, 6], [2, 2, 2, 5])]) {
      expectClose(r.statistic, 0.16666666666666666, 1e-15);
      expect(r.pValue).toBe(1);
    }
  });
  it('handles ties (equal sizes)', () => {
    // scipy.stats.ks_2samp([0,1,1,2,3,5,8,13,21,34], [1,2,3,3,4,4,5,6,7,8], method='exact')
    const r = ksTwoSample([0, 1, 1, 2, 3, 5, 8, 13, 21, 34], [1, 2, 3, 3, 4, 4, 5, 6, 7, 8]);
    expectClose(r.statistic, 0.3, 1e-14);
    expectClose(r.pValue, 0.7869297884777761, 1e-10);
  });
  it('keeps relative accuracy for tiny p (disjoint samples)', () => {
    // scipy.stats.ks_2samp(range(30), range(100, 140), method='exact').pvalue == 2 / comb(70, 30)
    const a = Array.from({ length: 30 }, (_, i) => i);
    const b = Array.from({ length: 40 }, (_, i) => 100 + i);
    const r = ksTwoSample(b, a);
    expect(r.statistic).toBe(1);
    expectClose(r.pValue, 3.6135170070159586e-20, 1e-10);
  });
  it('uses the exact distribution up to n·m = 10000', () => {
    // scipy.stats.ks_2samp(A100, B100, method='exact') with A = weylA(100), B = weylB(100, 0.8)
    expect(KS_EXACT_MAX_PRODUCT).toBe(10000);
    const r = ksTwoSample(weylA(100), weylB(100, 0.8));
    expectClose(r.statistic, 0.1, 1e-12);
    expectClose(r.pValue, 0.7020569828664881, 1e-10);
  });

  // scipy.stats._stats_py._attempt_exact_2kssamp(n, m, gcd(n, m), d, 'two-sided')[2]
  const exact: Array<[number, number, number, number]> = [
    [0.5, 20, 30, 0.003356115391389148],
    [0.3, 25, 40, 0.1013339946846],
    [0.15, 100, 100, 0.21117008625127576],
    [0.2, 50, 200, 0.07485828029796848],
    [7 / 12, 12, 9, 0.04143843772326744],
    [0.9, 40, 60, 5.062870984286982e-21],
  ];
  it.each(exact)('ksPValue(%p, %p, %p) = %p', (d, n, m, expected) => {
    expectClose(ksPValue(d, n, m), expected, 1e-10);
    expectClose(ksPValue(d, m, n), expected, 1e-10); // symmetric in the sizes
  });
  it('gives 1 for d = 0 and rejects bad sizes', () => {
    expect(ksPValue(0, 10, 12)).toBe(1);
    expect(() => ksPValue(0.3, 0, 5)).toThrow(RangeError);
    expect(() => ksPValue(0.3, 2.5, 5)).toThrow(RangeError);
  });
});

describe('ksTwoSample, asymptotic regime (n·m > 10000)', () => {
  // Our p is Q_KS((√e + 0.12 + 0.11/√e)·D), e = nm/(n+m) (Stephens). scipy's method='asymp' instead uses
  // kstwo.sf(D, round(e)), a different approximation; the two differ by a few percent at these sizes,
  // so against scipy we allow 5% relative error, and check our formula itself to 1e-12.
  it.each([
    // [power, D, scipy asymp p, scipy.special.kolmogorov((en+0.12+0.11/en)*D)]
    [0.6, 0.19166666666666668, 0.01248968739352363, 0.012696237732305734],
    [0.8, 0.09166666666666665, 0.5941818743501135, 0.6092027870509233],
  ])('150 vs 120 samples (power %p)', (power, d, scipyAsymp, stephens) => {
    // scipy.stats.ks_2samp(weylA(150), weylB(120, power), method='asymp')
    const r = ksTwoSample(weylA(150), weylB(120, power));
    expectClose(r.statistic, d, 1e-12);
    expectClose(r.pValue, stephens, 1e-12);
    expectClose(r.pValue, scipyAsymp, 0.05);
  });
  it('switches to the asymptotic form just above n·m = 10000', () => {
    // 100 × 101: D = 0.09287128712871287; Stephens p = 0.7589432048391888, exact p (scipy) = 0.7326450174413977
    const r = ksTwoSample(weylA(100), weylB(101, 0.8));
    expectClose(r.statistic, 0.09287128712871287, 1e-12);
    expectClose(r.pValue, 0.7589432048391888, 1e-12);
  });
});
