/**
 * BBSE, black-box shift estimation (docs/algorithms.md#bbse): solve Ĉ ŵ = μ̂_t, clip ŵ at 0, q̂ = ŵ ⊙ p̂_s, renormalise.
 *
 * Conditioning: σ_min(Ĉ) and cond(Ĉ) come from an SVD. Ĉ is flagged when
 * σ_min < 0.01·min_j p̂_s[j] or cond > 1e4. A flagged Ĉ is not inverted; instead we use the truncated
 * pseudo-inverse (singular values failing the same rule are dropped) on the no-shift-centred system
 * Ĉ(ŵ − 1) = μ̂_t − μ̂_s, i.e. ŵ = 1 + Ĉ⁺(μ̂_t − μ̂_s). For a well-conditioned Ĉ this is exactly
 * Ĉ⁻¹μ̂_t (because Ĉ·1 = μ̂_s); for a singular one it is the least-squares solution closest to "no shift",
 * where Ĉ⁺μ̂_t would instead pull the unobservable directions of ŵ towards 0. [our choice; a plain
 * least-squares (pseudo-inverse) fallback would not say which solution]
 */
import {
  checkConfusionAndMarginal,
  confusionLabelMarginal,
  confusionPredictedMarginal,
} from './confusion.js';
import { at } from '../indexing.js';
import { dot, matVec, singularValues, solveSquare, truncatedPseudoInverse, zipWith } from './linear-algebra.js';

export {
  jointConfusionHard,
  jointConfusionSoft,
  predictedMarginalHard,
  predictedMarginalSoft,
} from './confusion.js';

/** Common result of the closed-set weight estimators (BBSE, RLLS). */
export interface LabelShiftEstimate {
  /** Final importance weights q̂_j / p̂_s[j] (after clipping and renormalising). */
  weights: number[];
  /** Weights straight from the solver, before clipping at 0 and renormalising. */
  rawWeights: number[];
  /** q̂ = weights ⊙ p̂_s, summing to 1. */
  targetPrior: number[];
  /** p̂_s: column sums of Ĉ (validation label frequencies). */
  sourcePrior: number[];
  sigmaMin: number;
  condition: number;
  /** σ_min < 0.01·min_j p̂_s[j] or cond > 1e4: treat the estimate as unreliable. */
  illConditioned: boolean;
  /** Every weight was clipped to 0 (or p̂_s was empty): fell back to q̂ = p̂_s, ŵ = 1. */
  degenerate: boolean;
}

export interface BbseResult extends LabelShiftEstimate {
  method: 'solve' | 'pseudo-inverse';
}

export interface ConfusionConditioning {
  sigmaMin: number;
  condition: number;
  illConditioned: boolean;
  /** Singular values at or below this are dropped by the fallback pseudo-inverse. */
  cutoff: number;
}

const MAX_CONDITION = 1e4;
const SIGMA_MIN_FRACTION = 0.01;

/** σ_min, cond and the ill-conditioning flag (docs/algorithms.md#bbse) for a joint confusion matrix. */
export function confusionConditioning(c: readonly (readonly number[])[]): ConfusionConditioning {
  const s = singularValues(c);
  const sigmaMax = at(s, 0, 'confusionConditioning: singular values');
  const sigmaMin = at(s, s.length - 1, 'confusionConditioning: singular values');
  const condition = sigmaMin > 0 ? sigmaMax / sigmaMin : Infinity;
  const minPrior = Math.min(...confusionLabelMarginal(c));
  const illConditioned = sigmaMin < SIGMA_MIN_FRACTION * minPrior || condition > MAX_CONDITION;
  // "σ < cutoff" reproduces both flag conditions for each singular value.
  const cutoff = Math.max(SIGMA_MIN_FRACTION * minPrior, sigmaMax / MAX_CONDITION);
  return { sigmaMin, condition, illConditioned, cutoff };
}

/**
 * Clip at 0, then rescale so that q̂ = ŵ ⊙ p̂_s sums to 1 (docs/algorithms.md#bbse). Returns the fallback
 * (ŵ = 1, q̂ = p̂_s) when nothing positive is left.
 */
export function finaliseWeights(
  rawWeights: readonly number[],
  sourcePrior: readonly number[],
): { weights: number[]; targetPrior: number[]; degenerate: boolean } {
  const clipped = rawWeights.map((w) => (w > 0 ? w : 0));
  const mass = dot(clipped, sourcePrior);
  if (!(mass > 0) || !Number.isFinite(mass)) {
    const total = sourcePrior.reduce((s, p) => s + p, 0);
    const prior = total > 0 ? sourcePrior.map((p) => p / total) : sourcePrior.map(() => 1 / sourcePrior.length);
    return { weights: sourcePrior.map(() => 1), targetPrior: prior, degenerate: true };
  }
  const weights = clipped.map((w) => w / mass);
  return { weights, targetPrior: zipWith(weights, sourcePrior, (w, p) => w * p, 'finaliseWeights'), degenerate: false };
}

/** The raw BBSE solution of Ĉŵ = μ̂_t, falling back to the truncated pseudo-inverse when flagged. */
export function bbseRawWeights(
  c: readonly (readonly number[])[],
  muTarget: readonly number[],
  conditioning: ConfusionConditioning = confusionConditioning(c),
): { rawWeights: number[]; method: 'solve' | 'pseudo-inverse' } {
  if (!conditioning.illConditioned) {
    try {
      return { rawWeights: solveSquare(c, muTarget), method: 'solve' };
    } catch {
      // numerically singular despite passing the flag: use the fallback below
    }
  }
  const muSource = confusionPredictedMarginal(c);
  const { inverse } = truncatedPseudoInverse(c, conditioning.cutoff);
  const theta = matVec(inverse, zipWith(muTarget, muSource, (x, y) => x - y, 'bbse'));
  return { rawWeights: theta.map((t) => 1 + t), method: 'pseudo-inverse' };
}

/** BBSE from a joint confusion matrix Ĉ (hard or soft) and the window's mean prediction μ̂_t. */
export function bbse(c: readonly (readonly number[])[], muTarget: readonly number[]): BbseResult {
  checkConfusionAndMarginal(c, muTarget, 'bbse');
  const sourcePrior = confusionLabelMarginal(c);
  const conditioning = confusionConditioning(c);
  const { rawWeights, method } = bbseRawWeights(c, muTarget, conditioning);
  const final = finaliseWeights(rawWeights, sourcePrior);
  return {
    ...final,
    rawWeights,
    sourcePrior,
    sigmaMin: conditioning.sigmaMin,
    condition: conditioning.condition,
    illConditioned: conditioning.illConditioned,
    method,
  };
}
