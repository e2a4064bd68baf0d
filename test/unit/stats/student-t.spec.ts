import { regularizedBeta, studentTSurvival } from '../../../src/core/stats/student-t.js';
import { normalSurvival } from '../../../src/core/stats/normal.js';

/** Reference values from scipy.stats (t.sf, beta.cdf), float64. */
const T_SF: [number, number, number][] = [
  [0, 5, 0.5], [1, 1, 0.25000000000000006], [2.5, 3.7, 0.03591101145591339], [5, 19, 3.974987499208819e-05],
  [20, 19, 1.5923814061226317e-14], [-1.3, 8, 0.8850981875407373], [40, 4, 1.1670081613006339e-06],
];

describe('Student t upper tail', () => {
  it.each(T_SF)('P(T > %p), ν = %p, matches scipy', (t, df, expected) => {
    expect(Math.abs(studentTSurvival(t, df) - expected) / expected).toBeLessThan(1e-9);
  });
  it('tends to the normal tail for large ν and is monotone in t', () => {
    expect(studentTSurvival(3, 1e6)).toBeCloseTo(normalSurvival(3), 6);
    expect(studentTSurvival(3, Infinity)).toBe(normalSurvival(3));
    const ts = [-5, -1, 0, 0.5, 2, 8];
    const ps = ts.map((t) => studentTSurvival(t, 3.3));
    for (let i = 1; i < ps.length; i++) expect(ps[i]!).toBeLessThan(ps[i - 1]!);
  });
  it('regularised incomplete beta matches scipy on both sides of the symmetry switch', () => {
    expect(regularizedBeta(0.3, 2.5, 1.5)).toBeCloseTo(0.08894372317066562, 13);
    expect(regularizedBeta(0.9, 0.5, 7)).toBeCloseTo(0.9999999780702157, 13);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });
  it('refuses degrees of freedom that are not positive', () => {
    expect(() => studentTSurvival(1, 0)).toThrow(RangeError);
  });
});
