/**
 * Helpers for the one-sided CUSUM that accumulates window evidence: Siegmund's approximation of the
 * in-control average run length, the threshold that achieves a target run length, and the mapping
 * from a p-value to a standard-normal evidence score.
 */
import { normalQuantile } from './special.js';

/** Siegmund's correction of the threshold for the overshoot of a normal CUSUM. */
const OVERSHOOT = 1.166;

/**
 * Siegmund's approximation of ARL0 for a CUSUM on N(0,1) increments with reference value k and
 * threshold h: (exp(2kb) − 2kb − 1) / (2k²), b = h + 1.166. Tends to b² as k → 0.
 */
export function siegmundArl0(k: number, h: number): number {
  if (!Number.isFinite(k) || !Number.isFinite(h)) throw new RangeError(`siegmundArl0: k and h must be finite (${k}, ${h})`);
  const b = h + OVERSHOOT;
  const x = 2 * k * b;
  if (Math.abs(x) < 1e-5) return b * b * (1 + x / 3 + (x * x) / 12); // series of (e^x − x − 1)/(x²/2)
  return (Math.expm1(x) - x) / (2 * k * k);
}

/**
 * The threshold h > 0 with siegmundArl0(k, h) = targetArl0, by bisection (the ARL grows with h for any
 * k). Throws RangeError when the target is not above the ARL at h = 0.
 */
export function cusumThresholdForArl0(k: number, targetArl0: number): number {
  if (!Number.isFinite(targetArl0)) throw new RangeError(`cusumThresholdForArl0: target must be finite, got ${targetArl0}`);
  if (!(targetArl0 > siegmundArl0(k, 0))) {
    throw new RangeError(`cusumThresholdForArl0: target ${targetArl0} is not above ARL0 at h=0 (${siegmundArl0(k, 0)})`);
  }
  let lo = 0;
  let hi = 1;
  while (siegmundArl0(k, hi) < targetArl0) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) throw new RangeError(`cusumThresholdForArl0: target ${targetArl0} is out of reach for k=${k}`);
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (siegmundArl0(k, mid) < targetArl0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** p-values above this are treated as this, so p = 1 maps to a finite score (about −7.03). */
export const EVIDENCE_P_CEILING = 1 - 1e-12;

/**
 * Evidence score x = Φ⁻¹(1 − p), computed as −Φ⁻¹(p) so tiny p stay accurate; p is first clamped to
 * [floor, 1 − 1e-12] (p = 1e-300 → about 37.05, p = 0.5 → 0, p = 1 → about −7.03).
 */
export function pValueToEvidence(p: number, floor = 1e-300): number {
  if (Number.isNaN(p)) throw new RangeError('pValueToEvidence: p is NaN');
  if (!(floor > 0 && floor < 0.5)) throw new RangeError(`pValueToEvidence: floor must be in (0, 0.5), got ${floor}`);
  const clamped = Math.min(EVIDENCE_P_CEILING, Math.max(floor, p));
  return 0 - normalQuantile(clamped); // not -q: p = 0.5 must give +0, not -0
}
