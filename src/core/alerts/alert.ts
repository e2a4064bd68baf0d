/**
 * Alerts (contract v1): one message per state change of a model's drift status. The id is a hash
 * of model, detector, transition and window id, so replaying the same window after a crash yields
 * the same id and consumers can de-duplicate by it.
 */
import { createHash } from 'node:crypto';
import type { FeatureResult, WindowEvaluation } from '../detect/feature-tests.js';
import type { DriftParams, DriftStep } from '../detect/drift-state.js';
import type { ClosedWindow } from '../window/windower.js';
import type { PredictionEvaluation } from '../predictions/evaluate-predictions.js';
import type { AccuracyEstimatorName } from '../predictions/estimators.js';
import type { FlowWindowResult } from '../flow/likelihood-tests.js';
import type { LocalizationReport } from '../pipeline/flow-detector.js';

export const FEATURE_SHIFT_DETECTOR = 'feature-shift';

/** A tested feature's result, with its rank in the alert (1 = most shifted). */
export type AlertFeature = { rank: number } & Omit<FeatureResult, 'tested' | 'n' | 'missingRatio'>;

export interface Alert {
  v: 1;
  alertId: string;
  model: string;
  detector: string;
  status: 'firing' | 'resolved';
  severity: 'drift';
  /** The id of the window that opened the episode; equal for its firing and resolved alerts. */
  episodeId: string;
  window: { id: string; start: number; end: number; n: number };
  statistic: { name: 'cusum'; value: number; threshold: number; evidence: number };
  pValue: number;
  ertTargetWindows: number;
  features: AlertFeature[];
  /** For the prediction detectors: the window's estimates. */
  predictions?: {
    accuracy: PredictionEvaluation['accuracy'];
    headline: AccuracyEstimatorName;
    classProportions: PredictionEvaluation['classProportions'];
    labelShiftTest: PredictionEvaluation['labelShiftTest'];
  };
  /** For the covariate-shift detector: the flow's tests of the window's log-likelihoods. */
  flow?: FlowWindowResult;
  /** For the covariate-shift detector: the conditional feature test's ranking (top 10) and onset. */
  localization?: LocalizationReport;
  summary: string;
}

export function alertId(model: string, detector: string, transition: string, windowId: string): string {
  return createHash('sha256').update(`${model}\u0000${detector}\u0000${transition}\u0000${windowId}`).digest('hex').slice(0, 32);
}

/** The fields every alert carries, whatever its detector. */
export function alertEnvelope(a: {
  model: string;
  detector: string;
  status: Alert['status'];
  episodeId: string;
  window: Alert['window'];
  step: DriftStep;
  params: DriftParams;
  pValue: number;
}): Omit<Alert, 'features' | 'summary'> {
  return {
    v: 1,
    alertId: alertId(a.model, a.detector, a.status, a.window.id),
    model: a.model,
    detector: a.detector,
    status: a.status,
    severity: 'drift',
    episodeId: a.episodeId,
    window: a.window,
    statistic: { name: 'cusum', value: a.step.cusum, threshold: a.params.h, evidence: a.step.evidence },
    pValue: a.pValue,
    ertTargetWindows: a.params.expectedRunTimeWindows,
  };
}

/** Flagged features first (smallest adjusted p, then largest effect), then the rest; at most `limit`. */
export function rankFeatures(results: readonly FeatureResult[], limit = 10): AlertFeature[] {
  const effect = (r: FeatureResult) => r.wassersteinNormalized ?? r.jsDistance ?? 0;
  return results
    .filter((r) => r.tested)
    .slice()
    .sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.adjustedP - b.adjustedP || a.pValue - b.pValue || effect(b) - effect(a))
    .slice(0, limit)
    .map(({ tested: _tested, n: _n, missingRatio: _missing, ...result }, i) => ({ rank: i + 1, ...result }));
}

export function buildAlert(args: {
  model: string;
  window: ClosedWindow;
  evaluation: WindowEvaluation;
  step: DriftStep;
  params: DriftParams;
  episodeId: string;
}): Alert {
  const { model, window, evaluation, step, params } = args;
  const transition = step.transition === 'fire' ? 'firing' : 'resolved';
  const features = transition === 'firing' ? rankFeatures(evaluation.features) : [];
  const flagged = features.filter((f) => f.flagged).map((f) => f.feature);
  const summary =
    transition === 'firing'
      ? `${model}: distribution shift detected in window ${window.id} (${evaluation.n} events); ` +
        (flagged.length > 0 ? `shifted features: ${flagged.join(', ')}` : 'no single feature significant after correction')
      : `${model}: drift episode ${args.episodeId} resolved at window ${window.id}`;
  return {
    ...alertEnvelope({
      model, detector: FEATURE_SHIFT_DETECTOR, status: transition, episodeId: args.episodeId, step, params, pValue: evaluation.windowP,
      window: { id: window.id, start: window.start, end: window.end, n: evaluation.n },
    }),
    features,
    summary,
  };
}

/** Alerts of the prediction detectors: the label mix changed, or estimated accuracy fell below the floor. */
export function buildPredictionAlert(args: {
  model: string;
  detector: 'label-shift' | 'accuracy-floor';
  window: { id: string; start: number; end: number; n: number };
  evaluation: PredictionEvaluation;
  step: DriftStep;
  params: DriftParams;
  episodeId: string;
  headline: AccuracyEstimatorName;
  floor: number | undefined;
}): Alert {
  const { model, detector, window, evaluation, step } = args;
  const status = step.transition === 'fire' ? 'firing' : 'resolved';
  const acc = evaluation.accuracy[args.headline];
  const what = detector === 'label-shift'
    ? `class mix changed (${evaluation.labelShiftTest.name} p=${evaluation.labelShiftTest.pValue.toExponential(2)})`
    : `estimated accuracy (${args.headline}) ${acc?.estimate.toFixed(3)} [${acc?.lower.toFixed(3)}, ${acc?.upper.toFixed(3)}] below the floor ${args.floor}`;
  const pValue = detector === 'label-shift' ? evaluation.labelShiftTest.pValue : acc !== undefined && args.floor !== undefined && acc.upper < args.floor ? 0 : 1;
  return {
    ...alertEnvelope({ model, detector, status, episodeId: args.episodeId, window, step, params: args.params, pValue }),
    features: [],
    predictions: { accuracy: evaluation.accuracy, headline: args.headline, classProportions: evaluation.classProportions, labelShiftTest: evaluation.labelShiftTest },
    summary: status === 'firing' ? `${model}: ${what} in window ${window.id}` : `${model}: ${detector} episode ${args.episodeId} resolved at window ${window.id}`,
  };
}
