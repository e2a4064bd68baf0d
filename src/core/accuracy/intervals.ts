/**
 * Intervals for the accuracy estimates (docs/algorithms.md#accuracy-intervals). Sampling intervals (Wilson,
 * normal) only reflect the window's size; on real streams the error is dominated by the shift itself,
 * so once delayed labels exist prefer the split-conformal half-width from past errors. Every interval
 * says which kind it is.
 */
import { at } from '../indexing.js';
import { sortedQuantile } from '../labelshift/bootstrap.js';
import { wilsonInterval } from '../labelshift/intervals.js';
import { normalQuantile } from '../stats/normal.js';
import type { ConfidenceBaselineFit, ConfidenceSummary } from './baselines.js';
import { averageConfidence, docEstimate, windowConfidenceVariance } from './baselines.js';

export type IntervalKind = 'wilson' | 'normal' | 'bootstrap' | 'conformal';

export interface Interval {
  lower: number;
  upper: number;
  kind: IntervalKind;
}

function twoSidedZ(coverage: number): number {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage must be in (0, 1), got ${coverage}`);
  return normalQuantile(1 - (1 - coverage) / 2);
}

/**
 * Wilson interval for `successes` out of `n` window rows, as an Interval. The arithmetic
 * is the label-shift module's wilsonInterval; `successes` may be fractional (ATC's tie-weighted count).
 */
export function wilsonCountInterval(successes: number, n: number, coverage = 0.95): Interval {
  const [lower, upper] = wilsonInterval(successes, n, twoSidedZ(coverage));
  return { lower, upper, kind: 'wilson' };
}

/** Normal interval estimate ± z·√variance, clipped to [0, 1]. */
export function normalInterval(estimate: number, variance: number, coverage = 0.95): Interval {
  const half = twoSidedZ(coverage) * Math.sqrt(Math.max(0, variance));
  return { lower: Math.max(0, estimate - half), upper: Math.min(1, estimate + half), kind: 'normal' };
}

/**
 * AC interval. AC is a mean of values in [0, 1], not a count of successes, so the CLT interval with
 * the window's sample variance is used; a Wilson interval on AC would be valid but wider, because
 * such values have variance at most AC·(1 − AC).
 */
export function averageConfidenceInterval(summary: ConfidenceSummary, coverage = 0.95): Interval {
  return normalInterval(averageConfidence(summary), windowConfidenceVariance(summary) / summary.n, coverage);
}

/**
 * DoC interval by the delta method: the window mean and the source term (accuracy − mean confidence)
 * come from independent samples, so their variances add.
 */
export function docInterval(summary: ConfidenceSummary, fit: ConfidenceBaselineFit, coverage = 0.95): Interval {
  const variance = windowConfidenceVariance(summary) / summary.n + fit.sourceGapVariance / fit.n;
  return normalInterval(docEstimate(summary, fit), variance, coverage);
}

/**
 * Split-conformal half-width: the ⌈(n+1)·coverage⌉-th smallest past |estimate − realized| error.
 * Infinity when there are too few past errors for that rank to exist (never silently a smaller one).
 */
export function conformalHalfWidth(pastAbsErrors: readonly number[], coverage: number): number {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`conformalHalfWidth: coverage must be in (0, 1), got ${coverage}`);
  if (pastAbsErrors.some((e) => !(e >= 0))) throw new RangeError('conformalHalfWidth: errors must be absolute values (≥ 0, not NaN)');
  const n = pastAbsErrors.length;
  // The small offset keeps a product that should be an integer (e.g. 20 × 0.9) from rounding up a rank.
  const rank = Math.ceil((n + 1) * coverage - 1e-9);
  if (rank > n) return Infinity;
  const sorted = [...pastAbsErrors].sort((a, b) => a - b);
  return at(sorted, rank - 1, 'conformalHalfWidth: sorted errors');
}

/** estimate ± half-width from conformalHalfWidth, clipped to [0, 1]. */
export function conformalInterval(estimate: number, halfWidth: number): Interval {
  return { lower: Math.max(0, estimate - halfWidth), upper: Math.min(1, estimate + halfWidth), kind: 'conformal' };
}

/** Percentile with linear interpolation between order statistics (numpy's default), q in [0, 1]. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  return sortedQuantile([...values].sort((a, b) => a - b), q);
}

/** The wider of two intervals (ATC reports the wider of its sampling and threshold intervals). */
export function widerInterval(a: Interval, b: Interval): Interval {
  return b.upper - b.lower > a.upper - a.lower ? b : a;
}
