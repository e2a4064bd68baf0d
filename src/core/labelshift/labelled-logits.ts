/** Shape checks for a labelled calibration set: one logit row per point and an integer label in [0, K). */

/** Validates logits (n×K, finite) and labels (n integers in [0, K)); returns K. */
export function checkLabelledLogits(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  what: string,
): number {
  const n = logits.length;
  if (n === 0) throw new RangeError(`${what}: no calibration points`);
  if (labels.length !== n) throw new RangeError(`${what}: ${n} logit rows but ${labels.length} labels`);
  const K = logits[0]!.length;
  if (K < 2) throw new RangeError(`${what}: need at least 2 classes, got ${K}`);
  for (let i = 0; i < n; i++) {
    const row = logits[i]!;
    if (row.length !== K) throw new RangeError(`${what}: row ${i} has ${row.length} logits, expected ${K}`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`${what}: non-finite logit in row ${i}`);
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= K) throw new RangeError(`${what}: label ${y} (row ${i}) is not in [0, ${K})`);
  }
  return K;
}
