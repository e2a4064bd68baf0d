/**
 * Calibration maps for label-shift estimation (docs/algorithms.md#calibration): p_cal(·|x) = softmax(z/T + b).
 * 'none' is T = 1, b = 0; 'temperature' fits T with b = 0; 'bcts' fits T and a per-class bias.
 * The same fitted map must be applied to the validation set (to get π_s) and to every window.
 */
import { at } from '../indexing.js';
import { fitBcts } from './bcts.js';
import { checkLabelledLogits } from './labelled-logits.js';
import { logSumExp, logitsFromProbs, softmax, softmaxInPlace } from './softmax.js';

export { fitBcts, type BctsFit } from './bcts.js';
export { logitsFromProbs, softmax };

export type CalibrationKind = 'none' | 'temperature' | 'bcts';

/** Serialisable calibration map. `bias` has K entries summing to 0 (all zero unless kind is 'bcts'). */
export interface Calibration {
  kind: CalibrationKind;
  T: number;
  bias: number[];
}

/** The parameters applyCalibration needs; a missing bias means b = 0. */
export interface CalibrationParameters {
  T: number;
  bias?: readonly number[];
}

/** z/T + b: the calibrated logits. */
export function calibratedLogits(logits: readonly number[], cal: CalibrationParameters): number[] {
  if (!(cal.T > 0) || !Number.isFinite(cal.T)) throw new RangeError(`calibration: T must be finite and > 0, got ${cal.T}`);
  const bias = cal.bias;
  if (bias && bias.length !== logits.length) throw new RangeError(`calibration: ${bias.length} biases for ${logits.length} logits`);
  return logits.map((z, k) => z / cal.T + (bias ? at(bias, k, 'calibration: bias') : 0));
}

/** Calibrated probabilities softmax(z/T + b) for one point. */
export function applyCalibration(logits: readonly number[], cal: CalibrationParameters): number[] {
  return softmaxInPlace(calibratedLogits(logits, cal));
}

/** Mean negative log-likelihood of the labels under softmax(z/T + b); T = 1, b = 0 by default. */
export function nll(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  cal: CalibrationParameters = { T: 1 },
): number {
  checkLabelledLogits(logits, labels, 'nll');
  let total = 0;
  for (const [i, row] of logits.entries()) {
    const u = calibratedLogits(row, cal);
    total += logSumExp(u) - at(u, at(labels, i, 'nll: labels'), 'nll: calibrated logits');
  }
  return total / logits.length;
}

export interface TemperatureFit {
  T: number;
  iterations: number;
  /** False when the optimum lies at a search bound (T = 1e-4 or 1e4), e.g. perfectly separable data. */
  converged: boolean;
  nll: number;
}

const BETA_MIN = 1e-4;
const BETA_MAX = 1e4;

/** Mean derivative and second derivative of the NLL with respect to β = 1/T. */
function inverseTemperatureDerivatives(logits: readonly (readonly number[])[], labels: readonly number[], beta: number) {
  let g = 0;
  let h = 0;
  for (const [i, z] of logits.entries()) {
    const p = softmax(z.map((v) => beta * v));
    let mean = 0;
    for (let k = 0; k < z.length; k++) mean += at(p, k) * at(z, k);
    let variance = 0;
    for (let k = 0; k < z.length; k++) variance += at(p, k) * (at(z, k) - mean) ** 2;
    g += mean - at(z, at(labels, i, 'fitTemperature: labels'), 'fitTemperature: logits');
    h += variance;
  }
  return { g: g / logits.length, h: h / logits.length };
}

/**
 * Temperature scaling: the T > 0 minimising the validation NLL of softmax(z/T).
 * The NLL is convex in β = 1/T (the logits enter linearly), so its derivative in β is increasing;
 * we find the root by Newton's method safeguarded by bisection (in log β) on [1e-4, 1e4]. That is the
 * same minimiser as optimising over log T, but with a guaranteed bracket and deterministic steps.
 */
export function fitTemperature(logits: readonly (readonly number[])[], labels: readonly number[]): TemperatureFit {
  checkLabelledLogits(logits, labels, 'fitTemperature');
  const finish = (beta: number, iterations: number, converged: boolean): TemperatureFit => ({
    T: 1 / beta,
    iterations,
    converged,
    nll: nll(logits, labels, { T: 1 / beta }),
  });
  let lo = BETA_MIN;
  let hi = BETA_MAX;
  if (inverseTemperatureDerivatives(logits, labels, lo).g >= 0) return finish(lo, 0, false);
  if (inverseTemperatureDerivatives(logits, labels, hi).g <= 0) return finish(hi, 0, false);
  let beta = 1;
  for (let it = 1; it <= 200; it++) {
    const { g, h } = inverseTemperatureDerivatives(logits, labels, beta);
    if (g === 0) return finish(beta, it, true);
    if (g < 0) lo = beta;
    else hi = beta;
    let next = h > 0 ? beta - g / h : NaN;
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi);
    if (Math.abs(next - beta) <= 1e-13 * beta || hi - lo <= 1e-13 * lo) return finish(next, it, true);
    beta = next;
  }
  return finish(beta, 200, false);
}

/** The identity map (kind 'none') for K classes. */
export function identityCalibration(K: number): Calibration {
  return { kind: 'none', T: 1, bias: new Array<number>(K).fill(0) };
}

/** Fits the requested kind of calibration map on labelled validation logits. */
export function fitCalibration(kind: CalibrationKind, logits: readonly (readonly number[])[], labels: readonly number[]): Calibration {
  const K = checkLabelledLogits(logits, labels, 'fitCalibration');
  if (kind === 'none') return identityCalibration(K);
  if (kind === 'temperature') return { kind, T: fitTemperature(logits, labels).T, bias: new Array<number>(K).fill(0) };
  const fit = fitBcts(logits, labels);
  return { kind, T: fit.T, bias: fit.bias };
}
