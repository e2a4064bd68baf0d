/**
 * Probability ↔ logit primitives shared by the label-shift estimators and their calibration maps.
 */
import { outOfRange } from '../indexing.js';

/** Probability floor used when turning probabilities into logits (docs/algorithms.md#calibration). */
export const PROBABILITY_FLOOR = 1e-12;

/** log Σ_k exp(z_k), shifted by the maximum so that large logits do not overflow. */
export function logSumExp(z: readonly number[]): number {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of z) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** Stable softmax: exp(z_k − max z) / Σ_l exp(z_l − max z). */
export function softmax(z: readonly number[]): number[] {
  return softmaxInPlace([...z]);
}

/** `softmax` written over its argument (no allocation: it runs once per event), which it returns. */
export function softmaxInPlace(z: number[]): number[] {
  if (z.length === 0) throw new RangeError('softmax: empty logit vector');
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  if (!Number.isFinite(max)) throw new RangeError(`softmax: logits must be finite (max ${max})`);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    const e = Math.exp((z[k] ?? outOfRange('softmax', k, z)) - max);
    z[k] = e;
    sum += e;
  }
  for (let k = 0; k < z.length; k++) z[k] = (z[k] ?? outOfRange('softmax', k, z)) / sum;
  return z;
}

/**
 * Logits for a producer that only sends probabilities (docs/algorithms.md#calibration): centred log-probabilities,
 * z_k = log(max(p_k, 1e-12)) − mean_l log(max(p_l, 1e-12)). softmax(z) gives back p (after flooring
 * and renormalising), and Σ_k z_k = 0.
 */
export function logitsFromProbs(p: readonly number[]): number[] {
  if (p.length === 0) throw new RangeError('logitsFromProbs: empty probability vector');
  const logs = p.map((v) => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`logitsFromProbs: probabilities must be finite and >= 0, got ${v}`);
    return Math.log(Math.max(v, PROBABILITY_FLOOR));
  });
  let mean = 0;
  for (const v of logs) mean += v;
  mean /= logs.length;
  for (let k = 0; k < logs.length; k++) logs[k] = (logs[k] ?? outOfRange('logitsFromProbs', k, logs)) - mean;
  return logs;
}
