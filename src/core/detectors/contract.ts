/**
 * The one contract every detector implements (no NestJS, no Kafka here).
 *
 * A detector is built from a model's reference bundle (its factory decides whether the bundle has
 * what it needs). Per closed window it `test`s the window's summary and returns a typed result:
 * statistic, effect size, p-value under the reference's time-ordered null, a per-window flag and an
 * explanation. Its state is small, plain, versioned data; `step` is a pure function from the state
 * and a result to the next state, and `alert` derives the alert of a state transition. The monitor
 * loops over the registry (registry.ts); a new detector is one file plus one line there.
 *
 * A per-window `flagged` is not an alert: alerts come only from the sequential state (a CUSUM over
 * the windows' evidence), so one odd window is reported but pages nobody.
 */
import type { Alert } from '../alerts/alert.js';
import type { DriftStep } from '../detect/drift-state.js';
import type { WindowSummary } from '../window/summary.js';

export const DETECTOR_NAMES = ['feature-shift', 'conditional-shift', 'covariate-shift', 'label-shift', 'accuracy-floor', 'target-shift'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** A closed window as every detector sees it. */
export interface WindowView {
  model: string;
  id: string;
  /** The model's window sequence number (1, 2, ...), kept across restarts. */
  serial: number;
  start: number;
  end: number;
  n: number;
  summary: WindowSummary;
}

export interface DetectorResult<D = unknown> {
  detector: DetectorName;
  /** False when the window lacks what the detector needs (too few rows, no predictions): the state is not stepped. */
  tested: boolean;
  /** The window's statistic in units of the reference's time-ordered null (a z-score; larger = more shifted). */
  statistic: number;
  /** The effect size that had to clear the detector's floor, in the units `effectName` says. */
  effect: number;
  effectName: string;
  /** p-value under the reference's time-ordered null (what the CUSUM accumulates). */
  pValue: number;
  /** This window alone is significant at alpha with an effect above the floor. */
  flagged: boolean;
  /** One line for people. */
  explanation: string;
  details: D;
}

/** A window's realized accuracy, from the delayed labels joined so far. */
export interface RealizedWindow {
  serial: number;
  accuracy: number;
  labeled: number;
}

/** Results of the detectors that already tested the same window, by name (the registry's order). */
export type EarlierResults = ReadonlyMap<DetectorName, DetectorResult>;

export interface StepOutcome<S> {
  state: S;
  step: DriftStep;
}

export interface WindowDetector<D = unknown, S = unknown> {
  readonly name: DetectorName;
  /** Version of the state layout; a checkpoint of another version is refused, never half-read. */
  readonly stateVersion: number;
  /** The CUSUM alarm threshold h (from the run-length target and the reference's window-to-window correlation). */
  readonly cusumThreshold: number;
  initialState(): S;
  /** Tests one closed window; `state` is read, never written (an estimate may depend on what was learned so far). */
  test(window: WindowView, earlier: EarlierResults, state: Readonly<S>): DetectorResult<D> | Promise<DetectorResult<D>>;
  /** Pure: never mutates `state` or `result`. */
  step(state: Readonly<S>, result: DetectorResult<D>, window: WindowView): StepOutcome<S>;
  /** The alert of a transition (`step.transition !== null`); `episodeId` is the window that opened the episode. */
  alert(result: DetectorResult<D>, outcome: StepOutcome<S>, window: WindowView, episodeId: string): Alert;
  /**
   * Optional: the realized outcome of an earlier window arrived (delayed labels). Pure; returns the
   * next state and, per estimator, its error on that window.
   */
  learn?(state: Readonly<S>, realized: RealizedWindow): { state: S; errors: Record<string, number> | undefined };
  /** Validates a decoded state of this detector's `stateVersion`; throws StateDecodeError when it is malformed. */
  decodeState(raw: unknown): S;
  /** The drift status shown for this detector. */
  status(state: Readonly<S>): DriftStep['status'];
}

/** A detector of any details and state, as the registry and the monitor hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDetector = WindowDetector<any, any>;

export class StateDecodeError extends Error {
  constructor(detector: string, problem: string) {
    super(`state of detector ${detector}: ${problem}`);
    this.name = 'StateDecodeError';
  }
}
