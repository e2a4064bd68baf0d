/**
 * The sequential part every detector shares: a CUSUM over the windows' calibrated p-values (the
 * drift state of core/detect/drift-state.ts), with its threshold h set for the detector's own
 * lag-1 correlation between consecutive windows (measured on the reference's chunks), so a
 * seasonal stream does not walk the CUSUM over h every cycle.
 */
import { restoreDriftState, stepDrift, type DriftParams, type DriftState } from '../detect/drift-state.js';
import { cusumThresholdForAr1 } from '../stats/cusum-ar1.js';
import { StateDecodeError, type DetectorResult, type StepOutcome, type WindowView } from './contract.js';

export interface SequentialSettings {
  k: number;
  expectedRunTimeWindows: number;
  alpha: number;
  cooldownWindows: number;
  resolveAfterCleanWindows: number;
}

/** The detector's CUSUM parameters, h chosen for its evidence's lag-1 correlation. */
export function sequentialParams(s: SequentialSettings, lag1 = 0): DriftParams {
  return {
    k: s.k,
    h: cusumThresholdForAr1(s.k, s.expectedRunTimeWindows, lag1),
    alpha: s.alpha,
    expectedRunTimeWindows: s.expectedRunTimeWindows,
    resolveAfterCleanWindows: s.resolveAfterCleanWindows,
    cooldownWindows: s.cooldownWindows,
  };
}

/** States that carry a drift state (most detectors' whole state). */
export interface SequentialState {
  drift: DriftState;
}

/** Steps the CUSUM with the result's p-value, without touching `state`. */
export function sequentialStep<S extends SequentialState>(params: DriftParams, state: Readonly<S>, result: DetectorResult, window: WindowView): StepOutcome<S> {
  const drift = { ...state.drift };
  const step = stepDrift(params, drift, result.pValue, window.id);
  return { state: { ...state, drift }, step };
}

const DRIFT_KEYS: readonly (keyof DriftState)[] = ['stateVersion', 'status', 'cusum', 'cleanStreak', 'cooldownLeft', 'episode', 'windowsSeen'];

/** Decodes the drift part of a state, or throws naming the detector. */
export function decodeDrift(detector: string, raw: unknown): DriftState {
  const drift = restoreDriftState(raw);
  if (drift === undefined) throw new StateDecodeError(detector, 'the drift state is malformed or of another version');
  return { ...(expectKeys(detector, drift, DRIFT_KEYS, 'the drift state') as unknown as DriftState) };
}

/** Checks that a decoded state object (or the named part of one) has exactly these keys (nothing dropped, nothing unknown). */
export function expectKeys(detector: string, raw: unknown, keys: readonly string[], part = 'the state'): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new StateDecodeError(detector, `${part} is not an object`);
  const have = Object.keys(raw).sort();
  const want = [...keys].sort();
  if (have.length !== want.length || have.some((k, i) => k !== want[i])) {
    throw new StateDecodeError(detector, `${part} has fields [${have.join(', ')}], expected [${want.join(', ')}]`);
  }
  return raw as Record<string, unknown>;
}
