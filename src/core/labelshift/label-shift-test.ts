/**
 * "Has the label distribution changed?" (docs/algorithms.md#label-shift-library): three tests of H0 q = π_s, each giving
 * { statistic, df, pValue } against a χ² reference.
 *  1. Pearson χ² homogeneity on the 2×K table of predicted-label counts (V vs window), after merging
 *     sparse classes. Valid because, with an invertible confusion matrix, q(ŷ) = p(ŷ) iff q = p.
 *  2. Wald test on the BBSE weights (delta method, plug-in Ĉ and μ̂_s).
 *  3. MLLS likelihood ratio 2·L(q̂) (docs/algorithms.md#mlls).
 */
import { chiSquareHomogeneity, chiSquareSurvival } from '../stats/chi-square.js';
import { bbseRawWeights, confusionConditioning } from './bbse.js';
import { checkConfusionAndMarginal, confusionPredictedMarginal } from './confusion.js';
import { at } from '../indexing.js';
import { cell, dot, matVec, truncatedPseudoInverse } from './linear-algebra.js';
import { mllsEm, mllsLogLikelihood, type MllsOptions } from './mlls.js';
import { toDenseRows, type Posteriors } from './posteriors.js';

export interface LabelShiftTestResult {
  statistic: number;
  df: number;
  pValue: number;
}

const NO_TEST: LabelShiftTestResult = { statistic: 0, df: 0, pValue: 1 };

/**
 * Pools sparse classes for the χ² test: while more than two groups remain and the group with the
 * smallest pooled count has an expected count below `minExpected` in either row, it is merged into the
 * next smallest group. Classes empty in both rows are dropped. Returns the groups (class indices).
 */
export function mergeSparseClasses(sourceCounts: readonly number[], windowCounts: readonly number[], minExpected = 5): number[][] {
  const rowA = sourceCounts.reduce((s, x) => s + x, 0);
  const rowB = windowCounts.reduce((s, x) => s + x, 0);
  const total = rowA + rowB;
  const groups = sourceCounts
    .map((a, k) => ({ members: [k], count: a + at(windowCounts, k, 'mergeSparseClasses: window counts') }))
    .filter((g) => g.count > 0);
  const byCount = (x: { count: number; members: number[] }, y: { count: number; members: number[] }) =>
    x.count - y.count || at(x.members, 0, 'class group') - at(y.members, 0, 'class group');
  while (groups.length > 2) {
    groups.sort(byCount);
    const smallest = at(groups, 0, 'mergeSparseClasses');
    if ((Math.min(rowA, rowB) * smallest.count) / total >= minExpected) break;
    const next = at(groups, 1, 'mergeSparseClasses');
    groups.splice(0, 2, { members: [...smallest.members, ...next.members].sort((x, y) => x - y), count: smallest.count + next.count });
  }
  return groups.map((g) => g.members).sort((x, y) => at(x, 0, 'class group') - at(y, 0, 'class group'));
}

/** Test 1: χ² homogeneity of predicted-label counts on V and in the window (sparse classes merged). */
export function predictedLabelChiSquareTest(
  sourceCounts: readonly number[],
  windowCounts: readonly number[],
  minExpected = 5,
): LabelShiftTestResult & { groups: number[][] } {
  if (sourceCounts.length !== windowCounts.length) throw new RangeError(`predictedLabelChiSquareTest: ${sourceCounts.length} vs ${windowCounts.length} classes`);
  const groups = mergeSparseClasses(sourceCounts, windowCounts, minExpected);
  const pool = (counts: readonly number[]) => groups.map((g) => g.reduce((s, k) => s + at(counts, k, 'class counts'), 0));
  return { ...chiSquareHomogeneity(pool(sourceCounts), pool(windowCounts)), groups };
}

/**
 * Test 2: Wald test of w = 1 on the raw BBSE weights. Under H0,
 * Cov(ŵ) ≈ Ĉ⁻¹(diag(μ̂_s) − μ̂_sμ̂_sᵀ)Ĉ⁻ᵀ·(1/m + 1/n); the statistic is (ŵ−1)ᵀCov⁺(ŵ−1) with df the rank
 * of Cov (K−1 normally: it is singular along the direction that fixes p̂_sᵀŵ = 1).
 * Note: since ŵ − 1 = Ĉ⁻¹(μ̂_t − μ̂_s), this equals Σ_k (μ̂_t,k − μ̂_s,k)²/μ̂_s,k / (1/m + 1/n), i.e. the
 * value does not depend on Ĉ; the test is a Pearson-type test on the predicted-label marginals.
 * For an ill-conditioned Ĉ the truncated pseudo-inverse replaces Ĉ⁻¹, as in bbse().
 */
export function bbseWaldTest(
  c: readonly (readonly number[])[],
  muTarget: readonly number[],
  validationSize: number,
  windowSize: number,
): LabelShiftTestResult {
  const K = checkConfusionAndMarginal(c, muTarget, 'bbseWaldTest');
  if (!(validationSize > 0) || !(windowSize > 0)) throw new RangeError('bbseWaldTest: sizes must be > 0');
  const conditioning = confusionConditioning(c);
  const { rawWeights, method } = bbseRawWeights(c, muTarget, conditioning);
  const inverse = truncatedPseudoInverse(c, method === 'solve' ? 0 : conditioning.cutoff).inverse;
  const muSource = confusionPredictedMarginal(c);
  const factor = 1 / windowSize + 1 / validationSize;
  // Cov = A Σ Aᵀ·factor with A = Ĉ⁻¹ (or Ĉ⁺) and Σ = diag(μ̂_s) − μ̂_sμ̂_sᵀ.
  const aMu = matVec(inverse, muSource);
  const cov = Array.from({ length: K }, (_, i) =>
    Array.from({ length: K }, (_, j) => {
      let diagonalPart = 0;
      for (let k = 0; k < K; k++) diagonalPart += cell(inverse, i, k, 'bbseWaldTest') * at(muSource, k) * cell(inverse, j, k, 'bbseWaldTest');
      return (diagonalPart - at(aMu, i) * at(aMu, j)) * factor;
    }),
  );
  const scale = Math.max(...cov.map((row, i) => Math.abs(at(row, i))));
  if (!(scale > 0)) return { ...NO_TEST };
  const { inverse: covPlus, rank } = truncatedPseudoInverse(cov, 1e-10 * scale);
  if (rank === 0) return { ...NO_TEST };
  const diff = rawWeights.map((w) => w - 1);
  const covPlusDiff = matVec(covPlus, diff);
  const statistic = Math.max(0, dot(diff, covPlusDiff));
  return { statistic, df: rank, pValue: chiSquareSurvival(statistic, rank) };
}

/**
 * Test 3: likelihood ratio Λ = 2·L(q̂) of "q free" against "q = π_s", df = (classes with π_s > 0) − 1.
 * q̂ is computed with mllsEm (with `emOptions`) unless given.
 */
export function mllsLikelihoodRatioTest(
  posteriors: Posteriors,
  sourcePrior: readonly number[],
  targetPrior?: readonly number[],
  emOptions: MllsOptions = {},
): LabelShiftTestResult {
  const d = toDenseRows(posteriors, 'mllsLikelihoodRatioTest');
  const q = targetPrior ?? mllsEm(d, sourcePrior, emOptions).targetPrior;
  const df = sourcePrior.filter((p) => p > 0).length - 1;
  if (df < 1) return { ...NO_TEST };
  const statistic = Math.max(0, 2 * mllsLogLikelihood(d, sourcePrior, q));
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}
