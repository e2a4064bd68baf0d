/** Alerts of the covariate-shift detector: the joint distribution of the inputs moved under the reference flow. */
import { alertEnvelope, type Alert } from './alert.js';
import type { DriftParams, DriftStep } from '../detect/drift-state.js';
import type { FlowWindowResult } from '../flow/likelihood-tests.js';
import type { LocalizationReport } from '../pipeline/flow-detector.js';

export const COVARIATE_SHIFT_DETECTOR = 'covariate-shift';

export function buildFlowAlert(args: {
  model: string;
  window: { id: string; start: number; end: number };
  result: FlowWindowResult;
  /** The detector's window p-value (likelihood tests, combined with the conditional test when present). */
  pValue: number;
  localization?: LocalizationReport;
  step: DriftStep;
  params: DriftParams;
  episodeId: string;
}): Alert {
  const { model, window, result, step, params, localization } = args;
  const status = step.transition === 'fire' ? 'firing' : 'resolved';
  const direction = result.meanLogLikelihood < result.referenceMeanLogLikelihood ? 'less' : 'more';
  const what =
    `the inputs' joint distribution shifted (flow log-likelihood ${result.meanLogLikelihood.toFixed(2)} vs ` +
    `${result.referenceMeanLogLikelihood.toFixed(2)} in the reference: rows are ${direction} likely than expected; ` +
    `${(100 * result.oodFraction).toFixed(1)}% of rows out of distribution vs ${(100 * result.oodExpected).toFixed(1)}% expected)` +
    (localization && localization.suspects.length > 0 ? `; most likely from: ${localization.suspects.slice(0, 3).join(', ')}` : '');
  return {
    ...alertEnvelope({
      model, detector: COVARIATE_SHIFT_DETECTOR, status, episodeId: args.episodeId, step, params, pValue: args.pValue,
      window: { id: window.id, start: window.start, end: window.end, n: result.n },
    }),
    features: [],
    flow: result,
    ...(localization && status === 'firing' ? { localization: { ...localization, ranked: localization.ranked.slice(0, 10) } } : {}),
    summary: status === 'firing' ? `${model}: ${what} in window ${window.id}` : `${model}: covariate-shift episode ${args.episodeId} resolved at window ${window.id}`,
  };
}
