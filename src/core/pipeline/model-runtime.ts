/**
 * One monitored model's live state, and what is done with a released window: its detectors run in
 * the registry's order, their states step, and the alerts of state transitions are collected; then
 * the windows that got labels yield realized reports the detectors learn from. Shared by the
 * single-process monitor and by the aggregator of shared replicas, so both score windows the same way.
 */
import { ModelWindower, MAX_HELD_WINDOWS, type ClosedWindow } from '../window/windower.js';
import type { Alert } from '../alerts/alert.js';
import type { DriftStatus } from '../detect/drift-state.js';
import type { AnyDetector, DetectorName, DetectorResult, WindowView } from '../detectors/contract.js';
import { DETECTOR_REGISTRY } from '../detectors/registry.js';
import type { DetectorSettings, MonitoredModel } from '../detectors/model.js';
import { restoreDetectorStates, type ModelCheckpoint } from '../detectors/state-codec.js';
import type { CovariateDetails } from '../detectors/covariate-shift.js';
import { flowPass } from '../detectors/flow-rows.js';
import type { EvictionReason, LabelOutcome, LabelResult } from '../labels/label-join.js';
import { LabelQueue, type QueuedLabel } from '../labels/label-queue.js';
import { LabelTracker, type RealizedReport } from './label-tracker.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../predictions/prediction-options.js';
import type { DriftStep } from '../detect/drift-state.js';

/** One detector's outcome on a window: its result and what its state did. */
export interface DetectorOutcome {
  result: DetectorResult;
  /** Absent when the detector did not test the window (its state did not move). */
  step?: DriftStep;
  status: DriftStatus;
  seconds: number;
}

export interface WindowReport {
  model: string;
  window: Omit<ClosedWindow, 'summary' | 'firsts'> & { n: number };
  /** Large enough to test (`minEvents`). */
  tested: boolean;
  /** Per detector that ran on the window, in the registry's order. */
  detectors: Partial<Record<DetectorName, DetectorOutcome>>;
}

export interface ModelRuntime {
  model: MonitoredModel;
  windower: ModelWindower;
  detectors: AnyDetector[];
  states: Map<string, object>;
  labels?: LabelTracker;
  /** Event-time labels waiting for the window they may teach (labels/label-queue.ts). */
  queued: LabelQueue;
  /** Ids of windows that got labels since their last realized report. */
  labelled: Set<string>;
}

/** What the detector runs report beyond their results. */
export interface RuntimeObserver {
  /** An entry left the label join unused (label-join.ts): `id` is the event's. */
  labelEvicted?(model: string, kind: 'prediction' | 'label', reason: EvictionReason, id: string): void;
  /** A closed window's flow rows were scored (rows scored, rows skipped for a missing input, seconds). */
  flowScored?(model: string, scored: number, skipped: number, seconds: number): void;
  /** `count` labels (default 1) had this outcome. */
  label?(model: string, outcome: LabelOutcome, count?: number): void;
}

/** Where released windows' outcomes go. */
export interface RuntimeOutput {
  windows: WindowReport[];
  alerts: Alert[];
  realized: RealizedReport[];
}

/** The detectors' settings from the monitor's options, the prediction defaults filled in. */
export function detectorSettings(o: Pick<DetectorSettings, 'tests' | 'sequential'> & { predictions?: DetectorSettings['predictions'] | undefined }): DetectorSettings {
  return { tests: o.tests, sequential: o.sequential, predictions: o.predictions ?? DEFAULT_PREDICTION_OPTIONS };
}

export function createModelRuntime(model: MonitoredModel, settings: DetectorSettings, observer: RuntimeObserver, maxHeld = MAX_HELD_WINDOWS): ModelRuntime {
  const detectors = DETECTOR_REGISTRY.flatMap((f) => f.create(model, settings) ?? []);
  const ref = model.bundle.predictions;
  const flow = model.bundle.flow !== undefined && model.flowScorer !== undefined ? model.bundle.flow : undefined;
  const extras = {
    ...(ref ? { classes: ref.classes } : {}),
    regression: model.bundle.regression !== undefined,
    ...(flow ? { flowFeatures: flow.model.standardization.features, flowCategories: model.localizer ? (flow.localization?.categorical.map((c) => c.feature) ?? []) : [] } : {}),
  };
  return {
    model,
    windower: new ModelWindower(model.bundle.features, model.window, extras, maxHeld),
    detectors,
    states: new Map(detectors.map((d) => [d.name, d.initialState() as object])),
    queued: new LabelQueue(),
    labelled: new Set(),
    ...(ref ? { labels: new LabelTracker(ref, settings.predictions.labels, { evicted: (kind, reason, id) => observer.labelEvicted?.(model.name, kind, reason, id) }) } : {}),
  };
}

function stateOf(runtime: ModelRuntime, detector: AnyDetector): object {
  const state = runtime.states.get(detector.name);
  if (state === undefined) throw new Error(`model ${runtime.model.name}: detector ${detector.name} has no state`);
  return state;
}

/** Runs every detector on a released window, steps their states, and adds the alerts of transitions to `out`. */
export async function scoreWindow(runtime: ModelRuntime, closed: ClosedWindow, out: RuntimeOutput, observer: RuntimeObserver): Promise<WindowReport> {
  const { summary, firsts: _firsts, ...window } = closed;
  const model = runtime.model.name;
  const report: WindowReport = { model, window: { ...window, n: summary.n }, tested: summary.n >= runtime.model.window.minEvents, detectors: {} };
  if (!report.tested) return report;
  const view: WindowView = { model, id: closed.id, serial: closed.serial, start: closed.start, end: closed.end, n: summary.n, summary };
  const earlier = new Map<DetectorName, DetectorResult>();
  for (const detector of runtime.detectors) {
    const started = performance.now();
    const state = stateOf(runtime, detector);
    const result = await detector.test(view, earlier, state);
    const seconds = (performance.now() - started) / 1000;
    earlier.set(detector.name, result);
    if (!result.tested) {
      report.detectors[detector.name] = { result, status: detector.status(state), seconds } satisfies DetectorOutcome;
      continue;
    }
    const outcome = detector.step(state, result, view);
    runtime.states.set(detector.name, outcome.state);
    report.detectors[detector.name] = { result, step: outcome.step, status: outcome.step.status, seconds };
    if (outcome.step.transition !== null) {
      out.alerts.push(detector.alert(result, outcome, view, outcome.step.episode ?? closed.id));
    }
    if (detector.name === 'covariate-shift' && runtime.model.bundle.flow !== undefined && runtime.model.flowScorer !== undefined) {
      // The scoring time stays out of the result (results are a function of the input): the window's shared flow pass has it.
      const d = result.details as CovariateDetails;
      const pass = await flowPass(runtime.model.bundle.flow, runtime.model.flowScorer, view);
      observer.flowScored?.(model, d.result.n, d.result.skipped, pass?.seconds ?? 0);
    }
  }
  return report;
}

/** Joins one label to its prediction; the window whose realized outcome moved awaits a realized report. */
export function joinLabel(runtime: ModelRuntime, tracker: LabelTracker, id: string, label: number, now: number): LabelResult {
  const result = tracker.addLabel(id, label, now);
  if (result.window !== undefined) runtime.labelled.add(result.window);
  return result;
}

/** Hears of each label joined (joinLabels) and of what became of it. */
export type LabelJoined<L> = (result: LabelResult, label: L) => void;

/** Joins labels (joinLabel), counting the outcomes: one metric call each for a batch's thousands of labels. */
export function joinLabels<L extends { id: string; label: number }>(
  runtime: ModelRuntime, labels: Iterable<L>, now: number, observer: RuntimeObserver, joined?: LabelJoined<L>,
): void {
  const tracker = runtime.labels;
  if (tracker === undefined) return;
  const outcomes = new Map<LabelOutcome, number>();
  for (const label of labels) {
    const result = joinLabel(runtime, tracker, label.id, label.label, now);
    joined?.(result, label);
    outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
  }
  for (const [outcome, count] of outcomes) observer.label?.(runtime.model.name, outcome, count);
}

/**
 * Scores a released window. With event-time labels, first the queued labels stamped before its
 * end are joined, and the earlier windows they completed yield realized reports the detectors learn
 * from: what a window's test has learned is then a function of the streams' contents alone.
 */
export async function scoreReleased(
  runtime: ModelRuntime, closed: ClosedWindow, out: RuntimeOutput, observer: RuntimeObserver, eventTimeLabels: boolean, now: number,
  joined?: LabelJoined<QueuedLabel>,
): Promise<void> {
  if (eventTimeLabels) {
    joinLabels(runtime, runtime.queued.takeBefore(closed.end), now, observer, joined);
    realizeWindows(runtime, out, closed.serial);
  }
  out.windows.push(await scoreWindow(runtime, closed, out, observer));
}

/**
 * For each released window that got labels since the last call, in window order (only those
 * released before the window numbered `beforeSerial`): its realized report, which the detectors
 * learn from once per call however many labels arrived.
 */
export function realizeWindows(runtime: ModelRuntime, out: RuntimeOutput, beforeSerial = Infinity): void {
  const tracker = runtime.labels;
  if (tracker === undefined || runtime.labelled.size === 0) return;
  // Windows not released yet (or not before `beforeSerial`) keep their labels for a later call.
  const serials = [...runtime.labelled].flatMap((id) => {
    const serial = tracker.serialOf(id);
    return serial === undefined || serial >= beforeSerial ? [] : [{ id, serial }];
  }).sort((a, b) => a.serial - b.serial);
  for (const { id, serial } of serials) {
    runtime.labelled.delete(id);
    const report = tracker.report(runtime.model.name, id, serial);
    if (report === undefined) continue;
    for (const d of runtime.detectors) {
      if (d.learn === undefined) continue;
      const learned = d.learn(stateOf(runtime, d), report);
      runtime.states.set(d.name, learned.state);
      if (learned.errors) Object.assign(report.errors, learned.errors);
    }
    out.realized.push(report);
  }
}

export interface LabelJoinSize {
  entries: number;
  bytes: number;
  /** Event-time labels waiting for their window. */
  queued: number;
}

/** Per classification model, what its label join and its event-time label queue hold. */
export function labelJoinSizes(runtimes: Iterable<ModelRuntime>): Map<string, LabelJoinSize> {
  const sizes = new Map<string, LabelJoinSize>();
  for (const r of runtimes) if (r.labels) sizes.set(r.model.name, { ...r.labels.joinSize(), queued: r.queued.size() });
  return sizes;
}

export function checkpointOf(r: ModelRuntime): ModelCheckpoint {
  const detectors = Object.fromEntries(r.detectors.map((d) => [d.name, { stateVersion: d.stateVersion, state: structuredClone(stateOf(r, d)) }]));
  const { windowsClosed, closedThrough, releasedUntil, partsThrough } = r.windower.progress();
  return { model: r.model.name, closedThrough, releasedUntil, windowsClosed, detectors, ...(partsThrough === undefined ? {} : { partsThrough }) };
}

/** Restores a checkpoint; returns the detectors it held that are not configured any more. */
export function restoreRuntime(r: ModelRuntime, checkpoint: ModelCheckpoint): { unknownDetectors: string[] } {
  const { states, unknown } = restoreDetectorStates(checkpoint.model, r.detectors, checkpoint);
  r.states = states;
  r.windower.restore(checkpoint);
  return { unknownDetectors: unknown };
}

export function statusesOf(r: ModelRuntime): Partial<Record<DetectorName, DriftStatus>> {
  return Object.fromEntries(r.detectors.map((d) => [d.name, d.status(stateOf(r, d))]));
}
