/**
 * Bias-corrected temperature scaling (docs/algorithms.md#calibration): p_cal(·|x) = softmax(z/T + b), with T > 0 and one
 * bias per class, fitted by minimising the mean validation NLL.
 *
 * Parameterisation: β = 1/T and b. Since u = β·z + b is linear in (β, b), the NLL is jointly convex
 * there, so a damped Newton method with backtracking converges from the start T = 1, b = 0.
 * Optimising over log T instead has the same minimiser, only a less convenient shape.
 *
 * Identifiability: softmax ignores a common shift of b, so b_{K−1} is held at 0 while optimising
 * (K free parameters in all) and the result is then shifted to sum to 0. The probabilities are
 * unchanged by that shift.
 */
import { at } from '../indexing.js';
import { checkLabelledLogits } from './labelled-logits.js';
import { choleskySolve, dot, zipWith } from './linear-algebra.js';
import { logSumExp, softmax } from './softmax.js';

export interface BctsFit {
  T: number;
  /** K biases summing to 0. */
  bias: number[];
  iterations: number;
  /** True when the largest gradient entry fell below the tolerance. */
  converged: boolean;
  nll: number;
}

export interface BctsOptions {
  maxIterations?: number;
  /** Stop when every entry of the mean NLL's gradient is at most this. */
  gradientTolerance?: number;
}

const BETA_MAX = 1e4;

/** Full logit vector u = β·z + (b_0..b_{K−2}, 0) for parameters x = (β, b_0..b_{K−2}). */
function shifted(z: readonly number[], x: readonly number[]): number[] {
  const beta = at(x, 0, 'BCTS parameters');
  return z.map((v, k) => beta * v + (k < z.length - 1 ? at(x, k + 1, 'BCTS parameters') : 0));
}

function meanNll(logits: readonly (readonly number[])[], labels: readonly number[], x: readonly number[]): number {
  let total = 0;
  for (const [i, z] of logits.entries()) {
    const u = shifted(z, x);
    total += logSumExp(u) - at(u, at(labels, i, 'fitBcts: labels'), 'fitBcts: logits');
  }
  return total / logits.length;
}

/** Gradient and Hessian of the mean NLL in x = (β, b_0..b_{K−2}). */
function derivatives(logits: readonly (readonly number[])[], labels: readonly number[], x: readonly number[]) {
  const K = x.length; // the parameters are β and K − 1 biases
  const d = K; // 1 + (K − 1)
  const g = new Array<number>(d).fill(0);
  const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const h0 = at(h, 0, 'BCTS Hessian');
  for (const [i, z] of logits.entries()) {
    const y = at(labels, i, 'fitBcts: labels');
    const p = softmax(shifted(z, x));
    let zbar = 0;
    let z2 = 0;
    for (let k = 0; k < K; k++) {
      const pk = at(p, k);
      const zk = at(z, k);
      zbar += pk * zk;
      z2 += pk * zk * zk;
    }
    g[0] = at(g, 0) + (zbar - at(z, y, 'fitBcts: logits'));
    h0[0] = at(h0, 0) + (z2 - zbar * zbar);
    for (let k = 0; k < K - 1; k++) {
      const pk = at(p, k);
      const hk = at(h, k + 1, 'BCTS Hessian');
      g[k + 1] = at(g, k + 1) + (pk - (y === k ? 1 : 0));
      h0[k + 1] = at(h0, k + 1) + pk * (at(z, k) - zbar);
      for (let l = 0; l < K - 1; l++) hk[l + 1] = at(hk, l + 1) + ((k === l ? pk : 0) - pk * at(p, l));
    }
  }
  const n = logits.length;
  g.forEach((v, a) => (g[a] = v / n));
  for (const row of h) row.forEach((v, b) => (row[b] = v / n));
  for (let a = 1; a < d; a++) at(h, a, 'BCTS Hessian')[0] = at(h0, a);
  return { g, h };
}

/** Newton direction for H d = −g, raising a Levenberg damping until H + λI is positive definite. */
function newtonDirection(h: number[][], g: number[]): number[] {
  const scale = Math.max(1e-300, h.reduce((s, row, i) => s + Math.abs(at(row, i, 'BCTS Hessian')), 0) / h.length);
  const minusG = g.map((v) => -v);
  for (let lambda = 0; lambda <= 1e6 * scale; lambda = lambda === 0 ? 1e-12 * scale : lambda * 10) {
    const d = choleskySolve(h, minusG, lambda);
    if (d && d.every(Number.isFinite)) return d;
  }
  return minusG;
}

/** Fits T and b on labelled validation logits (docs/algorithms.md#calibration; start T = 1, b = 0). */
export function fitBcts(logits: readonly (readonly number[])[], labels: readonly number[], options: BctsOptions = {}): BctsFit {
  const K = checkLabelledLogits(logits, labels, 'fitBcts');
  const maxIterations = options.maxIterations ?? 100;
  const gradientTolerance = options.gradientTolerance ?? 1e-8;
  let x = [1, ...new Array<number>(K - 1).fill(0)];
  let f = meanNll(logits, labels, x);
  let converged = false;
  let iterations = 0;
  for (let it = 1; it <= maxIterations; it++) {
    iterations = it;
    const { g, h } = derivatives(logits, labels, x);
    if (Math.max(...g.map(Math.abs)) <= gradientTolerance) {
      converged = true;
      iterations = it - 1;
      break;
    }
    let d = newtonDirection(h, g);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      d = g.map((v) => -v);
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    // Keep β inside (0, BETA_MAX]: never step more than halfway to 0.
    let step = 1;
    const beta = at(x, 0, 'BCTS parameters');
    const betaStep = at(d, 0, 'Newton direction');
    if (beta + betaStep <= 0) step = (0.5 * beta) / -betaStep;
    // Once the predicted decrease is below the rounding noise of f, the Armijo test is meaningless:
    // take the full Newton step (the NLL is convex and locally quadratic there).
    const inQuadraticRegion = step === 1 && -slope <= 1e-12 * Math.max(1, Math.abs(f));
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++, step /= 2) {
      const candidate = zipWith(x, d, (v, di) => v + step * di, 'fitBcts');
      candidate[0] = Math.min(at(candidate, 0), BETA_MAX);
      const fc = meanNll(logits, labels, candidate);
      if (inQuadraticRegion || fc <= f + 1e-4 * step * slope) {
        x = candidate;
        f = fc;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // No decrease is possible in floating point: we are at the minimum to machine precision.
      converged = Math.max(...g.map(Math.abs)) <= 1e3 * gradientTolerance;
      break;
    }
  }
  const full = [...x.slice(1), 0];
  const mean = full.reduce((s, v) => s + v, 0) / K;
  return { T: 1 / at(x, 0, 'BCTS parameters'), bias: full.map((v) => v - mean), iterations, converged, nll: f };
}
