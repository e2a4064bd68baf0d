/**
 * Per-row confidence scores and the small probability helpers the accuracy estimators share.
 * A score is "higher = more confident", which is what the ATC threshold rule relies on.
 */

/** Largest class probability: the ATC-MC score, and the confidence that AC and DoC average. */
export function maxConfidence(p: readonly number[]): number {
  let best = -Infinity;
  for (const v of p) if (v > best) best = v;
  return best;
}

/**
 * Negative entropy Σ p log p (≤ 0; 0 for a one-hot row, −log K for a uniform row): the ATC-NE score.
 * Zero probabilities contribute nothing (0·log 0 is taken as 0) instead of producing NaN.
 */
export function negativeEntropy(p: readonly number[]): number {
  let sum = 0;
  for (const v of p) if (v > 0) sum += v * Math.log(v);
  return sum;
}

/** Score functions by name, so that the chosen ATC variant can be stored as plain JSON. */
export const SCORE_FUNCTIONS = { mc: maxConfidence, ne: negativeEntropy } as const;
export type ScoreName = keyof typeof SCORE_FUNCTIONS;

export { argmax } from '../labelshift/confusion.js';
import { argmax } from '../labelshift/confusion.js';
export { softmax } from '../labelshift/softmax.js';

/** log softmax, stable for large logits (used by the MaNo criterion Φ). */
export function logSoftmax(z: readonly number[]): number[] {
  const top = Math.max(...z);
  let total = 0;
  for (const v of z) total += Math.exp(v - top);
  const logTotal = top + Math.log(total);
  return z.map((v) => v - logTotal);
}

/** Logits recovered from probabilities (docs/algorithms.md#calibration): centred log-probabilities, floored at 1e-12. */
export { logitsFromProbs as centredLogits } from '../labelshift/softmax.js';

/** Whether each row's top-1 prediction equals its label (the `c_i` of the ATC fit). */
export function correctness(rows: readonly (readonly number[])[], labels: readonly number[]): boolean[] {
  if (rows.length !== labels.length) {
    throw new RangeError(`correctness: ${rows.length} rows but ${labels.length} labels`);
  }
  return rows.map((row, i) => argmax(row) === labels[i]);
}
