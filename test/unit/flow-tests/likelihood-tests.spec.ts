import { binomialUpperTail } from '../../../src/core/stats/binomial.js';
import { likelihoodReference, testLogLikelihoods } from '../../../src/core/flow/likelihood-tests.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

describe('binomialUpperTail (values from scipy.stats.binom.sf)', () => {
  it.each([
    [12, 500, 0.01, 0.0052080442541713266],
    [1, 10, 0.3, 0.9717524751],
    [41, 1000, 0.01, 1.1006428530488423e-13],
    [4, 2000, 0.001, 0.142786233206676],
  ])('P(X ≥ %d | n=%d, q=%d)', (c, n, q, expected) => {
    expect(binomialUpperTail(c, n, q)).toBeCloseTo(expected, 10);
    expect(Math.abs(binomialUpperTail(c, n, q) / expected - 1)).toBeLessThan(1e-8);
  });
  it('is 1 at c ≤ 0 and 0 beyond n', () => {
    expect(binomialUpperTail(0, 10, 0.2)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.2)).toBe(0);
  });
});

describe('testLogLikelihoods', () => {
  const draw = (n: number, seed: number, shift = 0, scale = 1) => {
    const g = gaussian(seededRandom(seed));
    return Array.from({ length: n }, () => shift + scale * g());
  };

  it('matches scipy mannwhitneyu (asymptotic, no continuity) on a small case', () => {
    // scipy.stats.mannwhitneyu([0.2,0.95,2.6], ref, alternative='less', method='asymptotic', use_continuity=False) → U=10, p=0.34154569915
    const ref = { ...likelihoodReference(draw(200, 1)), sorted: [0.1, 0.5, 0.9, 1.3, 2.0, 2.5, 3.0, 3.3] };
    const r = testLogLikelihoods(ref, [0.2, 0.95, 2.6]);
    expect(r.tests.mann_whitney.pValue).toBeCloseTo(0.34154569915480437, 9);
  });

  it('raises the OOD quantile when the calibration split cannot resolve 1%', () => {
    expect(likelihoodReference(draw(2000, 2)).oodQuantile).toBeCloseTo(0.05, 12);
    expect(likelihoodReference(draw(20000, 2)).oodQuantile).toBe(0.01);
  });

  it('gives roughly uniform p-values on clean windows: the false alarm rate at 1% stays near 1%', () => {
    const ref = likelihoodReference(draw(20000, 3));
    let alarms = 0;
    const windows = 400;
    for (let w = 0; w < windows; w++) if (testLogLikelihoods(ref, draw(500, 100 + w)).windowP <= 0.01) alarms++;
    // Bonferroni over three tests is conservative: expect ≤ 1% plus binomial error (sd ≈ 0.5%).
    expect(alarms / windows).toBeLessThan(0.025);
  });

  it('flags a window whose likelihoods are lower, and one whose likelihoods are too high', () => {
    const ref = likelihoodReference(draw(20000, 4));
    const lower = testLogLikelihoods(ref, draw(500, 5, -0.3));
    expect(lower.windowP).toBeLessThan(1e-4);
    expect(lower.tests.mann_whitney.pValue).toBeLessThan(1e-4);
    const higher = testLogLikelihoods(ref, draw(500, 6, 0.3, 0.2));
    expect(higher.tests.typicality.statistic).toBeGreaterThan(0);
    expect(higher.tests.typicality.pValue).toBeLessThan(1e-4);
    expect(higher.tests.mann_whitney.pValue).toBeGreaterThan(0.5);
  });

  it('counts rows below the reference quantile as out of distribution', () => {
    const ref = likelihoodReference(draw(20000, 7));
    const values = [...draw(480, 8), ...new Array<number>(20).fill(-50)];
    const r = testLogLikelihoods(ref, values);
    expect(r.oodCount).toBeGreaterThanOrEqual(20);
    expect(r.oodFraction).toBeCloseTo(r.oodCount / 500, 12);
    expect(r.tests.ood_binomial.pValue).toBeLessThan(1e-4);
  });
});
