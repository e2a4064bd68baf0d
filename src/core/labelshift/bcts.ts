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
import { checkLabelledLogits } from './labelled-logits.js';
import { choleskySolve } from './linear-algebra.js';
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
  return z.map((v, k) => x[0]! * v + (k < z.length - 1 ? x[k + 1]! : 0));
}

function meanNll(logits: readonly (readonly number[])[], labels: readonly number[], x: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const u = shifted(logits[i]!, x);
    total += logSumExp(u) - u[labels[i]!]!;
  }
  return total / logits.length;
}

/** Gradient and Hessian of the mean NLL in x = (β, b_0..b_{K−2}). */
function derivatives(logits: readonly (readonly number[])[], labels: readonly number[], x: readonly number[]) {
  const K = logits[0]!.length;
  const d = K; // 1 + (K − 1)
  const g = new Array<number>(d).fill(0);
  const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    const y = labels[i]!;
    const p = softmax(shifted(z, x));
    let zbar = 0;
    let z2 = 0;
    for (let k = 0; k < K; k++) {
      zbar += p[k]! * z[k]!;
      z2 += p[k]! * z[k]! * z[k]!;
    }
    g[0]! += zbar - z[y]!;
    h[0]![0]! += z2 - zbar * zbar;
    for (let k = 0; k < K - 1; k++) {
      g[k + 1]! += p[k]! - (y === k ? 1 : 0);
      h[0]![k + 1]! += p[k]! * (z[k]! - zbar);
      for (let l = 0; l < K - 1; l++) h[k + 1]![l + 1]! += (k === l ? p[k]! : 0) - p[k]! * p[l]!;
    }
  }
  const n = logits.length;
  for (let a = 0; a < d; a++) {
    g[a]! /= n;
    for (let b = 0; b < d; b++) h[a]![b]! /= n;
  }
  for (let a = 1; a < d; a++) h[a]![0] = h[0]![a]!;
  return { g, h };
}

/** Newton direction for H d = −g, raising a Levenberg damping until H + λI is positive definite. */
function newtonDirection(h: number[][], g: number[]): number[] {
  const scale = Math.max(1e-300, h.reduce((s, row, i) => s + Math.abs(row[i]!), 0) / h.length);
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
    let slope = g.reduce((s, v, i) => s + v * d[i]!, 0);
    if (!(slope < 0)) {
      d = g.map((v) => -v);
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    // Keep β inside (0, BETA_MAX]: never step more than halfway to 0.
    let step = 1;
    if (x[0]! + d[0]! <= 0) step = (0.5 * x[0]!) / -d[0]!;
    // Once the predicted decrease is below the rounding noise of f, the Armijo test is meaningless:
    // take the full Newton step (the NLL is convex and locally quadratic there).
    const inQuadraticRegion = step === 1 && -slope <= 1e-12 * Math.max(1, Math.abs(f));
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++, step /= 2) {
      const candidate = x.map((v, i) => v + step * d[i]!);
      candidate[0] = Math.min(candidate[0]!, BETA_MAX);
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
  return { T: 1 / x[0]!, bias: full.map((v) => v - mean), iterations, converged, nll: f };
}
