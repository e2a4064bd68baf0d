import {
  bbse,
  confusionConditioning,
  jointConfusionHard,
  jointConfusionSoft,
  predictedMarginalHard,
  predictedMarginalSoft,
} from '../../../src/core/labelshift/bbse.js';
import { confusionPredictedMarginal } from '../../../src/core/labelshift/confusion.js';
import { labelShiftAccuracy } from '../../../src/core/labelshift/correction.js';
import { matVec } from '../../../src/core/labelshift/linear-algebra.js';
import { expectClose } from '../stats/close.js';
import {
  A3,
  maxAbsDiff,
  median,
  sampleConfusionData,
  sampleGaussianWindow,
  seededRandom,
} from './synthetic.js';

/** Population joint confusion C = M·diag(p). */
const jointFrom = (M: number[][], p: number[]) => M.map((row) => row.map((v, j) => v * p[j]!));

describe('BBSE, Appendix A.3 exact vectors', () => {
  const C = jointFrom(A3.M, A3.p);
  const muT = matVec(A3.M, A3.q);

  it('builds the joint confusion and marginals of the spec', () => {
    const expected = [[0.4, 0.045, 0.02], [0.05, 0.225, 0.04], [0.05, 0.03, 0.14]];
    C.forEach((row, i) => row.forEach((v, j) => expectClose(v, expected[i]![j]!, 1e-15)));
    confusionPredictedMarginal(C).forEach((v, i) => expectClose(v, [0.465, 0.315, 0.22][i]!, 1e-15));
    muT.forEach((v, i) => expectClose(v, [0.255, 0.345, 0.4][i]!, 1e-15));
  });
  it('returns w = q/p to 1e-12 with σ_min and cond of the spec', () => {
    const r = bbse(C, muT);
    expect(r.method).toBe('solve');
    expect(r.illConditioned).toBe(false);
    expect(r.degenerate).toBe(false);
    expect(maxAbsDiff(r.rawWeights, [0.4, 1.0, 2.5])).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.weights, [0.4, 1.0, 2.5])).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.targetPrior, A3.q)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.sourcePrior, A3.p)).toBeLessThan(1e-15);
    expectClose(r.sigmaMin, 0.12672181, 1e-7);
    expectClose(r.condition, 3.30612724, 1e-8);
  });
  it('gives source accuracy trace(C) = 0.765 and label-shift accuracy Σ w_j C_jj = 0.735', () => {
    expectClose(labelShiftAccuracy(C, [1, 1, 1]), 0.765, 1e-15);
    expectClose(labelShiftAccuracy(C, bbse(C, muT).weights), 0.735, 1e-12);
  });
  it('clips negative weights and renormalises q̂ = ŵ ⊙ p̂_s', () => {
    // μ_t outside the cone of achievable marginals: the exact solve has a negative weight.
    const r = bbse(C, [0.1, 0.2, 0.7]);
    expect(Math.min(...r.rawWeights)).toBeLessThan(0);
    expect(Math.min(...r.weights)).toBe(0);
    expectClose(r.targetPrior.reduce((s, v) => s + v, 0), 1, 1e-15);
    r.targetPrior.forEach((q, j) => expectClose(q, r.weights[j]! * r.sourcePrior[j]!, 1e-15));
    const clipped = r.rawWeights.map((w) => Math.max(w, 0));
    const mass = clipped.reduce((s, w, j) => s + w * A3.p[j]!, 0);
    r.weights.forEach((w, j) => expectClose(w, clipped[j]! / mass, 1e-14));
  });
});

describe('joint confusion matrices and marginals', () => {
  it('hard: counts of (predicted, true) over n', () => {
    const C = jointConfusionHard([0, 0, 1, 2, 1], [0, 1, 1, 2, 2], 3);
    expect(C).toEqual([[0.2, 0.2, 0], [0, 0.2, 0.2], [0, 0, 0.2]]);
    expect(predictedMarginalHard([0, 0, 1, 2], 3)).toEqual([0.5, 0.25, 0.25]);
  });
  it('soft: probability-weighted, rows predicted and columns true', () => {
    const probs = [[0.6, 0.4], [0.3, 0.7], [0.9, 0.1]];
    const C = jointConfusionSoft(probs, [0, 1, 0]);
    [[1.5 / 3, 0.3 / 3], [0.5 / 3, 0.7 / 3]].forEach((row, i) => row.forEach((v, j) => expectClose(C[i]![j]!, v, 1e-15)));
    predictedMarginalSoft(probs).forEach((v, i) => expectClose(v, [1.8 / 3, 1.2 / 3][i]!, 1e-15));
  });
  it('rejects labels out of range', () => {
    expect(() => jointConfusionHard([0, 3], [0, 1], 3)).toThrow(RangeError);
  });
});

describe('BBSE Monte Carlo (docs/algorithms.md#bbse)', () => {
  /** max_j |ŵ_j − w_j| for one simulated (V, window) pair from the A.3 classifier. */
  function maxWeightError(seed: number, n: number, m: number, q: number[]): number {
    const random = seededRandom(seed);
    const v = sampleConfusionData(random, A3.M, A3.p, n);
    const w = sampleConfusionData(random, A3.M, q, m);
    const r = bbse(jointConfusionHard(v.predicted, v.labels, 3), predictedMarginalHard(w.predicted, 3));
    return maxAbsDiff(r.rawWeights, q.map((x, j) => x / A3.p[j]!));
  }
  const seeds = Array.from({ length: 20 }, (_, i) => 100 + i);

  // Spec: no shift, n = m = 5000: median 0.060, 95th percentile 0.137.
  it('no shift, n = m = 5000: median error < 0.09 and at most one of 20 above 0.2', () => {
    const errors = seeds.map((s) => maxWeightError(s, 5000, 5000, A3.p));
    expect(median(errors)).toBeLessThan(0.09);
    expect(errors.filter((e) => e > 0.2).length).toBeLessThanOrEqual(1);
  });
  // Spec: with shift q = (0.2, 0.3, 0.5), n = m = 5000: 95th percentile 0.218.
  it('shift to (0.2, 0.3, 0.5), n = m = 5000: at most one of 20 above 0.3', () => {
    const errors = seeds.map((s) => maxWeightError(s, 5000, 5000, A3.q));
    expect(median(errors)).toBeLessThan(0.15);
    expect(errors.filter((e) => e > 0.3).length).toBeLessThanOrEqual(1);
  });
  // Spec: n = m = 1000 has 95th percentile 0.313, about 2.3 times the n = m = 5000 value.
  it('errors grow when n = m shrinks to 1000', () => {
    const small = median(seeds.map((s) => maxWeightError(s, 1000, 1000, A3.p)));
    const large = median(seeds.map((s) => maxWeightError(s, 5000, 5000, A3.p)));
    expect(small).toBeGreaterThan(1.5 * large);
  });
  // Soft BBSE on the calibrated Gaussian model of A.4 (σ_min of the soft Ĉ ≈ 0.093). In a numpy
  // simulation of this setting (300 repetitions) max_k |q̂_k − q_k| had median 0.013, 95th percentile
  // 0.033 and maximum 0.046, so 0.05 fails only for a broken estimator (q̂ = p̂_s is 0.3 off).
  it('soft BBSE recovers a shifted prior on the Gaussian model', () => {
    const random = seededRandom(7);
    const v = sampleGaussianWindow(random, 5000, A3.p, A3.p);
    const w = sampleGaussianWindow(random, 5000, A3.q, A3.p);
    const r = bbse(jointConfusionSoft(v.posteriors, v.labels), predictedMarginalSoft(w.posteriors));
    expect(r.illConditioned).toBe(false);
    expect(maxAbsDiff(r.targetPrior, A3.q)).toBeLessThan(0.05);
  });
});

describe('BBSE with a singular confusion matrix', () => {
  // Class 2 is never predicted: it is split evenly between predictions 0 and 1.
  const M = [[0.85, 0.2, 0.5], [0.15, 0.8, 0.5], [0, 0, 0]];

  it('flags a never-predicted class and still returns a valid prior that fits the data', () => {
    const random = seededRandom(31);
    const v = sampleConfusionData(random, M, A3.p, 5000);
    const w = sampleConfusionData(random, M, A3.q, 5000);
    const C = jointConfusionHard(v.predicted, v.labels, 3);
    const muT = predictedMarginalHard(w.predicted, 3);
    const r = bbse(C, muT);
    expect(r.sigmaMin).toBeLessThan(1e-12);
    expect(r.illConditioned).toBe(true);
    expect(r.method).toBe('pseudo-inverse');
    expect(r.targetPrior.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expectClose(r.targetPrior.reduce((s, x) => s + x, 0), 1, 1e-14);
    // Least squares: the fitted predicted marginal matches the window's observed one.
    expect(maxAbsDiff(matVec(C, r.rawWeights), muT)).toBeLessThan(1e-12);
  });
  it('flags an ill-conditioned (not exactly singular) Ĉ by the cond > 1e4 rule', () => {
    const C = [[0.3, 0.3 - 1e-6, 0], [0.2, 0.2, 0], [0, 0, 0.3 + 1e-6]];
    const cond = confusionConditioning(C);
    expect(cond.condition).toBeGreaterThan(1e4);
    expect(cond.illConditioned).toBe(true);
    expect(confusionConditioning(jointFrom(A3.M, A3.p)).illConditioned).toBe(false);
  });
});
