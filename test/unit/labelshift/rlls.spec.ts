import { bbse, jointConfusionHard, predictedMarginalHard } from '../../../src/core/labelshift/bbse.js';
import { confusionPredictedMarginal } from '../../../src/core/labelshift/confusion.js';
import { matVec, solveSquare } from '../../../src/core/labelshift/linear-algebra.js';
import { rlls, rllsDeltaC, rllsObjective } from '../../../src/core/labelshift/rlls.js';
import { expectClose } from '../stats/close.js';
import { A3, maxAbsDiff, sampleConfusionData, seededRandom } from './synthetic.js';

const C = A3.M.map((row) => row.map((v, j) => v * A3.p[j]!));
const muT = matVec(A3.M, A3.q);
const b = muT.map((x, i) => x - confusionPredictedMarginal(C)[i]!);

/** Checks that no feasible point near θ (θ' ≥ −1) has a lower RLLS objective. */
function expectLocalMinimum(c: number[][], bb: number[], theta: number[], delta: number, seed: number): void {
  const random = seededRandom(seed);
  const best = rllsObjective(c, bb, theta, delta);
  for (let t = 0; t < 2000; t++) {
    const scale = 10 ** (-1 - 5 * random());
    const other = theta.map((v) => Math.max(-1, v + scale * (2 * random() - 1)));
    expect(rllsObjective(c, bb, other, delta)).toBeGreaterThanOrEqual(best - 1e-12);
  }
}

describe('Δ_C (docs/algorithms.md#rlls)', () => {
  it('K = 3, n = 5000 gives Δ_C = 0.1332 and Δ = 0.00133 with α = 0.01', () => {
    expectClose(rllsDeltaC(3, 5000), 0.1331970224051867, 1e-13);
    const r = rlls(C, muT, { validationSize: 5000 });
    expectClose(r.regularization, 0.001331970224051867, 1e-13);
  });
});

describe('RLLS, Appendix A.3', () => {
  it.each([0, 0.01, 0.05])('Δ = %p (< σ_min = 0.1267) gives exactly the BBSE weights (0.4, 1, 2.5)', (delta) => {
    const r = rlls(C, muT, { validationSize: 5000, regularization: delta });
    expect(r.solver).toBe('bbse-exact');
    expect(maxAbsDiff(r.rawWeights, [0.4, 1, 2.5])).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.targetPrior, A3.q)).toBeLessThan(1e-12);
  });
  it('Δ = 0.2 shrinks to w ≈ (0.71986, 1.05112, 1.19258)', () => {
    const r = rlls(C, muT, { validationSize: 5000, regularization: 0.2 });
    expect(r.solver).toBe('projected-newton');
    expect(r.converged).toBe(true);
    // Spec values (5 decimals), and a Nelder–Mead reference (scipy, xatol 1e-12) to 1e-7.
    expect(maxAbsDiff(r.rawWeights, [0.71986, 1.05112, 1.19258])).toBeLessThan(6e-6);
    expect(maxAbsDiff(r.rawWeights, [0.71985793, 1.05111933, 1.19257882])).toBeLessThan(1e-7);
    expectClose(rllsObjective(C, b, r.theta, 0.2), 0.2658466179535396, 1e-9);
    expectLocalMinimum(C, b, r.theta, 0.2, 1);
    // Renormalised prior: q̂ ∝ ŵ ⊙ p̂_s.
    const mass = r.rawWeights.reduce((s, w, j) => s + w * A3.p[j]!, 0);
    r.targetPrior.forEach((q, j) => expectClose(q, (r.rawWeights[j]! * A3.p[j]!) / mass, 1e-14));
  });
  it('a Δ large enough returns no shift (θ = 0) exactly', () => {
    const r = rlls(C, muT, { validationSize: 5000, regularization: 1 });
    expect(r.solver).toBe('zero');
    expect(r.rawWeights).toEqual([1, 1, 1]);
    expect(maxAbsDiff(r.targetPrior, A3.p)).toBeLessThan(1e-15);
  });
  it('shrinkage λ scales θ: ŵ = 1 + λθ̂', () => {
    const r = rlls(C, muT, { validationSize: 5000, regularization: 0.01, shrinkage: 0.5 });
    expect(maxAbsDiff(r.rawWeights, [0.7, 1, 1.75])).toBeLessThan(1e-12);
  });
  it('keeps θ ≥ −1 when the exact BBSE solution is infeasible, and is optimal there', () => {
    const mu = [0.1, 0.2, 0.7];
    const bb = mu.map((x, i) => x - confusionPredictedMarginal(C)[i]!);
    const r = rlls(C, mu, { validationSize: 5000, regularization: 0.01 });
    expect(Math.min(...bbse(C, mu).rawWeights)).toBeLessThan(0);
    expect(Math.min(...r.theta)).toBeGreaterThanOrEqual(-1);
    expect(r.theta.some((t) => t === -1)).toBe(true);
    expectLocalMinimum(C, bb, r.theta, 0.01, 2);
  });
});

describe('RLLS against BBSE on sampled confusion matrices', () => {
  it('equals BBSE on a well-conditioned Ĉ with the default α', () => {
    const random = seededRandom(41);
    const v = sampleConfusionData(random, A3.M, A3.p, 5000);
    const w = sampleConfusionData(random, A3.M, A3.q, 5000);
    const Ch = jointConfusionHard(v.predicted, v.labels, 3);
    const mu = predictedMarginalHard(w.predicted, 3);
    const base = bbse(Ch, mu);
    const r = rlls(Ch, mu, { validationSize: 5000 });
    expect(base.illConditioned).toBe(false);
    expect(r.regularization).toBeLessThan(base.sigmaMin);
    expect(r.solver).toBe('bbse-exact');
    expect(maxAbsDiff(r.rawWeights, base.rawWeights)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.targetPrior, base.targetPrior)).toBeLessThan(1e-12);
  });
  it('differs from BBSE, towards no shift, when Ĉ is ill-conditioned', () => {
    // Classes 1 and 2 are almost indistinguishable to the classifier.
    const M = [[0.9, 0.05, 0.05], [0.05, 0.5, 0.49], [0.05, 0.45, 0.46]];
    const random = seededRandom(43);
    const v = sampleConfusionData(random, M, A3.p, 2000);
    const w = sampleConfusionData(random, M, A3.p, 2000);
    const Ch = jointConfusionHard(v.predicted, v.labels, 3);
    const mu = predictedMarginalHard(w.predicted, 3);
    const base = bbse(Ch, mu);
    const r = rlls(Ch, mu, { validationSize: 2000 });
    expect(base.illConditioned).toBe(true);
    expect(r.regularization).toBeGreaterThan(base.sigmaMin);
    expect(r.solver).toBe('projected-newton');
    // The exact solve Ĉ⁻¹μ̂ (which bbse() declines to use here) is pulled far from 1 by noise.
    const exact = solveSquare(Ch, mu);
    const distanceFromOne = (x: number[]) => Math.max(...x.map((y) => Math.abs(y - 1)));
    expect(distanceFromOne(r.rawWeights)).toBeLessThan(0.5 * distanceFromOne(exact));
    const bb = mu.map((x, i) => x - confusionPredictedMarginal(Ch)[i]!);
    expectLocalMinimum(Ch, bb, r.theta, r.regularization, 3);
  });
});
