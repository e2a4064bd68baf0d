/**
 * Two-sample Kolmogorov–Smirnov test: the statistic from raw samples or from counts on shared bins,
 * and its p-value (exact for small samples, asymptotic with Stephens' correction otherwise).
 */
import { normalScoreFromLogTail } from './normal.js';
import { at } from '../indexing.js';

/** Largest n·m for which ksPValue uses the exact distribution. */
export const KS_EXACT_MAX_PRODUCT = 10000;

/**
 * Kolmogorov's limiting survival function Q(x) = P(K > x) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²).
 * Below x = 1.18 the alternating sum converges slowly, so there we use the theta-function form of
 * the CDF, P(K ≤ x) = (√(2π)/x) Σ_{k≥1} exp(−(2k−1)²π²/(8x²)), and return 1 minus it.
 */
export function kolmogorovSurvival(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x < 1.18) {
    const w = (Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      cdf += term;
      if (term < cdf * 1e-17) break;
    }
    return Math.max(0, Math.min(1, 1 - (Math.sqrt(2 * Math.PI) / x) * cdf));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term <= Math.abs(sum) * 1e-17) break;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

function checkCounts(name: string, counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`${name}: counts must be finite and >= 0, got ${c}`);
    total += c;
  }
  if (total === 0) throw new RangeError(`${name}: counts sum to 0`);
  return total;
}

/**
 * KS statistic between two histograms over the same ordered bins: the largest gap between the
 * cumulative fractions at any bin boundary. Throws RangeError on length mismatch or an empty side.
 */
export function ksStatisticFromCounts(refCounts: readonly number[], winCounts: readonly number[]): number {
  if (refCounts.length !== winCounts.length) {
    throw new RangeError(`ksStatisticFromCounts: ${refCounts.length} reference bins vs ${winCounts.length} window bins`);
  }
  const nRef = checkCounts('ksStatisticFromCounts(ref)', refCounts);
  const nWin = checkCounts('ksStatisticFromCounts(window)', winCounts);
  let cumRef = 0;
  let cumWin = 0;
  let d = 0;
  for (const [i, refCount] of refCounts.entries()) {
    cumRef += refCount;
    cumWin += at(winCounts, i, 'ksStatisticFromCounts window counts');
    d = Math.max(d, Math.abs(cumRef / nRef - cumWin / nWin));
  }
  return d;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact P(D ≥ d) for sample sizes n, m under H0: the share of monotone lattice paths from (0,0) to
 * (n,m) that reach |i/n − j/m| ≥ d. With h = round(d·lcm) the band test is done in integers:
 * |i·(m/g) − j·(n/g)| ≥ h. r(i,j), the share of paths to (i,j) that have already left the band, obeys
 * r = 1 outside the band and r(i,j) = (i·r(i−1,j) + j·r(i,j−1)) / (i+j) inside (Viehmann 2021), which
 * has no subtraction, so small p-values keep their relative accuracy.
 */
function ksExactPValue(d: number, n: number, m: number): number {
  const g = gcd(n, m);
  const ng = n / g;
  const mg = m / g;
  const h = Math.round(d * ng * m);
  if (h <= 0) return 1;
  const row = new Float64Array(m + 1); // row[j] = r(i, j) for the current i
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (Math.abs(i * mg - j * ng) >= h) row[j] = 1;
      else if (i === 0 && j === 0) row[j] = 0;
      else row[j] = (i * at(row, j, 'KS path row') + j * (j > 0 ? at(row, j - 1, 'KS path row') : 0)) / (i + j);
    }
  }
  return at(row, m, 'KS path row');
}

/**
 * Two-sided two-sample p-value P(D ≥ d) for sample sizes n and m. Exact when n·m ≤ 10 000 (same
 * recursion family as scipy's method='exact'); otherwise Kolmogorov's limit with Stephens' correction,
 * Q_KS((√e + 0.12 + 0.11/√e)·d) with e = n·m/(n+m). Result clamped to [0, 1].
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) {
    throw new RangeError(`ksPValue: sample sizes must be positive integers, got ${n}, ${m}`);
  }
  if (Number.isNaN(d)) throw new RangeError('ksPValue: d is NaN');
  if (d <= 0) return 1;
  if (n * m <= KS_EXACT_MAX_PRODUCT) return Math.max(0, Math.min(1, ksExactPValue(Math.min(d, 1), n, m)));
  return Math.max(0, Math.min(1, kolmogorovSurvival(stephensScaled(d, n, m))));
}

/** Stephens' scaling of D for the asymptotic distribution, (√e + 0.12 + 0.11/√e)·d with e = n·m/(n+m). */
function stephensScaled(d: number, n: number, m: number): number {
  const en = Math.sqrt((n * m) / (n + m));
  return (en + 0.12 + 0.11 / en) * d;
}

/**
 * The KS test's evidence as a normal score, Φ⁻¹(1 − p), without the underflow of p: where p is
 * below 1e-290 its log is log 2 − 2λ² (the later terms of Kolmogorov's series are negligible there).
 */
export function ksNormalScore(d: number, n: number, m: number): number {
  const p = ksPValue(d, n, m);
  if (p > 1e-290) return normalScoreFromLogTail(Math.log(p));
  const lambda = stephensScaled(d, n, m);
  return normalScoreFromLogTail(Math.LN2 - 2 * lambda * lambda);
}

function sortedFinite(name: string, values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError(`ksTwoSample: sample ${name} is empty`);
  for (const v of values) if (Number.isNaN(v)) throw new RangeError(`ksTwoSample: sample ${name} contains NaN`);
  return [...values].sort((x, y) => x - y);
}

/**
 * Two-sample KS test on raw values. Tied values are stepped over together in both samples before
 * the empirical CDFs are compared, so ties never inflate the statistic.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): { statistic: number; pValue: number } {
  const x = sortedFinite('a', a);
  const y = sortedFinite('b', b);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(at(x, i, 'ksTwoSample sample a'), at(y, j, 'ksTwoSample sample b'));
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return { statistic: d, pValue: ksPValue(d, x.length, y.length) };
}
