import { chiSquareHomogeneity, chiSquareSurvival } from '../../../src/core/stats/chi-square.js';
import { expectClose } from './close.js';

// Reference values: scipy 1.17.1.

describe('chiSquareSurvival', () => {
  // scipy.stats.chi2.sf(x, df)
  const cases: Array<[number, number, number]> = [
    [3.841458820694124, 1, 0.04999999999999989],
    [10, 4, 0.04042768199451279],
    [20, 30, 0.9165415270653372],
    [600, 10, 1.7609176946831897e-122],
    [1200, 4, 1.5928883283555285e-258],
  ];
  it.each(cases)('chi2.sf(%p, %p) = %p', (x, df, expected) => expectClose(chiSquareSurvival(x, df), expected, 1e-12));
  it('is 1 at 0 and rejects df <= 0', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
  });
});

describe('chiSquareHomogeneity', () => {
  // scipy.stats.chi2_contingency([a, b], correction=False) -> statistic, dof, pvalue
  it('matches scipy on an ordinary 2×4 table', () => {
    const r = chiSquareHomogeneity([120, 90, 40, 10], [25, 30, 15, 10]);
    expectClose(r.statistic, 11.547353508560406, 1e-13);
    expect(r.df).toBe(3);
    expectClose(r.pValue, 0.00910608523560051, 1e-12);
  });
  it('treats a category only the window has as a shift, not an error', () => {
    // last category unseen in the reference: chi2_contingency([[30,50,20,0],[10,20,15,5]], correction=False)
    const r = chiSquareHomogeneity([30, 50, 20, 0], [10, 20, 15, 5]);
    expectClose(r.statistic, 13.392857142857142, 1e-13);
    expect(r.df).toBe(3);
    expectClose(r.pValue, 0.003859655438165728, 1e-12);
  });
  it('drops columns that are empty in both rows', () => {
    // same table as above with two all-zero categories inserted
    const r = chiSquareHomogeneity([30, 0, 50, 20, 0, 0], [10, 0, 20, 15, 5, 0]);
    expectClose(r.statistic, 13.392857142857142, 1e-13);
    expect(r.df).toBe(3);
    expectClose(r.pValue, 0.003859655438165728, 1e-12);
  });
  it('keeps tiny p-values', () => {
    // chi2_contingency([[5000,3000,2000],[100,300,600]], correction=False)
    const r = chiSquareHomogeneity([5000, 3000, 2000], [100, 300, 600]);
    expectClose(r.statistic, 929.1101055806937, 1e-13);
    expect(r.df).toBe(2);
    expectClose(r.pValue, 1.76320996999663e-202, 1e-11);
    // chi2_contingency([[1000,0],[0,1]], correction=False): a window entirely in an unseen category
    const s = chiSquareHomogeneity([1000, 0], [0, 1]);
    expectClose(s.statistic, 1001.0000000000001, 1e-13);
    expectClose(s.pValue, 1.0886845201980415e-219, 1e-11);
  });
  it('returns the neutral result when there is nothing to test', () => {
    const neutral = { statistic: 0, df: 0, pValue: 1 };
    expect(chiSquareHomogeneity([5, 0, 0], [7, 0, 0])).toEqual(neutral); // one column left
    expect(chiSquareHomogeneity([0, 0], [3, 4])).toEqual(neutral); // empty reference row
    expect(chiSquareHomogeneity([3, 4], [0, 0])).toEqual(neutral); // empty window row
    expect(chiSquareHomogeneity([], [])).toEqual(neutral);
  });
  it('is 0 for proportional rows and rejects bad input', () => {
    const r = chiSquareHomogeneity([10, 20, 30], [1, 2, 3]);
    expect(r.statistic).toBeCloseTo(0, 12);
    expectClose(r.pValue, 1, 1e-12);
    expect(() => chiSquareHomogeneity([1, 2], [1])).toThrow(RangeError);
    expect(() => chiSquareHomogeneity([1, -2], [1, 2])).toThrow(RangeError);
  });
});
