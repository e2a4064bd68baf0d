import {
  applyCalibration,
  fitBcts,
  fitCalibration,
  fitTemperature,
  logitsFromProbs,
  nll,
  softmax,
  type Calibration,
} from '../../../src/core/labelshift/calibration.js';
import { choleskySolve } from '../../../src/core/labelshift/linear-algebra.js';
import { expectClose } from '../stats/close.js';
import { gaussian, sampleCategorical, seededRandom } from './synthetic.js';

/**
 * Data from a perfectly calibrated model: true logits z ~ N(0, s²) per class, y ~ softmax(z).
 * The observed (miscalibrated) logits are T0·(z − b0), so the map z/T + b with T = T0, b = b0 undoes it.
 */
function miscalibratedData(seed: number, n: number, K: number, T0: number, b0: readonly number[], spread = 1.5) {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const logits: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: K }, () => spread * normal());
    labels.push(sampleCategorical(random, softmax(z)));
    logits.push(z.map((v, k) => T0 * (v - b0[k]!)));
  }
  return { logits, labels };
}

/** Central finite-difference Hessian of f at x. */
function fdHessian(f: (x: number[]) => number, x: readonly number[], h = 1e-4): number[][] {
  const at = (di: number, si: number, dj: number, sj: number) => f(x.map((v, k) => v + (k === di ? si * h : 0) + (k === dj ? sj * h : 0)));
  return x.map((_, i) =>
    x.map((_, j) => (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h)),
  );
}

/** Asymptotic standard errors sqrt(diag(H⁻¹)/n) of a minimiser of a mean NLL with Hessian H. */
function standardErrors(hessian: number[][], n: number): number[] {
  return hessian.map((_, i) => {
    const e = hessian.map((__, j) => (i === j ? 1 : 0));
    return Math.sqrt(choleskySolve(hessian, e)![i]! / n);
  });
}

describe('logitsFromProbs (docs/algorithms.md#calibration)', () => {
  it('gives centred log-probabilities that softmax maps back to p', () => {
    const p = [0.7, 0.2, 0.1];
    const z = logitsFromProbs(p);
    const meanLog = (Math.log(0.7) + Math.log(0.2) + Math.log(0.1)) / 3;
    expectClose(z[0]!, Math.log(0.7) - meanLog, 1e-15);
    expectClose(z.reduce((s, v) => s + v, 0), 0, 1e-15);
    softmax(z).forEach((v, k) => expectClose(v, p[k]!, 1e-14));
  });
  it('floors zeros at 1e-12', () => {
    const z = logitsFromProbs([1, 0]);
    expectClose(z[0]! - z[1]!, -Math.log(1e-12), 1e-15);
  });
});

describe('softmax', () => {
  it('is stable for huge logits and matches the direct formula', () => {
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
    const p = softmax([1, 2, 3]);
    const e = [Math.E, Math.E ** 2, Math.E ** 3];
    p.forEach((v, k) => expectClose(v, e[k]! / (e[0]! + e[1]! + e[2]!), 1e-15));
  });
});

describe('nll and applyCalibration', () => {
  it('compute −log softmax(z/T + b)_y averaged over points', () => {
    const logits = [[2, 0, -1], [0.5, 0.5, 1]];
    const labels = [0, 2];
    const cal = { T: 2, bias: [0.1, 0, -0.1] };
    const manual = (z: number[], y: number) => -Math.log(applyCalibration(z, cal)[y]!);
    expectClose(nll(logits, labels, cal), (manual(logits[0]!, 0) + manual(logits[1]!, 2)) / 2, 1e-15);
    const u = [2 / 2 + 0.1, 0, -1 / 2 - 0.1];
    applyCalibration(logits[0]!, cal).forEach((v, k) => expectClose(v, softmax(u)[k]!, 1e-15));
  });
});

describe('fitTemperature', () => {
  // Tolerance: the MLE of β = 1/T has asymptotic SE 1/sqrt(n·I), where I = mean Var_p(z) is the
  // (label-free) second derivative of the mean NLL; SE(T) = T²·SE(β). We require the estimate within
  // 4 SE (a fixed seed, so this either always passes or always fails) and that 4 SE is below 5 % of T0.
  it.each([
    [2.5, 11],
    [0.6, 12],
  ])('recovers T0 = %p from over/under-confident logits', (T0, seed) => {
    const n = 20000;
    const { logits, labels } = miscalibratedData(seed, n, 4, T0, [0, 0, 0, 0]);
    const fit = fitTemperature(logits, labels);
    expect(fit.converged).toBe(true);
    const hessian = fdHessian(([beta]) => nll(logits, labels, { T: 1 / beta! }), [1 / fit.T]);
    const seT = fit.T * fit.T * standardErrors(hessian, n)[0]!;
    expect(4 * seT).toBeLessThan(0.05 * T0);
    expect(Math.abs(fit.T - T0)).toBeLessThan(4 * seT);
    // It is the minimum: moving T either way increases the NLL.
    expect(nll(logits, labels, { T: fit.T * 1.001 })).toBeGreaterThan(fit.nll);
    expect(nll(logits, labels, { T: fit.T / 1.001 })).toBeGreaterThan(fit.nll);
  });
  it('reports non-convergence at the bound for separable data', () => {
    const fit = fitTemperature([[3, 0], [0, 3]], [0, 1]);
    expect(fit.converged).toBe(false);
    expect(fit.T).toBeCloseTo(1e-4, 10);
  });
});

describe('fitBcts (docs/algorithms.md#calibration)', () => {
  const T0 = 1.8;
  const b0 = [0.6, -0.2, -0.4];
  const n = 20000;
  const { logits, labels } = miscalibratedData(21, n, 3, T0, b0);

  // Tolerance: asymptotic SEs of (β, b_0, b_1) from the finite-difference Hessian of the exported nll
  // (independent of the optimiser's own Hessian), with b_2 = −b_0 − b_1. Each estimate within 4 SE.
  it('recovers a known temperature and bias, with the bias summing to 0', () => {
    const fit = fitBcts(logits, labels);
    expect(fit.converged).toBe(true);
    expectClose(fit.bias.reduce((s, v) => s + v, 0), 0, 1e-12);
    const f = ([beta, c0, c1]: number[]) => nll(logits, labels, { T: 1 / beta!, bias: [c0!, c1!, -c0! - c1!] });
    const se = standardErrors(fdHessian(f, [1 / fit.T, fit.bias[0]!, fit.bias[1]!]), n);
    const seT = fit.T * fit.T * se[0]!;
    expect(Math.abs(fit.T - T0)).toBeLessThan(4 * seT);
    expect(Math.abs(fit.bias[0]! - b0[0]!)).toBeLessThan(4 * se[1]!);
    expect(Math.abs(fit.bias[1]! - b0[1]!)).toBeLessThan(4 * se[2]!);
    expect(Math.max(...se)).toBeLessThan(0.03);
  });
  it('is a stationary point of the NLL (finite-difference gradient ≈ 0)', () => {
    const fit = fitBcts(logits, labels);
    const at = (dT: number, k: number, db: number) =>
      nll(logits, labels, { T: fit.T + dT, bias: fit.bias.map((v, j) => v + (j === k ? db : 0) - (j === 2 ? db : 0)) });
    const h = 1e-6;
    expect(Math.abs((at(h, -1, 0) - at(-h, -1, 0)) / (2 * h))).toBeLessThan(1e-7);
    expect(Math.abs((at(0, 0, h) - at(0, 0, -h)) / (2 * h))).toBeLessThan(1e-7);
    expect(Math.abs((at(0, 1, h) - at(0, 1, -h)) / (2 * h))).toBeLessThan(1e-7);
  });
  it('beats plain temperature scaling when the posteriors carry a class bias', () => {
    const ts = fitTemperature(logits, labels);
    const bcts = fitBcts(logits, labels);
    // 20000·ΔNLL is half the likelihood-ratio statistic for 2 extra parameters; a real bias makes it large.
    expect(n * (ts.nll - bcts.nll)).toBeGreaterThan(50);
  });
});

describe('fitCalibration', () => {
  it('returns serialisable maps of each kind', () => {
    const { logits, labels } = miscalibratedData(5, 3000, 3, 2, [0.3, 0, -0.3]);
    const none = fitCalibration('none', logits, labels);
    expect(none).toEqual({ kind: 'none', T: 1, bias: [0, 0, 0] });
    const ts = fitCalibration('temperature', logits, labels);
    expect(ts.kind).toBe('temperature');
    expect(ts.bias).toEqual([0, 0, 0]);
    expectClose(ts.T, fitTemperature(logits, labels).T, 0);
    const bcts = fitCalibration('bcts', logits, labels);
    const roundTrip = JSON.parse(JSON.stringify(bcts)) as Calibration;
    expect(roundTrip).toEqual(bcts);
    expect(applyCalibration(logits[0]!, roundTrip)).toEqual(applyCalibration(logits[0]!, bcts));
  });
  it('rejects malformed input', () => {
    expect(() => fitCalibration('bcts', [[1, 2]], [2])).toThrow(RangeError);
    expect(() => fitTemperature([[1, 2]], [0, 1])).toThrow(RangeError);
  });
});
