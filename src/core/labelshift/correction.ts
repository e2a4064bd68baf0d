/**
 * Using estimated weights w = q/p (docs/algorithms.md#label-shift-library): corrected posteriors and the
 * accuracy estimates that follow from the label-shift assumption.
 */
import { at } from '../indexing.js';
import { argmax } from './confusion.js';
import { cell, zipWith } from './linear-algebra.js';
import { toDenseRows, type Posteriors } from './posteriors.js';

/** p_t(y|x) = w_y·p_s(y|x) / Σ_k w_k·p_s(k|x). Falls back to p_s when every weighted entry is 0. */
export function correctPosterior(posterior: readonly number[], weights: readonly number[]): number[] {
  if (posterior.length !== weights.length) throw new RangeError(`correctPosterior: ${posterior.length} probabilities, ${weights.length} weights`);
  const weighted = zipWith(posterior, weights, (p, w) => p * w, 'correctPosterior');
  const total = weighted.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return [...posterior];
  return weighted.map((v) => v / total);
}

/** Accuracy of the unchanged classifier on the target: Σ_j w_j·Ĉ[j][j] (Ĉ the joint confusion on V). */
export function labelShiftAccuracy(c: readonly (readonly number[])[], weights: readonly number[]): number {
  if (c.length !== weights.length) throw new RangeError(`labelShiftAccuracy: ${c.length}×${c.length} confusion, ${weights.length} weights`);
  return weights.reduce((s, w, j) => s + w * cell(c, j, j, 'labelShiftAccuracy'), 0);
}

/**
 * Target accuracy of the corrected classifier, estimated on V (docs/algorithms.md#label-shift-library): predictions
 * argmax_k w_k·p_s(k|x_v), and Σ_v w_{y_v}·1[correct] / Σ_v w_{y_v}.
 */
export function correctedAccuracyOnValidation(
  validationPosteriors: Posteriors,
  labels: readonly number[],
  weights: readonly number[],
): number {
  const d = toDenseRows(validationPosteriors, 'correctedAccuracyOnValidation');
  if (d.rows !== labels.length) throw new RangeError(`correctedAccuracyOnValidation: ${d.rows} rows, ${labels.length} labels`);
  if (weights.length !== d.cols) throw new RangeError(`correctedAccuracyOnValidation: ${weights.length} weights for ${d.cols} classes`);
  let hit = 0;
  let total = 0;
  for (const [v, y] of labels.entries()) {
    if (!Number.isInteger(y) || y < 0 || y >= d.cols) throw new RangeError(`correctedAccuracyOnValidation: label ${y} out of range`);
    const row = Array.from(d.data.subarray(v * d.cols, (v + 1) * d.cols), (p, k) => p * at(weights, k));
    const weight = at(weights, y, 'correctedAccuracyOnValidation: weights');
    total += weight;
    if (argmax(row) === y) hit += weight;
  }
  return total > 0 ? hit / total : NaN;
}
