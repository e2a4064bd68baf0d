/**
 * CUSUM threshold for autocorrelated window evidence (docs/algorithms.md#cusum). Consecutive windows
 * of a seasonal stream are alike, so their evidence scores x_t = Φ⁻¹(1 − p_t) are positively
 * correlated even when nothing changed; a CUSUM whose h assumes independent windows then climbs
 * through every high phase of the cycle and alarms far more often than its target.
 *
 * Here the evidence is modelled as a stationary AR(1) with N(0, 1) marginals and lag-1 correlation
 * ρ (measured on the reference's consecutive chunks), and h is the threshold whose simulated
 * in-control average run length equals the target. The CUSUM path does not depend on h, so one set
 * of seeded paths serves every h: each path records its running maximum, the run length for h is the
 * first time that maximum exceeds h, and h is found by bisection on the mean over paths. With
 * ρ ≤ 0.05 Siegmund's closed form is used, as for independent windows.
 */
import { cusumThresholdForArl0 } from './cusum.js';
import { gaussian, seededRandom } from '../random.js';
import { at } from '../indexing.js';

/** Below this lag-1 correlation the windows are treated as independent. */
export const INDEPENDENT_LAG1 = 0.05;
/** Correlations above this are capped (a handful of chunks cannot support more). */
export const MAX_LAG1 = 0.9;

const cache = new Map<string, number>();

export function cusumThresholdForAr1(k: number, targetArl0: number, lag1: number): number {
  const rho = Math.min(MAX_LAG1, Math.max(0, Number.isFinite(lag1) ? lag1 : 0));
  if (rho <= INDEPENDENT_LAG1) return cusumThresholdForArl0(k, targetArl0);
  const key = `${k}|${targetArl0}|${rho.toFixed(3)}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const h = simulateThreshold(k, targetArl0, Number(rho.toFixed(3)));
  cache.set(key, h);
  return h;
}

function simulateThreshold(k: number, target: number, rho: number): number {
  const horizon = Math.ceil(10 * target);
  const paths = Math.max(100, Math.min(200, Math.floor(4e6 / horizon)));
  const normal = gaussian(seededRandom(0x5eed));
  const innovation = Math.sqrt(1 - rho * rho);
  const records: { times: number[]; maxima: number[] }[] = [];
  const hCap = 8 * cusumThresholdForArl0(k, target) / (1 - rho);
  for (let p = 0; p < paths; p++) {
    const times: number[] = [];
    const maxima: number[] = [];
    let x = normal();
    let s = 0;
    let max = 0;
    for (let t = 1; t <= horizon; t++) {
      x = rho * x + innovation * normal();
      s = Math.max(0, s + x - k);
      if (s > max) {
        max = s;
        times.push(t);
        maxima.push(s);
        if (s > hCap) break;
      }
    }
    records.push({ times, maxima });
  }
  const arl = (h: number) => {
    let sum = 0;
    for (const r of records) {
      const i = r.maxima.findIndex((m) => m > h);
      sum += i < 0 ? horizon : at(r.times, i, 'CUSUM record times');
    }
    return sum / records.length;
  };
  let lo = 0;
  let hi = hCap;
  if (arl(hi) < target) return hi;
  for (let i = 0; i < 60 && hi - lo > 1e-3; i++) {
    const mid = (lo + hi) / 2;
    if (arl(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
