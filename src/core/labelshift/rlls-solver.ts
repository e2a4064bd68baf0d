/**
 * Solver for the RLLS problem (docs/algorithms.md#rlls):
 *   minimise  F(θ) = ‖Cθ − b‖₂ + Δ‖θ‖₂   subject to θ ≥ −1 (element-wise).
 *
 * F is convex but has kinks where Cθ = b and where θ = 0, and the optimum very often sits on one of
 * them. Those two candidates are checked exactly with their optimality conditions first:
 *  • θ_b = C⁻¹b (the BBSE solution), if θ_b ≥ −1 and Δ·‖C⁻ᵀθ_b‖/‖θ_b‖ ≤ 1 (a sharper condition:
 *    then −Δθ_b/‖θ_b‖ is a subgradient of the first term at its kink);
 *  • θ = 0, if ‖Cᵀb‖ ≤ Δ‖b‖ (then −Cᵀb/‖b‖ fits inside Δ times the unit ball).
 * Otherwise both terms are smooth near the optimum and we run projected Newton (Bertsekas: Newton on
 * the variables not held at the bound, backtracking along the projection arc) on a smoothed
 * objective sqrt(‖Cθ−b‖²+ε) + Δ·sqrt(‖θ‖²+ε), ε = 1e-12, from the clipped BBSE solution, stopping when
 * the relative decrease is below 1e-12 or after 5000 iterations. Projected gradient would do too;
 * Newton reaches the same point but does not crawl when C is ill-conditioned, which is exactly when
 * RLLS matters.
 */
import { at } from '../indexing.js';
import { cell, choleskySolve, dot, matVec, norm2, solveSquare, transpose, zipWith } from './linear-algebra.js';

export type RllsSolverPath = 'bbse-exact' | 'zero' | 'projected-newton';

export interface RllsSolution {
  theta: number[];
  path: RllsSolverPath;
  iterations: number;
  converged: boolean;
}

const SMOOTHING = 1e-12;
const LOWER = -1;

/** Cθ − b. */
function residual(c: readonly (readonly number[])[], b: readonly number[], theta: readonly number[]): number[] {
  return zipWith(matVec(c, theta), b, (v, y) => v - y, 'RLLS residual');
}

/** The exact (non-smoothed) RLLS objective. */
export function rllsObjective(c: readonly (readonly number[])[], b: readonly number[], theta: readonly number[], delta: number): number {
  const r = residual(c, b, theta);
  return norm2(r) + delta * norm2(theta);
}

function smoothedObjective(c: readonly (readonly number[])[], b: readonly number[], theta: readonly number[], delta: number): number {
  const r = residual(c, b, theta);
  return Math.sqrt(dot(r, r) + SMOOTHING) + delta * Math.sqrt(dot(theta, theta) + SMOOTHING);
}

/** Gradient and Hessian of the smoothed objective. */
function smoothedDerivatives(c: readonly (readonly number[])[], ct: number[][], b: readonly number[], theta: readonly number[], delta: number) {
  const K = theta.length;
  const r = residual(c, b, theta);
  const s1 = Math.sqrt(dot(r, r) + SMOOTHING);
  const s2 = Math.sqrt(dot(theta, theta) + SMOOTHING);
  const ctr = matVec(ct, r);
  const g = zipWith(ctr, theta, (v, t) => v / s1 + (delta * t) / s2, 'RLLS gradient');
  const h = Array.from({ length: K }, (_, i) =>
    Array.from({ length: K }, (_, j) => {
      let ctc = 0;
      for (const row of c) ctc += at(row, i, 'RLLS Hessian') * at(row, j, 'RLLS Hessian');
      const first = ctc / s1 - (at(ctr, i) * at(ctr, j)) / (s1 * s1 * s1);
      const second = delta * ((i === j ? 1 / s2 : 0) - (at(theta, i) * at(theta, j)) / (s2 * s2 * s2));
      return first + second;
    }),
  );
  return { g, h };
}

/** Exact optimality check of the BBSE point; returns θ_b when it solves the RLLS problem. */
function bbseIfOptimal(c: readonly (readonly number[])[], b: readonly number[], delta: number): number[] | null {
  let theta: number[];
  try {
    theta = solveSquare(c, b);
  } catch {
    return null;
  }
  if (theta.some((t) => t < LOWER)) return null;
  const size = norm2(theta);
  if (size === 0) return theta;
  let dual: number[];
  try {
    dual = solveSquare(transpose(c), theta.map((t) => t / size));
  } catch {
    return null;
  }
  return delta * norm2(dual) <= 1 ? theta : null;
}

/** Newton step on the free variables (damped until positive definite); 0 on the held ones. */
function projectedNewtonDirection(h: number[][], g: number[], free: boolean[]): number[] {
  const idx = free.flatMap((f, j) => (f ? [j] : []));
  const d = new Array<number>(g.length).fill(0);
  if (idx.length === 0) return d;
  const hf = idx.map((i) => idx.map((j) => cell(h, i, j, 'RLLS Hessian')));
  const rf = idx.map((i) => -at(g, i, 'RLLS gradient'));
  const scale = Math.max(1e-300, idx.reduce((s, i) => s + Math.abs(cell(h, i, i, 'RLLS Hessian')), 0) / idx.length);
  for (let lambda = 0; lambda <= 1e6 * scale; lambda = lambda === 0 ? 1e-14 * scale : lambda * 10) {
    const x = choleskySolve(hf, rf, lambda);
    if (x && x.every(Number.isFinite)) {
      idx.forEach((j, a) => (d[j] = at(x, a, 'Newton step')));
      return d;
    }
  }
  idx.forEach((j) => (d[j] = -at(g, j, 'RLLS gradient')));
  return d;
}

/** Solves the RLLS problem starting from `start` (already feasible, e.g. the clipped BBSE solution). */
export function solveRlls(
  c: readonly (readonly number[])[],
  b: readonly number[],
  delta: number,
  start: readonly number[],
  maxIterations = 5000,
): RllsSolution {
  if (b.every((v) => v === 0)) return { theta: b.map(() => 0), path: 'zero', iterations: 0, converged: true };
  const exact = bbseIfOptimal(c, b, delta);
  if (exact) return { theta: exact, path: 'bbse-exact', iterations: 0, converged: true };
  const ct = transpose(c);
  if (norm2(matVec(ct, b)) <= delta * norm2(b)) return { theta: b.map(() => 0), path: 'zero', iterations: 0, converged: true };

  let theta = start.map((t) => Math.max(t, LOWER));
  let f = smoothedObjective(c, b, theta, delta);
  for (let it = 1; it <= maxIterations; it++) {
    const { g, h } = smoothedDerivatives(c, ct, b, theta, delta);
    const free = theta.map((t, j) => !(t <= LOWER + 1e-12 && at(g, j, 'RLLS gradient') > 0));
    const newton = projectedNewtonDirection(h, g, free);
    const gradient = g.map((v, j) => (free[j] ? -v : 0));
    if (Math.max(...gradient.map(Math.abs)) === 0) return { theta, path: 'projected-newton', iterations: it, converged: true };
    let moved = false;
    for (const d of dot(g, newton) < 0 ? [newton, gradient] : [gradient]) {
      for (let step = 1, tries = 0; tries < 60; tries++, step /= 2) {
        const next = zipWith(theta, d, (t, dj) => Math.max(t + step * dj, LOWER), 'solveRlls');
        const fn = smoothedObjective(c, b, next, delta);
        const predicted = dot(g, zipWith(next, theta, (t, t0) => t - t0, 'solveRlls'));
        if (fn <= f + 1e-4 * predicted) {
          const relative = (f - fn) / Math.max(Math.abs(f), 1e-300);
          theta = next;
          f = fn;
          moved = true;
          if (relative < 1e-12) return { theta, path: 'projected-newton', iterations: it, converged: true };
          break;
        }
      }
      if (moved) break;
    }
    // No descent possible in floating point: the current point is optimal to machine precision.
    if (!moved) return { theta, path: 'projected-newton', iterations: it, converged: true };
  }
  return { theta, path: 'projected-newton', iterations: maxIterations, converged: false };
}
