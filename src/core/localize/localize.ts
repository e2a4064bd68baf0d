/**
 * Per-window localisation (docs/algorithms.md#conditional-shift): p-values from the fit-time null, Benjamini–Hochberg
 * across features (optionally together with each feature's marginal test), a ranked list of
 * suspects, and the "when did it start" state of the time-series variant.
 *
 * Markov-blanket effect (docs/algorithms.md#conditional-shift). A change in feature j alone also changes the conditionals
 * p(x_k | x_{−k}) of j's Markov-blanket neighbours k, because x_j is in their conditioning set; H0_k
 * is then genuinely false, so the neighbours' p-values can be small and BH may flag them too. The
 * ranking separates the cause from its neighbours by the normalised score z_k = (S_k − mean
 * null)/sd null. Gaussian case: a mean shift δ of x_j gives the score difference δ·Σ⁻¹e_j, so
 * S_k = δ²(Σ⁻¹)_kj², while the null's scale of S_k grows like (Σ⁻¹)_kk (its noise is
 * e_kᵀ(Σ_w⁻¹ − Σ⁻¹)x). So z_j ∝ δ²(Σ⁻¹)_jj and z_k ∝ δ²(Σ⁻¹)_kj²/(Σ⁻¹)_kk, and positive
 * definiteness ((Σ⁻¹)_kj² < (Σ⁻¹)_kk(Σ⁻¹)_jj) puts the shifted feature first. Hence: findings are
 * ordered by adjusted p-value (strong evidence first) and, among ties (many features at the null's
 * floor 1/(B + 1) when the shift is strong), by z; `suspects` lists the flagged features in that
 * order, and a budget k (how many features were attacked) is read as its first k entries. Expect the
 * neighbours of a shifted feature further down the list, not absent from it.
 *
 * Combination with the marginal tests. When marginal p-values are given (KS for numeric, χ² for
 * categorical features), BH runs over all 2d hypotheses at once, so the window-level false alarm
 * rate stays at α while each finding says which test flagged it: 'conditional', 'marginal' or
 * 'both'.
 */
import { at } from '../indexing.js';
import { benjaminiHochberg } from '../stats/multiple-testing.js';
import { nullPValue, nullZScore, type NullDistribution } from './null.js';
import { scoreTimeNull, type TimeNull } from '../detect/time-null.js';

export type FeatureTestKind = 'numeric' | 'categorical';
export type FlaggedBy = 'conditional' | 'marginal' | 'both';

export interface LocalizeInput {
  /** Names of the statistics, in the null's order (numeric features, then categorical ones). */
  features: readonly string[];
  kinds: readonly FeatureTestKind[];
  /** The window's statistic per feature (S_j, or T_c for a categorical feature). */
  statistics: ArrayLike<number>;
  null: NullDistribution;
  /** BH level. */
  alpha: number;
  /** Optional marginal-test p-value per feature (same order; null or undefined: no marginal test). */
  marginalPValues?: readonly (number | null | undefined)[];
  /**
   * Optional time-ordered null of each statistic's z (same order; core/detect/time-null.ts): a
   * feature's p-value is then the larger of the bootstrap null's and the time-ordered one's, so a
   * conditional that swings with the time of day in the reference is not a shift.
   */
  timeNulls?: readonly (TimeNull | undefined)[];
}

export interface FeatureFinding {
  feature: string;
  kind: FeatureTestKind;
  /** 1-based position in the ranking. */
  rank: number;
  /** S_j (original units⁻²) or T_c. */
  statistic: number;
  /** (statistic − null mean)/null sd. */
  z: number;
  /** Conditional test's p-value from the null. */
  pValue: number;
  /** Its BH-adjusted value (over all hypotheses tested in the window). */
  adjustedP: number;
  marginalPValue: number | null;
  marginalAdjustedP: number | null;
  /** Which test(s) BH rejected; null when neither. */
  flagged: FlaggedBy | null;
  /** Window id where this feature's current flagged run began (time-series variant); null when not flagged or untracked. */
  since: string | null;
}

export interface WindowLocalization {
  /** Some hypothesis was rejected. */
  detected: boolean;
  alpha: number;
  /** All features, best suspect first. */
  ranked: FeatureFinding[];
  /** Flagged features in rank order. */
  suspects: string[];
  /** Window-level p-value: the smallest BH-adjusted p over all hypotheses (detected ⇔ pValue ≤ alpha). */
  pValue: number;
  /** Replicate window size of the null used. */
  nullWindowSize: number;
}

export function localizeWindow(input: LocalizeInput): WindowLocalization {
  const { features, kinds, statistics, alpha } = input;
  const d = features.length;
  const nulls = input.null.statistics;
  if (nulls.length !== d || kinds.length !== d || statistics.length !== d) {
    throw new RangeError(`localizeWindow: ${d} features, ${kinds.length} kinds, ${statistics.length} statistics, ${nulls.length} nulls`);
  }
  const zs = Array.from({ length: d }, (_, j) => nullZScore(at(nulls, j, 'feature nulls'), at(statistics, j, 'statistics')));
  const pValues = Array.from({ length: d }, (_, j) => {
    const p = nullPValue(at(nulls, j, 'feature nulls'), input.null.replicates, at(statistics, j, 'statistics'));
    const time = input.timeNulls?.[j];
    return time === undefined || Number.isNaN(at(zs, j, 'z-scores')) ? p : Math.max(p, scoreTimeNull(time, at(zs, j, 'z-scores')).pValue);
  });
  const marginal = input.marginalPValues;
  const marginalIndex: number[] = []; // feature index of each marginal hypothesis
  const all = [...pValues];
  if (marginal) {
    if (marginal.length !== d) throw new RangeError(`localizeWindow: ${marginal.length} marginal p-values for ${d} features`);
    marginal.forEach((p, j) => {
      if (typeof p === 'number' && !Number.isNaN(p)) {
        marginalIndex.push(j);
        all.push(Math.min(1, Math.max(0, p)));
      }
    });
  }
  const bh = benjaminiHochberg(all, alpha);
  const marginalP: (number | null)[] = new Array(d).fill(null);
  const marginalAdj: (number | null)[] = new Array(d).fill(null);
  const marginalRejected = new Array<boolean>(d).fill(false);
  marginalIndex.forEach((j, i) => {
    marginalP[j] = at(all, d + i, 'p-values');
    marginalAdj[j] = at(bh.adjusted, d + i, 'adjusted p-values');
    marginalRejected[j] = at(bh.rejected, d + i, 'rejections');
  });
  const findings: FeatureFinding[] = features.map((feature, j) => {
    const conditional = at(bh.rejected, j, 'rejections');
    const byMarginal = at(marginalRejected, j, 'marginal rejections');
    return {
      feature,
      kind: at(kinds, j, 'feature kinds'),
      rank: 0,
      statistic: at(statistics, j, 'statistics'),
      z: at(zs, j, 'z-scores'),
      pValue: at(pValues, j, 'p-values'),
      adjustedP: at(bh.adjusted, j, 'adjusted p-values'),
      marginalPValue: at(marginalP, j, 'marginal p-values'),
      marginalAdjustedP: at(marginalAdj, j, 'marginal adjusted p-values'),
      flagged: conditional && byMarginal ? 'both' : conditional ? 'conditional' : byMarginal ? 'marginal' : null,
      since: null,
    };
  });
  const best = (f: FeatureFinding): number => Math.min(f.adjustedP, f.marginalAdjustedP ?? 1);
  const zKey = (f: FeatureFinding): number => (Number.isNaN(f.z) ? -Infinity : f.z);
  findings.sort((a, b) => best(a) - best(b) || zKey(b) - zKey(a) || (a.marginalPValue ?? 1) - (b.marginalPValue ?? 1));
  findings.forEach((f, i) => (f.rank = i + 1));
  const suspects = findings.filter((f) => f.flagged !== null).map((f) => f.feature);
  return {
    detected: suspects.length > 0,
    alpha,
    ranked: findings,
    suspects,
    pValue: Math.min(1, ...bh.adjusted),
    nullWindowSize: input.null.windowSize,
  };
}

// ---------------------------------------------------------------------------------------------
// Time-series variant: when did the shift start?

/** A flagged run: the window where it began and how many windows it has lasted. */
export interface FlaggedRun {
  since: string;
  windows: number;
  /** Consecutive unflagged windows at its end (the run closes at `endAfter`). */
  quiet: number;
}

/** Small, bounded, JSON state: at most one run per feature plus one for the window-level decision. */
export interface OnsetState {
  stateVersion: 1;
  /** Unflagged windows in a row that end a run (1: the first quiet window ends it). */
  endAfter: number;
  detection: FlaggedRun | null;
  features: Record<string, FlaggedRun>;
}

export interface OnsetUpdate {
  /** Window id where the current detection run began (the first window whose statistic crossed); null when none. */
  detectedSince: string | null;
  /** Features whose flagged run began in this window. */
  started: string[];
  /** Features whose run ended with this window. */
  ended: string[];
}

export function createOnsetState(endAfter = 1): OnsetState {
  if (!(Number.isInteger(endAfter) && endAfter >= 1)) throw new RangeError(`endAfter must be a positive integer, got ${endAfter}`);
  return { stateVersion: 1, endAfter, detection: null, features: {} };
}

/**
 * Advances the runs with one window's result (windows in stream order) and writes each flagged
 * finding's `since`. Mutates `state` and `result.ranked[*].since`.
 */
export function updateOnset(state: OnsetState, windowId: string, result: WindowLocalization): OnsetUpdate {
  const step = (run: FlaggedRun | null, flagged: boolean): FlaggedRun | null => {
    if (flagged) return run === null ? { since: windowId, windows: 1, quiet: 0 } : { since: run.since, windows: run.windows + 1, quiet: 0 };
    if (run === null) return null;
    return run.quiet + 1 >= state.endAfter ? null : { ...run, windows: run.windows + 1, quiet: run.quiet + 1 };
  };
  state.detection = step(state.detection, result.detected);
  const started: string[] = [];
  const ended: string[] = [];
  const flagged = new Set(result.suspects);
  for (const feature of new Set([...Object.keys(state.features), ...flagged])) {
    const before = state.features[feature] ?? null;
    const after = step(before, flagged.has(feature));
    if (before === null && after !== null) started.push(feature);
    if (before !== null && after === null) ended.push(feature);
    if (after === null) delete state.features[feature];
    else state.features[feature] = after;
  }
  for (const f of result.ranked) f.since = f.flagged !== null ? (state.features[f.feature]?.since ?? null) : null;
  return { detectedSince: state.detection?.since ?? null, started, ended };
}
