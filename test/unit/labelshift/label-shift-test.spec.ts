import { jointConfusionHard, predictedMarginalHard } from '../../../src/core/labelshift/bbse.js';
import {
  bbseWaldTest,
  mergeSparseClasses,
  mllsLikelihoodRatioTest,
  predictedLabelChiSquareTest,
} from '../../../src/core/labelshift/label-shift-test.js';
import { matVec } from '../../../src/core/labelshift/linear-algebra.js';
import { chiSquareHomogeneity } from '../../../src/core/stats/chi-square.js';
import { expectClose } from '../stats/close.js';
import { A3, gaussianPosterior, sampleCategorical, sampleConfusionData, sampleGaussianWindow, seededRandom } from './synthetic.js';

const MU_S = matVec(A3.M, A3.p); // (0.465, 0.315, 0.22)
const MU_T = matVec(A3.M, A3.q); // (0.255, 0.345, 0.4)
const PI_S = [0.5, 0.3, 0.2];

/** Multinomial counts of `size` draws from p. */
function multinomial(random: () => number, p: readonly number[], size: number): number[] {
  const c = new Array<number>(p.length).fill(0);
  for (let i = 0; i < size; i++) c[sampleCategorical(random, p)]! += 1;
  return c;
}

// Rejection rates from R null repetitions at α = 0.05: the binomial SD is sqrt(0.05·0.95/R)
// (0.011 for R = 400, 0.0126 for R = 300); the bounds are about ±3 SD around 5 %.
describe('test 1: χ² on predicted-label counts (docs/algorithms.md#label-shift-library)', () => {
  it('matches scipy chi2_contingency on a 2×3 table', () => {
    const r = predictedLabelChiSquareTest([100, 200, 300], [40, 60, 100]);
    expectClose(r.statistic, 1.465201465201465, 1e-13);
    expect(r.df).toBe(2);
    expectClose(r.pValue, 0.48065730202757906, 1e-12);
    expect(r.groups).toEqual([[0], [1], [2]]);
  });
  it('merges classes with expected count < 5 into the next smallest group', () => {
    // Window row total 161, N = 966: class 3 (pooled 3) expects 0.5, class 2 (pooled 3) 0.5.
    expect(mergeSparseClasses([500, 300, 3, 2], [100, 60, 0, 1])).toEqual([[0], [1, 2, 3]]);
    expect(mergeSparseClasses([500, 300, 60, 40], [100, 60, 12, 9])).toEqual([[0], [1], [2], [3]]);
    const r = predictedLabelChiSquareTest([500, 300, 3, 2], [100, 60, 0, 1]);
    expect(r.df).toBe(1);
    expect(r.statistic).toBe(chiSquareHomogeneity([500, 305], [100, 61]).statistic);
  });
  it('holds its level with no shift (K = 3, n = 2000, m = 500; spec: 4.5 %)', () => {
    const random = seededRandom(301);
    let rejections = 0;
    for (let r = 0; r < 400; r++) {
      if (predictedLabelChiSquareTest(multinomial(random, MU_S, 2000), multinomial(random, MU_S, 500)).pValue < 0.05) rejections++;
    }
    expect(rejections / 400).toBeGreaterThan(0.02);
    expect(rejections / 400).toBeLessThan(0.085);
  });
  it('detects the A.3 shift', () => {
    const random = seededRandom(302);
    expect(predictedLabelChiSquareTest(multinomial(random, MU_S, 2000), multinomial(random, MU_T, 500)).pValue).toBeLessThan(1e-6);
  });
});

describe('test 2: Wald test on BBSE weights (docs/algorithms.md#label-shift-library)', () => {
  it('equals Σ_k (μ̂_t − μ̂_s)²/μ̂_s / (1/m + 1/n) with df K − 1', () => {
    const C = A3.M.map((row) => row.map((v, j) => v * A3.p[j]!));
    const mu = [0.45, 0.33, 0.22];
    const r = bbseWaldTest(C, mu, 4000, 2000);
    const pearson = mu.reduce((s, x, k) => s + (x - MU_S[k]!) ** 2 / MU_S[k]!, 0) / (1 / 2000 + 1 / 4000);
    expectClose(r.statistic, pearson, 1e-9);
    expect(r.df).toBe(2);
  });
  it('holds its level with no shift (n = 4000, m = 2000; spec: 4.9 %) and detects the A.3 shift', () => {
    const random = seededRandom(311);
    let rejections = 0;
    for (let r = 0; r < 300; r++) {
      const v = sampleConfusionData(random, A3.M, A3.p, 4000);
      const w = sampleConfusionData(random, A3.M, A3.p, 2000);
      const test = bbseWaldTest(jointConfusionHard(v.predicted, v.labels, 3), predictedMarginalHard(w.predicted, 3), 4000, 2000);
      if (test.pValue < 0.05) rejections++;
    }
    expect(rejections / 300).toBeGreaterThan(0.015);
    expect(rejections / 300).toBeLessThan(0.09);
    const v = sampleConfusionData(random, A3.M, A3.p, 4000);
    const w = sampleConfusionData(random, A3.M, A3.q, 2000);
    const C = jointConfusionHard(v.predicted, v.labels, 3);
    expect(bbseWaldTest(C, predictedMarginalHard(w.predicted, 3), 4000, 2000).pValue).toBeLessThan(1e-6);
  });
});

describe('test 3: MLLS likelihood ratio (docs/algorithms.md#mlls)', () => {
  const x = [-2.5, -1.0, 0.0, 0.5, 1.5, 2.2, 3.0, -0.3, 1.0, 2.6];
  const P = x.map((v) => gaussianPosterior(v, PI_S));

  it('gives the A.4 statistic 2L(q̂) = 5.405093943527, df 2', () => {
    const r = mllsLikelihoodRatioTest(P, PI_S, undefined, { tolerance: 1e-14, maxIterations: 1000 });
    expectClose(r.statistic, 5.405093943527, 1e-12);
    expect(r.df).toBe(2);
    expectClose(r.pValue, 0.0670345599947724, 1e-10);
    // The default EM tolerance (1e-6) moves the statistic only at second order.
    expectClose(mllsLikelihoodRatioTest(P, PI_S).statistic, 5.405093943527, 1e-6);
  });
  it('holds its level with a calibrated model (K = 3, m = 1000; spec: 4.4 %) and detects the shift', () => {
    let rejections = 0;
    for (let s = 0; s < 300; s++) {
      const { posteriors } = sampleGaussianWindow(seededRandom(400 + s), 1000, PI_S, PI_S);
      if (mllsLikelihoodRatioTest(posteriors, PI_S).pValue < 0.05) rejections++;
    }
    expect(rejections / 300).toBeGreaterThan(0.015);
    expect(rejections / 300).toBeLessThan(0.09);
    const { posteriors } = sampleGaussianWindow(seededRandom(399), 1000, A3.q, PI_S);
    expect(mllsLikelihoodRatioTest(posteriors, PI_S).pValue).toBeLessThan(1e-6);
  });
  it('counts only classes with π_s > 0 in df', () => {
    const rows = [[0.6, 0.4, 0], [0.3, 0.7, 0]];
    expect(mllsLikelihoodRatioTest(rows, [0.5, 0.5, 0]).df).toBe(1);
  });
});
