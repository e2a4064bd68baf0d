/**
 * Standard normal distribution: CDF, survival function and quantile, all accurate far into the tails.
 */
import { regularizedGammaP, regularizedGammaQ } from './gamma.js';
import { at } from '../indexing.js';

/**
 * Upper tail 1 − Φ(x). Uses erfc(z) = Q(½, z²), so values down to ~1e-308 keep their relative accuracy
 * (about 1e-13; the rounding of x² is the limiting factor far out).
 */
export function normalSurvival(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 1;
  const z = (x * x) / 2;
  return x >= 0 ? 0.5 * regularizedGammaQ(0.5, z) : 0.5 + 0.5 * regularizedGammaP(0.5, z);
}

/** Φ(x), accurate in the lower tail (Φ(−x) is computed as the upper tail at x). */
export function normalCdf(x: number): number {
  return normalSurvival(-x);
}

// Wichura (1988), Algorithm AS 241 (PPND16): rational approximations, relative error about 1e-16.
const CENTRAL_NUM = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const CENTRAL_DEN = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852545925,
];
const NEAR_NUM = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const NEAR_DEN = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const FAR_NUM = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const FAR_DEN = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

/** Polynomial with coefficients in increasing powers, evaluated by Horner's rule. */
function poly(coeffs: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) acc = acc * x + at(coeffs, i, 'polynomial coefficients');
  return acc;
}

/** Φ⁻¹(p) for p in (0, 1) (Wichura's AS 241); throws RangeError otherwise. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(CENTRAL_NUM, r)) / poly(CENTRAL_DEN, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(NEAR_NUM, r) / poly(NEAR_DEN, r);
  } else {
    r -= 5;
    x = poly(FAR_NUM, r) / poly(FAR_DEN, r);
  }
  return q < 0 ? -x : x;
}

const HALF_LOG_2PI = 0.9189385332046728;

/**
 * Normal scores of test evidence are clamped below at −3 (p ≈ 0.9987): everything below means "no
 * evidence", and discrete tests (few categories, tied values) put atoms at p = 1 whose scores would
 * otherwise inflate the variance of a null without telling anything about a shift.
 */
export const SCORE_FLOOR = -3;

/**
 * The normal score x with 1 − Φ(x) = exp(logTail): Φ⁻¹(1 − p) for tails too small for a double
 * (a shift that is obvious should still rank above one that is merely certain). Below 1e-290 it
 * solves the asymptotic series log(1 − Φ(x)) ≈ −x²/2 − log x − ½ log 2π + log(1 − 1/x² + 3/x⁴)
 * by Newton's method.
 */
export function normalScoreFromLogTail(logTail: number): number {
  if (Number.isNaN(logTail)) return NaN;
  if (logTail >= 0) return -Infinity;
  if (logTail > -667) {
    const p = Math.exp(logTail);
    return p >= 0.5 ? normalQuantile(1 - p) : -normalQuantile(p);
  }
  const target = logTail;
  let x = Math.sqrt(-2 * target);
  for (let i = 0; i < 50; i++) {
    const x2 = x * x;
    const series = 1 - 1 / x2 + 3 / (x2 * x2);
    const f = -x2 / 2 - Math.log(x) - HALF_LOG_2PI + Math.log(series) - target;
    const df = -x - 1 / x + (2 / (x2 * x) - 12 / (x2 * x2 * x)) / series;
    const step = f / df;
    x -= step;
    if (Math.abs(step) < 1e-12 * x) break;
  }
  return x;
}
