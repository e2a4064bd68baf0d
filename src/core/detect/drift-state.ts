/**
 * Sequential control over windows: a one-sided CUSUM on the per-window evidence
 * x = Φ⁻¹(1 − p), with the alarm threshold h chosen for a target expected run time between false
 * alarms (Siegmund's approximation). After an alarm the model stays in drift until
 * `resolveAfterCleanWindows` consecutive windows are not significant at `alpha`; after resolving,
 * a cooldown suppresses re-alarms for `cooldownWindows` windows. State is plain, versioned data.
 */
import { cusumThresholdForArl0, pValueToEvidence } from '../stats/cusum.js';

export type DriftStatus = 'ok' | 'warning' | 'drift';

export interface DriftParams {
  k: number;
  h: number;
  alpha: number;
  expectedRunTimeWindows: number;
  resolveAfterCleanWindows: number;
  cooldownWindows: number;
}

export const DRIFT_STATE_VERSION = 1;

export interface DriftState {
  stateVersion: number;
  status: DriftStatus;
  cusum: number;
  cleanStreak: number;
  cooldownLeft: number;
  /** Id of the window that opened the current drift episode, null when not in drift. */
  episode: string | null;
  windowsSeen: number;
}

export interface DriftStep {
  status: DriftStatus;
  changed: boolean;
  transition: 'fire' | 'resolve' | null;
  /** The alarm condition held but a cooldown suppressed it. */
  suppressed: boolean;
  evidence: number;
  /** The CUSUM statistic this window reached (before the reset that follows an alarm). */
  cusum: number;
  /** The episode this window belongs to: the window that opened it (also on the resolving window); null outside one. */
  episode: string | null;
}

export function driftParams(p: {
  k: number;
  expectedRunTimeWindows: number;
  alpha: number;
  cooldownWindows: number;
  resolveAfterCleanWindows?: number;
}): DriftParams {
  return {
    k: p.k,
    h: cusumThresholdForArl0(p.k, p.expectedRunTimeWindows),
    alpha: p.alpha,
    expectedRunTimeWindows: p.expectedRunTimeWindows,
    resolveAfterCleanWindows: p.resolveAfterCleanWindows ?? 2,
    cooldownWindows: p.cooldownWindows,
  };
}

export function initialDriftState(): DriftState {
  return { stateVersion: DRIFT_STATE_VERSION, status: 'ok', cusum: 0, cleanStreak: 0, cooldownLeft: 0, episode: null, windowsSeen: 0 };
}

/** Feeds one tested window's p-value. Mutates `s`; returns what happened. */
export function stepDrift(p: DriftParams, s: DriftState, windowP: number, windowId: string): DriftStep {
  const before = s.status;
  const episodeBefore = s.episode;
  const evidence = pValueToEvidence(windowP);
  let transition: DriftStep['transition'] = null;
  let suppressed = false;
  let statistic = s.cusum;
  s.windowsSeen += 1;
  if (s.status === 'drift') {
    s.cleanStreak = windowP <= p.alpha ? 0 : s.cleanStreak + 1;
    if (s.cleanStreak >= p.resolveAfterCleanWindows) {
      Object.assign(s, { status: 'ok', cusum: 0, cleanStreak: 0, cooldownLeft: p.cooldownWindows, episode: null });
      transition = 'resolve';
    }
  } else {
    s.cusum = Math.max(0, s.cusum + evidence - p.k);
    statistic = s.cusum;
    if (s.cusum > p.h && s.cooldownLeft === 0) {
      Object.assign(s, { status: 'drift', cusum: 0, cleanStreak: 0, episode: windowId });
      transition = 'fire';
    } else {
      suppressed = s.cusum > p.h;
      s.status = s.cusum > p.h / 2 ? 'warning' : 'ok';
      s.cooldownLeft = Math.max(0, s.cooldownLeft - 1);
    }
  }
  const episode = transition === 'resolve' ? episodeBefore : s.episode;
  return { status: s.status, changed: s.status !== before, transition, suppressed, evidence, cusum: statistic, episode };
}

/** Restores a snapshot, refusing ones written by an incompatible version. */
export function restoreDriftState(raw: unknown): DriftState | undefined {
  const s = raw as Partial<DriftState> | null;
  if (s === null || typeof s !== 'object' || s.stateVersion !== DRIFT_STATE_VERSION) return undefined;
  const ok =
    (s.status === 'ok' || s.status === 'warning' || s.status === 'drift') &&
    [s.cusum, s.cleanStreak, s.cooldownLeft, s.windowsSeen].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (s.episode === null || typeof s.episode === 'string');
  return ok ? (s as DriftState) : undefined;
}
