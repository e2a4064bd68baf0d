/**
 * The accuracy detector's memory, as plain bounded data: what it published for recent windows and,
 * once their labels arrived, how wrong each estimator was. From it come
 *  - the `selected` estimator: the one with the lowest mean |error| over the recent labelled
 *    windows, provided it beats "no change" there (else "no change" itself);
 *  - each estimator's interval once labels exist: adaptive conformal inference (Gibbs & Candès,
 *    2021): the half-width is the conformal (1 − α_t) quantile of its recent |errors|, and α_t moves
 *    by γ·(target − miss) after each labelled window, so the width follows the current error level
 *    rather than the worst window ever seen;
 *  - the "last realized" baseline: the most recent window's realized accuracy.
 * A window's error is provisional while labels still arrive; its conformal update is made once, when
 * a newer window gets labels (by then its own labels have mostly arrived).
 */
import type { AccuracyEstimatorName } from './estimators.js';
import { at } from '../indexing.js';

export interface PublishedWindow {
  serial: number;
  /** Per estimator: the estimate and interval half-width this window carried. */
  estimates: Partial<Record<AccuracyEstimatorName, { estimate: number; halfWidth: number }>>;
}

export interface LabelledWindow extends PublishedWindow {
  accuracy: number;
  labeled: number;
  /** Its conformal update has been made. */
  final: boolean;
}

export interface BacktestState {
  /** Recently published windows not yet labelled, oldest first (bounded). */
  pending: PublishedWindow[];
  /** Recently labelled windows, oldest first (bounded by the backtest length). */
  labelled: LabelledWindow[];
  /** α_t of adaptive conformal inference, per estimator. */
  miscoverage: Partial<Record<AccuracyEstimatorName, number>>;
  /** Per estimator, over every finalised labelled window so far: windows and Σ|error|. */
  totals: Partial<Record<AccuracyEstimatorName, { windows: number; absError: number }>>;
}

export interface BacktestSettings {
  coverage: number;
  backtestWindows: number;
  minBacktestWindows: number;
  aciStep: number;
}

/** Windows remembered while they wait for labels. */
export const MAX_PENDING = 64;

export function emptyBacktest(): BacktestState {
  return { pending: [], labelled: [], miscoverage: {}, totals: {} };
}

/** Remembers what a window published (bounded, oldest dropped). */
export function publish(state: Readonly<BacktestState>, window: PublishedWindow): BacktestState {
  const pending = [...state.pending.filter((p) => p.serial !== window.serial), window].slice(-MAX_PENDING);
  return { ...state, pending };
}

/** The realized accuracy of a window arrived (or grew): the next state, and each estimator's error on it. */
export function learn(
  state: Readonly<BacktestState>,
  settings: BacktestSettings,
  realized: { serial: number; accuracy: number; labeled: number },
): { state: BacktestState; errors: Partial<Record<AccuracyEstimatorName, number>> | undefined } {
  const known = state.labelled.find((l) => l.serial === realized.serial) ?? state.pending.find((p) => p.serial === realized.serial);
  if (known === undefined) return { state: { ...state }, errors: undefined };
  const entry: LabelledWindow = { serial: known.serial, estimates: known.estimates, accuracy: realized.accuracy, labeled: realized.labeled, final: 'final' in known ? (known as LabelledWindow).final : false };
  let miscoverage = { ...state.miscoverage };
  let totals = { ...state.totals };
  const labelled = state.labelled.filter((l) => l.serial !== entry.serial).map((l) => {
    if (l.final || l.serial >= entry.serial) return l;
    miscoverage = conformalUpdate(miscoverage, l, settings);
    totals = addToTotals(totals, l);
    return { ...l, final: true };
  });
  labelled.push(entry);
  labelled.sort((a, b) => a.serial - b.serial);
  const errors: Partial<Record<AccuracyEstimatorName, number>> = {};
  for (const [name, e] of Object.entries(entry.estimates)) errors[name as AccuracyEstimatorName] = e.estimate - entry.accuracy;
  return {
    state: { pending: state.pending.filter((p) => p.serial !== entry.serial), labelled: labelled.slice(-settings.backtestWindows), miscoverage, totals },
    errors,
  };
}

function addToTotals(totals: BacktestState['totals'], w: LabelledWindow): BacktestState['totals'] {
  const next = { ...totals };
  for (const [name, e] of Object.entries(w.estimates)) {
    const t = next[name as AccuracyEstimatorName] ?? { windows: 0, absError: 0 };
    next[name as AccuracyEstimatorName] = { windows: t.windows + 1, absError: t.absError + Math.abs(e.estimate - w.accuracy) };
  }
  return next;
}

function conformalUpdate(miscoverage: BacktestState['miscoverage'], w: LabelledWindow, settings: BacktestSettings): BacktestState['miscoverage'] {
  const target = 1 - settings.coverage;
  const next = { ...miscoverage };
  for (const [name, e] of Object.entries(w.estimates)) {
    const key = name as AccuracyEstimatorName;
    const miss = Math.abs(e.estimate - w.accuracy) > e.halfWidth ? 1 : 0;
    const alpha = (next[key] ?? target) + settings.aciStep * (target - miss);
    next[key] = Math.min(0.5, Math.max(0, alpha));
  }
  return next;
}

/** Recent |errors| of one estimator, oldest first. */
export function recentErrors(state: Readonly<BacktestState>, name: AccuracyEstimatorName): number[] {
  return state.labelled.flatMap((l) => {
    const e = l.estimates[name];
    return e === undefined ? [] : [Math.abs(e.estimate - l.accuracy)];
  });
}

/**
 * ACI half-width of an estimator: the conformal (1 − α_t) quantile of its recent |errors|; undefined
 * until it has `minBacktestWindows` of them. α_t = 0 (after many misses) gives the largest error.
 */
export function adaptiveHalfWidth(state: Readonly<BacktestState>, settings: BacktestSettings, name: AccuracyEstimatorName): number | undefined {
  const errors = recentErrors(state, name).sort((a, b) => a - b);
  if (errors.length < settings.minBacktestWindows) return undefined;
  const alpha = state.miscoverage[name] ?? 1 - settings.coverage;
  const rank = Math.min(errors.length, Math.max(1, Math.ceil((errors.length + 1) * (1 - alpha) - 1e-9)));
  return at(errors, rank - 1, 'recent errors');
}

/** One-sided paired t an estimator's recent advantage over "no change" must reach (noise on a few labelled windows is not a win). */
export const SELECTION_T = 2;

/**
 * The estimator with the lowest recent mean |error| among those that beat "no change" on the
 * recent labelled windows clearly (a paired t of |error_no-change| − |error_it| of at least
 * SELECTION_T over at least `minBacktestWindows` windows) and are no worse than "no change" over
 * every labelled window so far (a lucky stretch of an estimator that is usually worse does not get
 * it published); "no change" otherwise.
 */
export function selectEstimator(state: Readonly<BacktestState>, settings: BacktestSettings, candidates: readonly AccuracyEstimatorName[]): { estimator: AccuracyEstimatorName; mae: number | undefined } {
  const noChange = recentErrors(state, 'no-change');
  const baseline = noChange.length < settings.minBacktestWindows ? undefined : noChange.reduce((s, x) => s + x, 0) / noChange.length;
  const overall = (name: AccuracyEstimatorName) => {
    const t = state.totals[name];
    return t === undefined || t.windows < settings.minBacktestWindows ? undefined : t.absError / t.windows;
  };
  const baselineOverall = overall('no-change');
  let best: { estimator: AccuracyEstimatorName; mae: number | undefined } = { estimator: 'no-change', mae: baseline };
  if (baseline === undefined || baselineOverall === undefined) return best;
  for (const name of candidates) {
    const gains = state.labelled.flatMap((l) => {
      const e = l.estimates[name];
      const n = l.estimates['no-change'];
      return e === undefined || n === undefined ? [] : [Math.abs(n.estimate - l.accuracy) - Math.abs(e.estimate - l.accuracy)];
    });
    if (gains.length < settings.minBacktestWindows) continue;
    const mean = gains.reduce((s, x) => s + x, 0) / gains.length;
    const sd = Math.sqrt(gains.reduce((s, x) => s + (x - mean) ** 2, 0) / (gains.length - 1));
    const clearly = sd === 0 ? mean > 0 : mean / (sd / Math.sqrt(gains.length)) >= SELECTION_T;
    const o = overall(name);
    const mae = recentErrors(state, name).reduce((s, x) => s + x, 0) / gains.length;
    if (clearly && o !== undefined && o <= baselineOverall && mae < (best.mae ?? Infinity)) best = { estimator: name, mae };
  }
  return best;
}

/** The latest labelled window's realized accuracy (the "last realized" baseline). */
export function lastRealized(state: Readonly<BacktestState>): number | undefined {
  return state.labelled.at(-1)?.accuracy;
}
