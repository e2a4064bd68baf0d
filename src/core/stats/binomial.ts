/** Exact binomial tails, summed in log space (stable for n up to millions and tiny p-values). */
import { logGamma } from './gamma.js';

/** P(X ≥ c) for X ~ Binomial(n, q). */
export function binomialUpperTail(c: number, n: number, q: number): number {
  if (c <= 0) return 1;
  if (c > n) return 0;
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  const logChoose = (k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  const logTerm = (k: number) => logChoose(k) + k * Math.log(q) + (n - k) * Math.log1p(-q);
  // Terms are unimodal in k with the mode near n·q: sum outward from the largest one in the tail.
  const start = Math.max(c, Math.min(n, Math.floor((n + 1) * q)));
  const peak = logTerm(start);
  let sum = 0;
  for (let k = start; k <= n; k++) {
    const t = Math.exp(logTerm(k) - peak);
    sum += t;
    if (t < 1e-17 * sum) break;
  }
  for (let k = start - 1; k >= c; k--) {
    const t = Math.exp(logTerm(k) - peak);
    sum += t;
    if (t < 1e-17 * sum) break;
  }
  return Math.min(1, Math.exp(peak + Math.log(sum)));
}
