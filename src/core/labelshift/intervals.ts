/**
 * Interval and tail helpers for proportions: the Wilson score interval and the
 * exact upper tail of a binomial distribution.
 */
import { logGamma } from '../stats/gamma.js';
import { normalQuantile } from '../stats/normal.js';

/**
 * Wilson score interval for a proportion with `successes` out of `n`:
 * centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·sqrt(p̂(1−p̂)/n + z²/4n²).
 * Default z is the two-sided 95 % normal quantile.
 */
export function wilsonInterval(successes: number, n: number, z = normalQuantile(0.975)): [number, number] {
  if (!(n > 0) || !(successes >= 0 && successes <= n)) throw new RangeError(`wilsonInterval: need 0 <= successes <= n, n > 0 (got ${successes}, ${n})`);
  if (!(z > 0)) throw new RangeError(`wilsonInterval: z must be > 0, got ${z}`);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** log P(X = k) for X ~ Bin(n, p), 0 < p < 1. */
function logBinomialPmf(k: number, n: number, p: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Σ pmf(j) for j from `from` stepping by `step` while inside [0, n], stopping once terms are negligible. */
function tailSum(from: number, step: 1 | -1, n: number, p: number): number {
  let sum = 0;
  for (let j = from; j >= 0 && j <= n; j += step) {
    const term = Math.exp(logBinomialPmf(j, n, p));
    sum += term;
    const movingAwayFromMode = step === 1 ? j >= n * p : j <= n * p;
    if (movingAwayFromMode && term <= 1e-17 * sum) break;
  }
  return sum;
}

/**
 * Exact P(X >= k) for X ~ Bin(n, p). Sums the pmf over whichever tail is the short side of the mean,
 * so small upper tails keep their relative accuracy.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomialUpperTail: n must be an integer >= 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialUpperTail: p must be in [0, 1], got ${p}`);
  if (!Number.isInteger(k)) throw new RangeError(`binomialUpperTail: k must be an integer, got ${k}`);
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  if (k > n * p) return Math.min(1, tailSum(k, 1, n, p));
  return Math.max(0, 1 - tailSum(k - 1, -1, n, p));
}
