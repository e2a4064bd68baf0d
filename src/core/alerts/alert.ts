/**
 * Alerts (contract v1): one message per state change of a model's drift status. The id is a hash
 * of model, detector, transition and window id, so replaying the same window after a crash yields
 * the same id and consumers can de-duplicate by it.
 */
import { createHash } from 'node:crypto';
import type { FeatureResult } from '../detect/feature-tests.js';
import type { DriftParams, DriftStep } from '../detect/drift-state.js';
import type { FlowWindowResult } from '../flow/likelihood-tests.js';
import type { ClassShares } from '../predictions/class-shares.js';
import type { RegressionEvaluation } from '../predictions/regression-reference.js';
import type { WindowLocalization } from '../localize/localize.js';
import type { AccuracyDetails, LabelShiftDetails } from '../detectors/prediction-details.js';

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
  /** The window that caused the transition; `serial` is the model's window sequence number. */
  window: { id: string; serial: number; start: number; end: number; n: number };
  statistic: { name: 'cusum'; value: number; threshold: number; evidence: number };
  /** The window's p-value under the reference's time-ordered null. */
  pValue: number;
  /** The window's effect size, in the detector's own units. */
  effect: { name: string; value: number };
  ertTargetWindows: number;
  features: AlertFeature[];
  /** label-shift: the window's class proportions and the calibrated test. */
  classProportions?: ClassShares;
  labelShiftTest?: LabelShiftDetails['test'];
  /** accuracy-floor: every estimate, the selected one and the headline. */
  accuracy?: AccuracyDetails;
  /** covariate-shift: the flow's tests of the window's log-likelihoods, and the conditional test's suspects. */
  flow?: FlowWindowResult;
  suspects?: string[];
  /** conditional-shift: the ranking (top 10) and since when the shift has been detected. */
  localization?: WindowLocalization & { detectedSince: string | null };
  /** target-shift: the estimated target distribution. */
  regression?: RegressionEvaluation;
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
  window: { id: string; serial: number; start: number; end: number; n: number };
  step: DriftStep;
  params: DriftParams;
  pValue: number;
  effect: { name: string; value: number };
}): Omit<Alert, 'features' | 'summary'> {
  const { id, serial, start, end, n } = a.window;
  return {
    v: 1,
    alertId: alertId(a.model, a.detector, a.status, a.window.id),
    model: a.model,
    detector: a.detector,
    status: a.status,
    severity: 'drift',
    episodeId: a.episodeId,
    window: { id, serial, start, end, n },
    statistic: { name: 'cusum', value: a.step.cusum, threshold: a.params.h, evidence: a.step.evidence },
    pValue: a.pValue,
    effect: a.effect,
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
