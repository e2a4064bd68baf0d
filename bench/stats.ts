/** Small summary statistics for benchmark figures. */
import { regularizedGammaQ } from '../src/core/stats/special.js';

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (type 7); NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Rounds for printing (keeps JSON readable); non-finite values become null. */
export function round(x: number, digits = 3): number | null {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** P(X <= n) for X ~ Poisson(lambda). */
function poissonCdf(n: number, lambda: number): number {
  return regularizedGammaQ(n + 1, lambda);
}

/**
 * Exact (Garwood) 95% interval for a Poisson mean given `n` observed events, by bisection on the
 * Poisson CDF: lower solves P(X >= n; λ) = 0.025 (0 when n = 0), upper solves P(X <= n; λ) = 0.025.
 */
export function poissonInterval(n: number, level = 0.95): [number, number] {
  const tail = (1 - level) / 2;
  const solve = (f: (lambda: number) => number): number => {
    let lo = 0;
    let hi = Math.max(10, 4 * n + 20);
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) hi = mid;
      else lo = mid;
    }
    return (lo + hi) / 2;
  };
  const lower = n === 0 ? 0 : solve((l) => 1 - poissonCdf(n - 1, l) - tail); // increasing in λ
  const upper = solve((l) => tail - poissonCdf(n, l)); // increasing in λ
  return [lower, upper];
}
