/**
 * Covariate-shift tests on the flow's log-likelihoods (docs/algorithms.md#covariate-shift). A window's rows are scored by
 * the reference flow; their log-likelihoods are compared with those of the reference's held-out
 * calibration split, which the flow never trained on. Three tests, each with a closed-form null
 * under "the window's rows are drawn from the reference distribution, independently":
 *  - Mann–Whitney U, one-sided (window lower), normal approximation with tie correction;
 *  - out-of-distribution count: rows below the reference q-quantile, exact Binomial(m, q) tail;
 *  - typicality, two-sided: the window mean against the reference mean (flows can give some
 *    shifted data higher likelihood, e.g. a stuck sensor, so "too likely" alarms too). Both means
 *    are winsorized at the reference's 0.5% and 99.5% quantiles: log-likelihoods have a long lower
 *    tail, and one far-out row would otherwise move a window mean by more than its standard error
 *    allows (measured: false alarms on clean demo windows). Far-out rows are the OOD test's job.
 * The window p-value is their Bonferroni combination, min(1, 3·min p).
 */
import { at, outOfRange } from '../indexing.js';
import { normalCdf, normalScoreFromLogTail, normalSurvival, SCORE_FLOOR } from '../stats/normal.js';
import { binomialUpperTail } from '../stats/binomial.js';

export const FLOW_TEST_NAMES = ['mann_whitney', 'ood_binomial', 'typicality'] as const;
export type FlowTestName = (typeof FLOW_TEST_NAMES)[number];

/** Target OOD quantile; raised when the calibration split is too small to resolve it (needs ≥ 100/q rows). */
export const DEFAULT_OOD_QUANTILE = 0.01;
/** Share of each tail winsorized for the typicality test. */
const WINSOR = 0.005;

export interface LikelihoodReference {
  /** Calibration log-likelihoods, sorted ascending. */
  sorted: readonly number[];
  mean: number;
  /** Winsorizing bounds of the typicality test, and the winsorized mean and sd of the reference. */
  clip: { low: number; high: number; mean: number; sd: number };
  /** OOD quantile level q and its threshold τ_q. */
  oodQuantile: number;
  oodThreshold: number;
}

export interface FlowWindowResult {
  /** Rows scored, and rows skipped because a flow input was missing. */
  n: number;
  skipped: number;
  meanLogLikelihood: number;
  referenceMeanLogLikelihood: number;
  oodCount: number;
  oodFraction: number;
  oodExpected: number;
  /** Per test: its statistic, closed-form p-value and that p-value's normal score Φ⁻¹(1 − p). */
  tests: Record<FlowTestName, { statistic: number; pValue: number; score: number }>;
  /** Bonferroni combination of the closed-form p-values (valid for independent rows only). */
  windowP: number;
  /** |P(window row less likely than a reference row) − ½|, from U: how separable the window is. */
  separation: number;
}

export function likelihoodReference(calibration: readonly number[], targetQuantile = DEFAULT_OOD_QUANTILE): LikelihoodReference {
  const n = calibration.length;
  if (n < 100) throw new Error(`the flow's calibration split has ${n} rows; at least 100 are needed`);
  const sorted = [...calibration].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const low = at(sorted, Math.floor(WINSOR * n), 'sorted calibration log-likelihoods');
  const high = at(sorted, Math.ceil((1 - WINSOR) * n) - 1, 'sorted calibration log-likelihoods');
  const clipped = sorted.map((v) => Math.min(high, Math.max(low, v)));
  const clipMean = clipped.reduce((s, v) => s + v, 0) / n;
  const clipSd = Math.sqrt(clipped.reduce((s, v) => s + (v - clipMean) ** 2, 0) / (n - 1));
  const q = Math.max(targetQuantile, 100 / n);
  // τ_q: the smallest value with at least q·n calibration rows at or below it.
  const oodThreshold = at(sorted, Math.max(0, Math.ceil(q * n) - 1), 'sorted calibration log-likelihoods');
  return { sorted, mean, clip: { low, high, mean: clipMean, sd: clipSd }, oodQuantile: q, oodThreshold };
}

/** Number of sorted values strictly below v, and equal to v. */
function rankIn(sorted: readonly number[], v: number): { below: number; equal: number } {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? outOfRange('sorted reference log-likelihoods', mid, sorted)) < v) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end] === v) end++;
  return { below: lo, equal: end - lo };
}

export function testLogLikelihoods(ref: LikelihoodReference, values: ArrayLike<number>, skipped = 0): FlowWindowResult {
  const m = values.length;
  const n = ref.sorted.length;
  let sum = 0;
  let clippedSum = 0;
  let u = 0;
  let ood = 0;
  const { clip } = ref;
  for (let i = 0; i < m; i++) {
    const v = values[i] ?? outOfRange('window log-likelihoods', i, values);
    sum += v;
    clippedSum += Math.min(clip.high, Math.max(clip.low, v));
    const { below, equal } = rankIn(ref.sorted, v);
    // U counts pairs (window row, reference row) with the window row ranked higher.
    u += below + 0.5 * equal;
    // τ_q is itself the q-quantile, so "below τ" is strict: exactly q·n reference rows are at or below it.
    if (v < ref.oodThreshold) ood++;
  }
  const mean = sum / m;
  // Tie correction is negligible for continuous log-likelihoods; the plain variance is used.
  const zU = (u - (n * m) / 2) / Math.sqrt((n * m * (n + m + 1)) / 12);
  const t = (clippedSum / m - clip.mean) / (clip.sd / Math.sqrt(m));
  const oodP = binomialUpperTail(ood, m, ref.oodQuantile);
  const oodZ = (ood - m * ref.oodQuantile) / Math.sqrt(m * ref.oodQuantile * (1 - ref.oodQuantile));
  const typicalityP = Math.min(1, 2 * normalSurvival(Math.abs(t)));
  const tests: FlowWindowResult['tests'] = {
    // One-sided "window less likely": the score is −z.
    mann_whitney: { statistic: zU, pValue: normalCdf(zU), score: Math.max(SCORE_FLOOR, -zU) },
    ood_binomial: { statistic: ood, pValue: oodP, score: scoreOf(oodP, oodZ) },
    typicality: { statistic: t, pValue: typicalityP, score: scoreOf(typicalityP, Math.abs(t)) },
  };
  const minP = Math.min(...FLOW_TEST_NAMES.map((k) => tests[k].pValue));
  return {
    n: m,
    skipped,
    meanLogLikelihood: mean,
    referenceMeanLogLikelihood: ref.mean,
    oodCount: ood,
    oodFraction: ood / m,
    oodExpected: ref.oodQuantile,
    tests,
    windowP: Math.min(1, FLOW_TEST_NAMES.length * minP),
    separation: Math.abs(u / (n * m) - 0.5),
  };
}

/** Φ⁻¹(1 − p), or the test's own normal approximation once p underflows (evidence never saturates). */
function scoreOf(p: number, approximate: number): number {
  return p > 1e-290 ? Math.max(SCORE_FLOOR, normalScoreFromLogTail(Math.log(p))) : approximate;
}
