import { forward, inverse, latent, logProb, logProbStandardized, score, vjp } from '../../../src/core/flow/flow-math.js';
import type { Activation, BaseDistribution, FlowModel } from '../../../src/core/flow/flow-spec.js';
import { initFlow, DEFAULT_ARCHITECTURE } from '../../../src/core/flow/init-flow.js';
import { baseLogProb } from '../../../src/core/flow/base-density.js';
import { logAbsDet, randomFlow, randomRows } from './random-flow.js';

type Case = { kind: 'affine' | 'spline'; activation: Activation };
const CASES: Case[] = [
  { kind: 'affine', activation: 'tanh' },
  { kind: 'affine', activation: 'relu' },
  { kind: 'spline', activation: 'tanh' },
  { kind: 'spline', activation: 'relu' },
];
const label = (c: Case) => `${c.kind}/${c.activation}`;
const STUDENT_T: BaseDistribution = { kind: 'student-t', dof: [null, 2.5, null, 4] };

const toX = (model: FlowModel, u: Float64Array) => u.map((v, j) => model.standardization.mean[j]! + model.standardization.scale[j]! * v);

describe('flow-math', () => {
  describe.each(CASES)('%p', (c) => {
    it(`${label(c)}: inverse(forward(u)) = u to 1e-9 on 1000 random rows (incl. |u| > B)`, () => {
      const model = randomFlow({ ...c, dim: 5, seed: 1 });
      let worst = 0;
      let outside = 0;
      for (const u of randomRows(1000, 5, 2, 2.2)) {
        const { z } = forward(model, u);
        const back = inverse(model, z);
        u.forEach((v, j) => (worst = Math.max(worst, Math.abs(back[j]! - v))));
        if (u.some((v) => Math.abs(v) > 3)) outside++;
        // the weights really do something
        expect(z.some((v, j) => Math.abs(v - u[j]!) > 1e-3)).toBe(true);
      }
      expect(outside).toBeGreaterThan(50);
      expect(worst).toBeLessThan(1e-9);
    });

    it(`${label(c)}: log-det equals log|det| of a finite-difference Jacobian (d = 2..5)`, () => {
      for (let dim = 2; dim <= 5; dim++) {
        const model = randomFlow({ ...c, dim, seed: 10 + dim });
        for (const u of randomRows(5, dim, 20 + dim, 1.3)) {
          const eps = 1e-5;
          const jacobian: number[][] = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
          for (let j = 0; j < dim; j++) {
            const plus = Float64Array.from(u);
            const minus = Float64Array.from(u);
            plus[j]! += eps;
            minus[j]! -= eps;
            const zp = forward(model, plus).z;
            const zm = forward(model, minus).z;
            for (let i = 0; i < dim; i++) jacobian[i]![j] = (zp[i]! - zm[i]!) / (2 * eps);
          }
          expect(Math.abs(forward(model, u).logDet - logAbsDet(jacobian))).toBeLessThan(1e-5);
        }
      }
    });

    it.each([
      ['normal', { kind: 'normal' } as BaseDistribution],
      ['student-t', STUDENT_T],
    ])(`${label(c)}: score matches central differences of logProb (%s base)`, (_name, base) => {
      const model = randomFlow({ ...c, dim: 4, seed: 40, base });
      const eps = 1e-6;
      for (const u of randomRows(10, 4, 41, 1.5)) {
        const x = toX(model, u);
        const analytic = score(model, x);
        for (let j = 0; j < 4; j++) {
          const plus = Float64Array.from(x);
          const minus = Float64Array.from(x);
          plus[j]! += eps;
          minus[j]! -= eps;
          const fd = (logProb(model, plus) - logProb(model, minus)) / (2 * eps);
          expect(Math.abs(analytic[j]! - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        }
      }
    });

    it(`${label(c)}: vjp matches finite differences of latent`, () => {
      const model = randomFlow({ ...c, dim: 4, seed: 50 });
      const eps = 1e-6;
      const vs = randomRows(10, 4, 52);
      randomRows(10, 4, 51, 1.5).forEach((u, r) => {
        const x = toX(model, u);
        const v = vs[r]!;
        const analytic = vjp(model, x, v);
        for (let j = 0; j < 4; j++) {
          const plus = Float64Array.from(x);
          const minus = Float64Array.from(x);
          plus[j]! += eps;
          minus[j]! -= eps;
          const zp = latent(model, plus);
          const zm = latent(model, minus);
          let fd = 0;
          for (let i = 0; i < 4; i++) fd += (v[i]! * (zp[i]! - zm[i]!)) / (2 * eps);
          expect(Math.abs(analytic[j]! - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        }
      });
    });
  });

  it('an initFlow model (identity couplings) gives the base density of the standardised input', () => {
    const standardization = { features: ['a', 'b', 'c'], mean: [1, -2, 0.5], scale: [2, 0.5, 3] };
    const model = initFlow(standardization, { ...DEFAULT_ARCHITECTURE, hidden: 8, layers: 2 }, { kind: 'normal' }, 3);
    const x = [2.2, -1.1, 0.4];
    const u = x.map((v, j) => (v - standardization.mean[j]!) / standardization.scale[j]!);
    expect(Array.from(latent(model, x))).toEqual(u);
    expect(logProb(model, x)).toBeCloseTo(baseLogProb({ kind: 'normal' }, u) - Math.log(2 * 0.5 * 3), 12);
    score(model, x).forEach((g, j) => expect(g).toBeCloseTo(-u[j]! / standardization.scale[j]!, 12));
  });

  it('logProb is logProbStandardized minus Σ log scale, and rejects rows of the wrong length', () => {
    const model = randomFlow({ kind: 'spline', activation: 'tanh', dim: 3, seed: 70 });
    const u = Float64Array.from([0.2, -1.4, 2.9]);
    const x = toX(model, u);
    const logScale = model.standardization.scale.reduce((s, v) => s + Math.log(v), 0);
    expect(logProb(model, x)).toBeCloseTo(logProbStandardized(model, u) - logScale, 12);
    expect(() => logProb(model, [1, 2])).toThrow(RangeError);
    expect(() => vjp(model, x, [1])).toThrow(RangeError);
  });
});
