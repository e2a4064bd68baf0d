/**
 * accuracy-floor: the model's accuracy without labels, judged against "no change". Every window
 * gets every estimator (label-free ones, "no change" and "last realized"), each with an interval
 * that says its kind: 'chunk' (the spread of the estimator's error over the reference's chunks,
 * before the stream has labels), 'aci' (adaptive conformal inference on its own recent errors, once
 * labels arrive) or a sampling interval where neither exists. The `selected` estimate is the one the
 * backtest picks (predictions/accuracy-backtest.ts). The detector fires when the headline's whole
 * interval lies below the configured floor.
 */
import { labelFreeAccuracy } from '../predictions/accuracy-estimates.js';
import { adaptiveHalfWidth, emptyBacktest, lastRealized, learn, publish, selectEstimator, type BacktestState } from '../predictions/accuracy-backtest.js';
import { LABEL_FREE_ESTIMATORS, type AccuracyEstimatorName } from '../predictions/estimators.js';
import { initialDriftState, type DriftState } from '../detect/drift-state.js';
import { alertEnvelope, type Alert } from '../alerts/alert.js';
import { StateDecodeError, type DetectorResult, type WindowDetector } from './contract.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep } from './sequential.js';
import { MIN_PREDICTIONS } from './label-shift.js';
import type { AccuracyDetails, AccuracyEstimate, IntervalKind, LabelShiftDetails } from './prediction-details.js';

export interface AccuracyState {
  drift: DriftState;
  backtest: BacktestState;
}

export const accuracyFloor: DetectorFactory = {
  name: 'accuracy-floor',
  create(model, settings): WindowDetector<AccuracyDetails, AccuracyState> | undefined {
    const ref = model.bundle.predictions;
    if (ref === undefined) return undefined;
    const options = settings.predictions;
    const backtest = options.accuracy;
    const params = sequentialParams(settings.sequential, 0);
    const chunkWidths = ref.nulls?.halfWidth ?? {};
    // ATC's bootstrap interval (the one costly sampling interval) only where the chunks give ATC no width.
    const sampling = chunkWidths['atc-ne'] === undefined || chunkWidths['atc-mc'] === undefined;
    return {
      name: 'accuracy-floor',
      stateVersion: 2, // 2: the backtest keeps cumulative totals per estimator
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState(), backtest: emptyBacktest() }),
      test(window, earlier, state): DetectorResult<AccuracyDetails> {
        const p = window.summary.predictions;
        const n = p?.n ?? 0;
        const rows: number[][] = [];
        for (let i = 0; i < n; i++) rows.push(p!.probs.slice(i * p!.classes, (i + 1) * p!.classes));
        const shares = (earlier.get('label-shift')?.details as LabelShiftDetails | undefined)?.classProportions.estimate ?? ref.sourcePrior;
        const { estimates, warnings } = n >= MIN_PREDICTIONS ? labelFreeAccuracy(ref, rows, shares, { sampling }) : { estimates: {}, warnings: [] };
        const points: Partial<Record<AccuracyEstimatorName, { estimate: number; sampling?: { lower: number; upper: number; kind: IntervalKind } }>> = {
          ...Object.fromEntries(Object.entries(estimates).map(([k, e]) => [k, { estimate: e.estimate, sampling: e.sampling }])),
          'no-change': { estimate: ref.sourceAccuracy },
        };
        const last = lastRealized(state.backtest);
        if (last !== undefined) points['last-realized'] = { estimate: last };
        const accuracy: AccuracyDetails['accuracy'] = {};
        for (const [key, point] of Object.entries(points)) {
          const name = key as AccuracyEstimatorName;
          const adaptive = adaptiveHalfWidth(state.backtest, backtest, name);
          const half = adaptive ?? chunkWidths[name];
          if (half !== undefined) accuracy[name] = around(point.estimate, half, adaptive !== undefined ? 'aci' : 'chunk');
          else if (point.sampling) accuracy[name] = { estimate: point.estimate, lower: point.sampling.lower, upper: point.sampling.upper, interval: point.sampling.kind };
          else accuracy[name] = { estimate: point.estimate, lower: 0, upper: 1, interval: 'chunk' };
        }
        const choice = selectEstimator(state.backtest, backtest, [...LABEL_FREE_ESTIMATORS, 'last-realized'].filter((e) => accuracy[e as AccuracyEstimatorName] !== undefined) as AccuracyEstimatorName[]);
        const estimateOf = (name: AccuracyEstimatorName) => {
          const estimate = accuracy[name];
          if (estimate === undefined) throw new RangeError(`accuracy-floor: no ${name} estimate in this window`);
          return estimate;
        };
        const chosen = estimateOf(choice.estimator);
        const selected = { estimator: choice.estimator, ...chosen, width: chosen.upper - chosen.lower };
        const headlineName = options.headline === 'selected' || accuracy[options.headline] === undefined ? selected.estimator : options.headline;
        const headline = { estimator: headlineName, ...estimateOf(headlineName) };
        const below = options.floor !== undefined && headline.upper < options.floor;
        const inputsShifted = ['feature-shift', 'covariate-shift'].some((d) => earlier.get(d as 'feature-shift')?.flagged);
        if (inputsShifted) warnings.push('the inputs shifted in this window: label-shift estimates and label-free accuracy assume they did not');
        return {
          detector: 'accuracy-floor',
          tested: n >= MIN_PREDICTIONS,
          statistic: options.floor === undefined ? 0 : (options.floor - headline.estimate) / Math.max(1e-9, (headline.upper - headline.lower) / 2),
          effect: options.floor === undefined ? 0 : options.floor - headline.estimate,
          effectName: 'accuracy_below_floor',
          // The interval decides: overwhelming evidence when the whole interval lies below the floor, none otherwise.
          pValue: below ? 1e-300 : 1,
          flagged: below,
          explanation: `accuracy ${headline.estimate.toFixed(3)} [${headline.lower.toFixed(3)}, ${headline.upper.toFixed(3)}] by ${headline.estimator} (${headline.interval} interval)` +
            (options.floor === undefined ? '' : below ? `, below the floor ${options.floor}` : `, floor ${options.floor}`),
          details: { n, accuracy, selected, headline, floor: options.floor, warnings },
        };
      },
      step(state, result, window) {
        const published = Object.fromEntries(Object.entries(result.details.accuracy).map(([k, e]) => [k, { estimate: e.estimate, halfWidth: (e.upper - e.lower) / 2 }]));
        const next = sequentialStep(params, state, result, window);
        return { ...next, state: { ...next.state, backtest: publish(state.backtest, { serial: window.serial, estimates: published }) } };
      },
      learn(state, realized) {
        const r = learn(state.backtest, backtest, realized);
        return { state: { ...state, backtest: r.state }, errors: r.errors };
      },
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        const h = result.details.headline;
        return {
          ...alertEnvelope({ model: model.name, detector: 'accuracy-floor', status: firing ? 'firing' : 'resolved', episodeId, window, step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect } }),
          features: [],
          accuracy: result.details,
          summary: firing
            ? `${model.name}: estimated accuracy (${h.estimator}) ${h.estimate.toFixed(3)} [${h.lower.toFixed(3)}, ${h.upper.toFixed(3)}] below the floor ${options.floor} in window ${window.id}`
            : `${model.name}: accuracy-floor episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState(raw) {
        const o = expectKeys('accuracy-floor', raw, ['drift', 'backtest']);
        return { drift: decodeDrift('accuracy-floor', o.drift), backtest: decodeBacktest(o.backtest) };
      },
      status: (state) => state.drift.status,
    };
  },
};

function around(estimate: number, half: number, interval: IntervalKind): AccuracyEstimate {
  return { estimate, lower: Math.max(0, estimate - half), upper: Math.min(1, estimate + half), interval };
}

function decodeBacktest(raw: unknown): BacktestState {
  const malformed = new StateDecodeError('accuracy-floor', 'the backtest state is malformed');
  const o = expectKeys('accuracy-floor', raw, ['pending', 'labelled', 'miscoverage', 'totals'], 'the backtest state');
  const map = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!Array.isArray(o.pending) || !Array.isArray(o.labelled) || !map(o.miscoverage) || !map(o.totals)) throw malformed;
  const number = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const estimatesOk = (e: unknown) => map(e) &&
    Object.values(e as object).every((x) => number(expectKeys('accuracy-floor', x, ['estimate', 'halfWidth'], 'a published estimate').estimate) && number((x as { halfWidth: unknown }).halfWidth));
  const ok = o.pending.every((p: unknown) => {
    const w = expectKeys('accuracy-floor', p, ['serial', 'estimates'], 'a published window');
    return Number.isInteger(w.serial) && estimatesOk(w.estimates);
  }) && o.labelled.every((l: unknown) => {
    const w = expectKeys('accuracy-floor', l, ['serial', 'estimates', 'accuracy', 'labeled', 'final'], 'a labelled window');
    return Number.isInteger(w.serial) && estimatesOk(w.estimates) && number(w.accuracy) && number(w.labeled) && typeof w.final === 'boolean';
  }) && Object.values(o.miscoverage as object).every(number) &&
    Object.values(o.totals as object).every((t) => {
      const total = expectKeys('accuracy-floor', t, ['windows', 'absError'], "an estimator's error totals");
      return number(total.windows) && number(total.absError);
    });
  if (!ok) throw malformed;
  return o as unknown as BacktestState;
}
