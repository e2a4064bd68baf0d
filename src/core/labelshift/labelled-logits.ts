/** Shape checks for a labelled calibration set: one logit row per point and an integer label in [0, K). */
import { at } from '../indexing.js';

/** Validates logits (n×K, finite) and labels (n integers in [0, K)); returns K. */
export function checkLabelledLogits(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  what: string,
): number {
  const n = logits.length;
  const [first] = logits;
  if (first === undefined) throw new RangeError(`${what}: no calibration points`);
  if (labels.length !== n) throw new RangeError(`${what}: ${n} logit rows but ${labels.length} labels`);
  const K = first.length;
  if (K < 2) throw new RangeError(`${what}: need at least 2 classes, got ${K}`);
  for (const [i, row] of logits.entries()) {
    if (row.length !== K) throw new RangeError(`${what}: row ${i} has ${row.length} logits, expected ${K}`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`${what}: non-finite logit in row ${i}`);
    const y = at(labels, i, `${what}: labels`);
    if (!Number.isInteger(y) || y < 0 || y >= K) throw new RangeError(`${what}: label ${y} (row ${i}) is not in [0, ${K})`);
  }
  return K;
}
