import { benjaminiHochberg, benjaminiYekutieli, bonferroni } from '../../../src/core/stats/multiple-testing.js';
import { expectClose } from './close.js';

const P = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
// The same p-values shuffled, to check that results come back in input order.
const SHUFFLE = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];

const count = (xs: boolean[]): number => xs.filter(Boolean).length;

describe('multiple-testing corrections on the spec vector (alpha = 0.05)', () => {
  it('Bonferroni rejects 1', () => {
    const r = bonferroni(P, 0.05);
    expect(r.rejected).toEqual([true, false, false, false, false, false, false, false, false, false]);
    expectClose(r.adjusted[0]!, 0.01, 1e-14);
    expectClose(r.adjusted[1]!, 0.08, 1e-14);
    expect(r.adjusted[9]).toBe(1); // 2.16 capped
  });

  it('Benjamini–Hochberg rejects 2, with the BH q-values', () => {
    // scipy 1.17.1: scipy.stats.false_discovery_control(P, method='bh')
    const expected = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.1057142857142857, 0.216, 0.216, 0.216];
    const r = benjaminiHochberg(P, 0.05);
    expect(count(r.rejected)).toBe(2);
    expect(r.rejected.slice(0, 2)).toEqual([true, true]);
    r.adjusted.forEach((q, i) => expectClose(q, expected[i]!, 1e-13, `q[${i}]`));
  });

  it('Benjamini–Yekutieli rejects 1 (c(10) = 2.9289683)', () => {
    // scipy 1.17.1: scipy.stats.false_discovery_control(P, method='by')
    const expected = [
      0.02928968253968254, 0.11715873015873016, 0.24603333333333333, 0.24603333333333333, 0.24603333333333333,
      0.2928968253968254, 0.3096337868480725, 0.6326571428571428, 0.6326571428571428, 0.6326571428571428,
    ];
    const r = benjaminiYekutieli(P, 0.05);
    expect(count(r.rejected)).toBe(1);
    expect(r.rejected[0]).toBe(true);
    r.adjusted.forEach((q, i) => expectClose(q, expected[i]!, 1e-13, `q[${i}]`));
  });

  it('returns results in the input order', () => {
    const shuffled = SHUFFLE.map((i) => P[i]!);
    for (const correct of [bonferroni, benjaminiHochberg, benjaminiYekutieli]) {
      const sorted = correct(P, 0.05);
      const r = correct(shuffled, 0.05);
      SHUFFLE.forEach((src, k) => {
        expect(r.rejected[k]).toBe(sorted.rejected[src]);
        expectClose(r.adjusted[k]!, sorted.adjusted[src]!, 1e-15);
      });
    }
  });

  it('caps at 1, keeps q-values monotone, handles empty input and rejects bad input', () => {
    const r = benjaminiHochberg([0.9, 0.95, 0.99, 1], 0.05);
    expect(r.adjusted).toEqual([1, 1, 1, 1]);
    const q = benjaminiHochberg([0.02, 0.021, 0.5], 0.05).adjusted; // false_discovery_control([0.02, 0.021, 0.5], method='bh') = [0.0315, 0.0315, 0.5]
    expectClose(q[0]!, 0.0315, 1e-14);
    expectClose(q[1]!, 0.0315, 1e-14);
    expect(benjaminiHochberg([], 0.05)).toEqual({ rejected: [], adjusted: [] });
    expect(() => bonferroni([0.1, 1.2], 0.05)).toThrow(RangeError);
    expect(() => benjaminiHochberg([0.1, NaN], 0.05)).toThrow(RangeError);
    expect(() => benjaminiYekutieli([0.1], 0)).toThrow(RangeError);
  });
});
