/**
 * RLLS, regularised learning under label shift (docs/algorithms.md#rlls): ŵ = 1 + λθ̂ with
 *   θ̂ = argmin_{θ ≥ −1} ‖Ĉθ − b̂‖₂ + Δ‖θ‖₂,   b̂ = μ̂_t − μ̂_s,   μ̂_s = Ĉ·1,
 * Δ = α·Δ_C. Both norms are plain (not squared), so for a well-conditioned Ĉ (Δ ≤ σ_min(Ĉ)) and a
 * feasible BBSE solution the answer is exactly BBSE. Clipping and renormalising as for BBSE.
 */
import { bbseRawWeights, confusionConditioning, finaliseWeights, type LabelShiftEstimate } from './bbse.js';
import { checkConfusionAndMarginal, confusionLabelMarginal, confusionPredictedMarginal } from './confusion.js';
import { zipWith } from './linear-algebra.js';
import { solveRlls, type RllsSolverPath } from './rlls-solver.js';

export { rllsObjective } from './rlls-solver.js';

export interface RllsOptions {
  /** n, the number of labelled validation points behind Ĉ (sets Δ_C). */
  validationSize: number;
  /** Multiplier of Δ_C; default 0.01. */
  alpha?: number;
  /** Confidence parameter of Δ_C; default 0.05. */
  delta?: number;
  /** Use this Δ directly instead of α·Δ_C. */
  regularization?: number;
  /** λ in ŵ = 1 + λθ̂, in [0, 1]; default 1 (as the reference code). */
  shrinkage?: number;
  maxIterations?: number;
}

export interface RllsResult extends LabelShiftEstimate {
  theta: number[];
  /** The Δ used. */
  regularization: number;
  solver: RllsSolverPath;
  iterations: number;
  converged: boolean;
}

/** Δ_C = 3·(2·log(2K/δ)/(3n) + sqrt(2·log(2K/δ)/n)). */
export function rllsDeltaC(K: number, n: number, delta = 0.05): number {
  if (!(K >= 1) || !(n > 0) || !(delta > 0 && delta < 1)) throw new RangeError(`rllsDeltaC: bad arguments K=${K}, n=${n}, δ=${delta}`);
  const log = Math.log((2 * K) / delta);
  return 3 * ((2 * log) / (3 * n) + Math.sqrt((2 * log) / n));
}

/** RLLS from a joint confusion matrix Ĉ (hard or soft) and the window's mean prediction μ̂_t. */
export function rlls(c: readonly (readonly number[])[], muTarget: readonly number[], options: RllsOptions): RllsResult {
  const K = checkConfusionAndMarginal(c, muTarget, 'rlls');
  const regularization = options.regularization ?? (options.alpha ?? 0.01) * rllsDeltaC(K, options.validationSize, options.delta ?? 0.05);
  if (!(regularization >= 0) || !Number.isFinite(regularization)) throw new RangeError(`rlls: Δ must be finite and >= 0, got ${regularization}`);
  const shrinkage = options.shrinkage ?? 1;
  if (!(shrinkage >= 0 && shrinkage <= 1)) throw new RangeError(`rlls: shrinkage must be in [0, 1], got ${shrinkage}`);

  const sourcePrior = confusionLabelMarginal(c);
  const muSource = confusionPredictedMarginal(c);
  const b = zipWith(muTarget, muSource, (x, y) => x - y, 'rlls');
  const conditioning = confusionConditioning(c);
  const start = bbseRawWeights(c, muTarget, conditioning).rawWeights.map((w) => Math.max(w, 0) - 1);
  const solution = solveRlls(c, b, regularization, start, options.maxIterations);
  const rawWeights = solution.theta.map((t) => 1 + shrinkage * t);
  return {
    ...finaliseWeights(rawWeights, sourcePrior),
    rawWeights,
    sourcePrior,
    sigmaMin: conditioning.sigmaMin,
    condition: conditioning.condition,
    illConditioned: conditioning.illConditioned,
    theta: solution.theta,
    regularization,
    solver: solution.path,
    iterations: solution.iterations,
    converged: solution.converged,
  };
}
