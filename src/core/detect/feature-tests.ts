/**
 * Per-feature two-sample tests of one window against the reference, calibrated against the
 * reference's own time-ordered variation, corrected across features, and the window-level evidence
 * that drives the feature-shift detector.
 *
 * Each feature gets a closed-form test (KS on the reference's bins for numeric features, chi-square
 * with unseen categories for categorical ones) whose evidence is expressed as a normal score
 * (Φ⁻¹(1 − p), which never saturates). The bundle's time-ordered null of that score (time-null.ts)
 * turns it into the feature's p-value: a feature whose score swings with the time of day in the
 * reference is only flagged when it swings further than the reference's own chunks did. A feature
 * is flagged when its corrected p-value is below alpha AND its effect size exceeds the floor: the
 * larger of the configured floor and what the reference's chunks reached (a large, stable seasonal
 * swing is not a shift). Context features (declared seasonal keys) are tested and reported but
 * never count towards the window's evidence.
 */
import type { FeatureReference, NumericFeatureReference, CategoricalFeatureReference, FeatureNull } from '../reference/bundle-types.js';
import type { FeatureSummary, NumericSummary, CategoricalSummary, WindowSummary } from '../window/summary.js';
import { ksNormalScore, ksStatisticFromCounts } from '../stats/ks.js';
import { chiSquareHomogeneity, chiSquareScore } from '../stats/chi-square.js';
import { normalSurvival, SCORE_FLOOR } from '../stats/normal.js';
import { applyGrouping, jensenShannonDistance, psi, referenceGrouping, wasserstein1Binned } from '../stats/distances.js';
import { benjaminiHochberg, bonferroni } from '../stats/multiple-testing.js';
import { scoreTimeNull } from './time-null.js';
import { at } from '../indexing.js';

export interface TestOptions {
  alpha: number;
  correction: 'bh' | 'bonferroni';
  /** A feature with fewer non-missing values in the window is reported but not tested. */
  minFeatureValues: number;
  /** Smallest effect that can flag a feature: W1/σ for numeric features, Jensen–Shannon distance for categorical ones. */
  effectFloor?: { numeric: number; categorical: number };
}

export interface FeatureResult {
  feature: string;
  kind: 'numeric' | 'categorical';
  test: 'ks' | 'chi2';
  tested: boolean;
  /** A declared context feature: reported, never alerts on its own. */
  context: boolean;
  /** Non-missing values of this feature in the window. */
  n: number;
  missingRatio: number;
  /** KS D (numeric) or the chi-square statistic (categorical). */
  statistic: number;
  /** The closed-form test's evidence as a normal score, Φ⁻¹(1 − p_closed). */
  score: number;
  /** The score in units of the reference's time-ordered null (the score itself without a null). */
  z: number;
  /** p-value under the time-ordered null (the closed form without a null). */
  pValue: number;
  /** Corrected across the window's tested features (BH q-value or Bonferroni). */
  adjustedP: number;
  flagged: boolean;
  /** The effect that must clear the floor: W1/σ (numeric) or JS distance (categorical). */
  effect: number;
  /** The floor it had to clear in this window. */
  effectFloor: number;
  wassersteinNormalized?: number;
  psi: number;
  jsDistance?: number;
  /** Categories never seen in the reference, most frequent first (at most 5). */
  unseenCategories?: string[];
}

export interface WindowEvaluation {
  n: number;
  features: FeatureResult[];
  /** Bonferroni over the tested non-context features whose effect clears the floor (1 if none). */
  windowP: number;
  /** Whether the features' p-values come from a time-ordered null. */
  timeOrdered: boolean;
}

const PSI_GROUPS = 10;
const NO_EVIDENCE = SCORE_FLOOR;

/** A feature with fewer non-missing values in a window is reported but not tested. */
export const DEFAULT_MIN_FEATURE_VALUES = 20;
export const DEFAULT_EFFECT_FLOOR = { numeric: 0, categorical: 0 } as const;

export function evaluateWindow(
  refs: readonly FeatureReference[],
  summary: WindowSummary,
  options: TestOptions,
  nulls?: readonly FeatureNull[],
  context: ReadonlySet<string> = new Set(),
): WindowEvaluation {
  const floors = options.effectFloor ?? DEFAULT_EFFECT_FLOOR;
  const raw = refs.map((ref, j) => {
    const r = testFeature(ref, at(summary.features, j, 'window feature summaries'), summary.n, options.minFeatureValues);
    const n = nulls?.[j];
    if (r.tested && n !== undefined) Object.assign(r, scoreTimeNull(n.score, r.score));
    r.context = context.has(ref.name);
    r.effectFloor = Math.max(ref.kind === 'numeric' ? floors.numeric : floors.categorical, n?.effectCeiling ?? 0);
    return r;
  });
  const tested = raw.filter((r) => r.tested);
  const ps = tested.map((r) => r.pValue);
  const corrected = options.correction === 'bh' ? benjaminiHochberg(ps, options.alpha) : bonferroni(ps, options.alpha);
  tested.forEach((r, i) => {
    r.adjustedP = at(corrected.adjusted, i, 'adjusted p-values');
    r.flagged = at(corrected.rejected, i, 'rejections') && r.effect > r.effectFloor;
  });
  const evidence = raw.filter((r) => r.tested && !r.context);
  const gated = evidence.map((r) => (r.effect > r.effectFloor ? r.pValue : 1));
  const windowP = gated.length === 0 ? 1 : Math.min(1, gated.length * Math.min(...gated));
  return { n: summary.n, features: raw, windowP, timeOrdered: nulls !== undefined && nulls.some((n) => n.score.chunks > 0) };
}

/** One feature's closed-form test and effect sizes (p-value and z filled by the caller's null). */
export function testFeature(ref: FeatureReference, s: FeatureSummary, windowN: number, minValues: number): FeatureResult {
  const n = windowN - s.missing;
  const tested = n >= minValues;
  const base = { feature: ref.name, n, tested, context: false, missingRatio: windowN === 0 ? 0 : s.missing / windowN, adjustedP: 1, flagged: false, effectFloor: 0 };
  if (ref.kind === 'numeric' && s.kind === 'numeric') {
    const r = numericResult(ref, s, n);
    return { ...base, kind: 'numeric', test: 'ks', ...r, ...closedForm(r.score, tested) };
  }
  if (ref.kind === 'categorical' && s.kind === 'categorical') {
    const r = categoricalResult(ref, s);
    return { ...base, kind: 'categorical', test: 'chi2', ...r, ...closedForm(r.score, tested) };
  }
  throw new Error(`feature "${ref.name}": summary kind ${s.kind} does not match reference kind ${ref.kind}`);
}

function closedForm(score: number, tested: boolean): { z: number; pValue: number } {
  if (!tested) return { z: 0, pValue: 1 };
  return { z: score, pValue: score <= NO_EVIDENCE ? 1 : normalSurvival(score) };
}

function numericResult(ref: NumericFeatureReference, s: NumericSummary, n: number) {
  if (n === 0) return { statistic: 0, score: NO_EVIDENCE, psi: 0, wassersteinNormalized: 0, effect: 0 };
  const statistic = ksStatisticFromCounts(ref.counts, s.counts);
  const grouping = referenceGrouping(ref.counts, PSI_GROUPS);
  const w1 = wasserstein1Binned(ref.edges, ref.counts, s.counts, { below: 0, above: 0 }, s.tail);
  const wassersteinNormalized = ref.std > 0 ? w1 / ref.std : w1;
  return {
    statistic,
    score: Math.max(NO_EVIDENCE, ksNormalScore(statistic, ref.n, n)),
    psi: psi(applyGrouping(ref.counts, grouping), applyGrouping(s.counts, grouping)),
    wassersteinNormalized,
    effect: wassersteinNormalized,
  };
}

function categoricalResult(ref: CategoricalFeatureReference, s: CategoricalSummary) {
  const known = new Set(ref.categories);
  const unseen = Object.entries(s.counts)
    .filter(([k]) => !known.has(k))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const refCounts = [...ref.counts, ...unseen.map(() => 0)];
  const winCounts = [...ref.categories.map((c) => s.counts[c] ?? 0), ...unseen.map(([, c]) => c)];
  if (winCounts.every((c) => c === 0)) return { statistic: 0, score: NO_EVIDENCE, psi: 0, jsDistance: 0, effect: 0, unseenCategories: [] };
  const chi = chiSquareHomogeneity(refCounts, winCounts);
  const jsDistance = jensenShannonDistance(refCounts, winCounts);
  return {
    statistic: chi.statistic,
    score: chi.df === 0 ? NO_EVIDENCE : chiSquareScore(chi.statistic, chi.df, chi.pValue),
    psi: psi(refCounts, winCounts),
    jsDistance,
    effect: jsDistance,
    unseenCategories: unseen.slice(0, 5).map(([k]) => k),
  };
}
