/**
 * The compact, stable view of one closed window that `shiftwatch replay` writes (windows.jsonl) and
 * `/status` shows: the window, its features ranked, every detector's state and per-window flag, the
 * accuracy estimates with their interval kinds, the selected estimate and the class shares. A flag
 * (this window alone is significant) and an alert (the detector's state changed) stay distinct.
 */
import type { WindowReport } from './monitor.js';
import type { WindowEvaluation } from '../detect/feature-tests.js';
import type { AccuracyDetails, AccuracyEstimate, LabelShiftDetails } from '../detectors/prediction-details.js';
import { rankFeatures } from '../alerts/alert.js';

export interface WindowRecord {
  window: { id: string; serial: number; start: number; end: number; count: number };
  features: { name: string; statistic: number; effect: number; pValue: number; flagged: boolean; context?: true }[];
  detectors: Record<string, { state: string; statistic: number; pValue: number; flagged: boolean; tested: boolean }>;
  accuracy?: Record<string, AccuracyEstimate>;
  selected?: { estimator: string; estimate: number; lower: number; upper: number; interval: string };
  /** Estimated class shares with their interval, and the reference mix ("no change"). */
  classShares?: { estimate: number[]; lower: number[]; upper: number[]; reference: number[] };
  realized?: { accuracy: number; classShares: number[]; n: number };
}

export function windowRecord(report: WindowReport): WindowRecord {
  const { window, detectors } = report;
  const evaluation = detectors['feature-shift']?.result.details as WindowEvaluation | undefined;
  const features = evaluation === undefined ? [] : rankFeatures(evaluation.features, evaluation.features.length).map((f) => ({
    name: f.feature, statistic: f.statistic, effect: f.effect, pValue: f.pValue, flagged: f.flagged, ...(f.context ? { context: true as const } : {}),
  }));
  const record: WindowRecord = {
    window: { id: window.id, serial: window.serial, start: window.start, end: window.end, count: window.n },
    features,
    detectors: Object.fromEntries(Object.entries(detectors).map(([name, o]) => [name, {
      state: o.status, statistic: o.result.statistic, pValue: o.result.pValue, flagged: o.result.flagged, tested: o.result.tested,
    }])),
  };
  const accuracy = detectors['accuracy-floor']?.result;
  if (accuracy?.tested) {
    const d = accuracy.details as AccuracyDetails;
    record.accuracy = d.accuracy as Record<string, AccuracyEstimate>;
    const { estimator, estimate, lower, upper, interval } = d.selected;
    record.selected = { estimator, estimate, lower, upper, interval };
  }
  const labelShift = detectors['label-shift']?.result;
  if (labelShift?.tested) {
    const { estimate, lower, upper, reference } = (labelShift.details as LabelShiftDetails).classProportions;
    record.classShares = { estimate, lower, upper, reference };
  }
  return record;
}
