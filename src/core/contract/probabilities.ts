/**
 * What counts as a vector of class probabilities, in events and in reference data alike: every
 * value in [0, 1] and a sum within PROBABILITY_SUM_TOLERANCE of 1. Within the tolerance the vector
 * is used as given (the calibration map normalises it); outside it the vector is refused, never
 * renormalised, because a model that emits [0.9, 0.9] is broken and its output says nothing.
 */

/**
 * |Σ p − 1| allowed. Generous enough for probabilities exported with 3 decimals for up to 20
 * classes (or float32 softmax outputs), tight enough to refuse [0.9, 0.9] and [0, 0].
 */
export const PROBABILITY_SUM_TOLERANCE = 0.01;

/** Undefined for a valid probability vector, else what is wrong with it (for a DLQ detail or an error). */
export function probabilityProblem(values: readonly number[]): string | undefined {
  let sum = 0;
  for (const p of values) {
    if (!(p >= 0 && p <= 1)) return `${formatNumber(p)} is not a probability in [0, 1]`;
    sum += p;
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    return `the probabilities sum to ${formatNumber(sum)}, not 1 (tolerance ±${PROBABILITY_SUM_TOLERANCE})`;
  }
  return undefined;
}

/** True when the values sum to 1 within the tolerance (their range is not checked). */
export function sumsToOne(values: readonly number[]): boolean {
  let sum = 0;
  for (const p of values) sum += p;
  return Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE;
}

function formatNumber(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : String(x);
}
