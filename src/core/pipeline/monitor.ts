/**
 * The monitor's pure core: raw Kafka messages in; dead letters, window reports and alerts out.
 * It holds per-model windows and drift state, and knows how far each input partition may be
 * committed without losing an event. No I/O here: the shell publishes what it returns, then commits.
 */
import type { ReferenceBundle } from '../reference/bundle-types.js';
import { decodeEvent, type DeadLetterReason } from '../contract/event.js';
import { buildDeadLetter, type DeadLetter, type MessageOrigin } from '../contract/dead-letter.js';
import { checkFeatures } from '../window/summary.js';
import { ModelWindower, type ClosedWindow, type WindowSpec } from '../window/windower.js';
import { evaluateWindow, type TestOptions, type WindowEvaluation } from '../detect/feature-tests.js';
import { initialDriftState, stepDrift, type DriftParams, type DriftState, type DriftStep } from '../detect/drift-state.js';
import { buildAlert, type Alert } from '../alerts/alert.js';
import { DEFAULT_PREDICTION_OPTIONS, PredictionTracker, type PredictionDrift, type PredictionOptions, type RealizedReport } from './prediction-tracker.js';
import type { PredictionEvaluation } from '../predictions/evaluate-predictions.js';
import { calibratedPrediction } from '../predictions/classification-reference.js';
import { evaluateRegression, sourceModel, type RegressionEvaluation } from '../predictions/regression-reference.js';
import type { RetasaSourceModel } from '../regression/retasa.js';
import { decodeLabel } from '../contract/label.js';
import { classIndex } from '../predictions/classes.js';
import type { LabelOutcome, EvictionReason } from '../labels/label-join.js';
import type { LogLikelihoodScorer } from '../flow/scorer.js';
import type { FlowWindowResult } from '../flow/likelihood-tests.js';
import { FlowDetector, MIN_FLOW_ROWS, type LocalizationReport, type WindowLocalizer } from './flow-detector.js';
import type { OnsetState } from '../localize/localize.js';

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

export interface MonitoredModel {
  name: string;
  bundle: ReferenceBundle;
  window: WindowSpec;
  /** Scores the bundle's flow; without it the flow's tests are off even when the bundle has one. */
  flowScorer?: LogLikelihoodScorer;
  /** Runs the bundle's conditional feature test (needs `flowScorer` too). */
  localizer?: WindowLocalizer;
}

export interface MonitorOptions {
  maxMessageBytes: number;
  tests: TestOptions;
  drift: DriftParams;
  /** Used for models whose bundle has a classification reference (defaults: DEFAULT_PREDICTION_OPTIONS). */
  predictions?: PredictionOptions;
}

/** Per-event signals the shell turns into metrics. All optional. */
export interface MonitorObserver {
  accepted?(model: string): void;
  deadLettered?(reason: DeadLetterReason, model: string | undefined, topic: string): void;
  missingFeature?(model: string, feature: string): void;
  unknownFeatures?(model: string, count: number): void;
  lateEvent?(model: string): void;
  /** A replayed event already counted in a closed window before a restart. */
  replaySkipped?(model: string | undefined): void;
  label?(model: string, outcome: LabelOutcome): void;
  labelEvicted?(model: string, kind: 'prediction' | 'label', reason: EvictionReason): void;
  /** A closed window's flow rows were scored (rows scored, rows skipped for a missing input, seconds). */
  flowScored?(model: string, scored: number, skipped: number, seconds: number): void;
}

export interface WindowReport {
  model: string;
  window: Omit<ClosedWindow, 'summary' | 'endOffsets'>;
  tested: boolean;
  evaluation: WindowEvaluation | undefined;
  step: DriftStep | undefined;
  state: Readonly<DriftState>;
  /** Wall-clock seconds the per-feature tests of this window took (tested windows only). */
  evaluationSeconds?: number;
  /** Estimates from the model's predictions (classification models only). */
  predictions?: PredictionEvaluation;
  predictionDrift?: Readonly<PredictionDrift>;
  /** Target-shift summary from the predicted values (regression models only). */
  regression?: RegressionEvaluation;
  /** Covariate-shift tests on the flow's log-likelihoods (models with a flow), set by `completeFlow`. */
  flow?: FlowWindowResult;
  flowStep?: DriftStep;
  flowState?: Readonly<DriftState>;
  /** The detector's combined window p-value (likelihood tests and conditional feature test). */
  flowP?: number;
  /** Which features the window's joint shift came from (conditional score test), when fitted. */
  localization?: LocalizationReport;
}

/** Windows with fewer predicted values get no target-shift estimate. */
const MIN_REGRESSION_VALUES = 50;

export interface MonitorOutput {
  deadLetters: DeadLetter[];
  windows: WindowReport[];
  alerts: Alert[];
  realized: RealizedReport[];
}

interface ModelRuntime {
  model: MonitoredModel;
  windower: ModelWindower;
  drift: DriftState;
  /** Per "topic/partition": events before this offset are already in a closed window. */
  closedThrough: Record<string, number>;
  predictions?: PredictionTracker;
  regression?: RetasaSourceModel;
  flow?: FlowDetector;
}

/** A closed window whose flow rows still wait to be scored (scoring is asynchronous). */
interface PendingFlow {
  detector: FlowDetector;
  report: WindowReport;
  window: ClosedWindow;
  rows: number[];
  skipped: number;
  categories: Record<string, (string | null)[]>;
  marginalPValues: Record<string, number>;
}

/** What must survive a restart for one model: drift state and how far its windows got. */
export interface ModelCheckpoint {
  model: string;
  drift: DriftState;
  closedThrough: Record<string, number>;
  predictionDrift?: PredictionDrift;
  flowDrift?: DriftState;
  localizationOnset?: OnsetState;
}

export class Monitor {
  private readonly models = new Map<string, ModelRuntime>();
  /** Per "topic/partition": the offset after the last message handled. */
  private readonly nextOffsets = new Map<string, number>();
  private pendingFlow: PendingFlow[] = [];

  constructor(
    models: readonly MonitoredModel[],
    private readonly options: MonitorOptions,
    private readonly observer: MonitorObserver = {},
    private readonly now: () => number = Date.now,
  ) {
    for (const model of models) {
      const ref = model.bundle.predictions;
      const tracker = ref === undefined ? undefined : new PredictionTracker(model.name, ref, options.predictions ?? DEFAULT_PREDICTION_OPTIONS, options.drift, {
        evicted: (kind, reason) => observer.labelEvicted?.(model.name, kind, reason),
      });
      const flow = model.bundle.flow !== undefined && model.flowScorer !== undefined
        ? new FlowDetector(model.name, model.bundle.flow, model.flowScorer, options.drift, model.localizer)
        : undefined;
      const extras = {
        ...(ref ? { classes: ref.classes } : {}),
        regression: model.bundle.regression !== undefined,
        ...(flow ? { flowFeatures: flow.features, flowCategories: flow.categories } : {}),
      };
      this.models.set(model.name, {
        model,
        windower: new ModelWindower(model.bundle.features, model.window, extras),
        drift: initialDriftState(),
        closedThrough: {},
        ...(tracker ? { predictions: tracker } : {}),
        ...(model.bundle.regression ? { regression: sourceModel(model.bundle.regression) } : {}),
        ...(flow ? { flow } : {}),
      });
    }
  }

  private deadLetter(message: RawMessage, out: MonitorOutput, reason: DeadLetterReason, detail: string, model?: string): MonitorOutput {
    this.observer.deadLettered?.(reason, model, message.topic);
    const origin: MessageOrigin = { topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp };
    out.deadLetters.push(buildDeadLetter({ reason, detail, origin, key: message.key, value: message.value, model, now: new Date(this.now()) }));
    return out;
  }

  /** Marks a message handled; false when it was already handled in this process (redelivered after a rebalance). */
  private firstDelivery(message: RawMessage): boolean {
    const partitionKey = `${message.topic}/${message.partition}`;
    const offset = Number(message.offset);
    const handledUpTo = this.nextOffsets.get(partitionKey);
    if (handledUpTo !== undefined && offset < handledUpTo) {
      this.observer.replaySkipped?.(undefined);
      return false;
    }
    this.nextOffsets.set(partitionKey, offset + 1);
    return true;
  }

  handle(message: RawMessage, out: MonitorOutput = emptyOutput()): MonitorOutput {
    if (!this.firstDelivery(message)) return out;
    const partitionKey = `${message.topic}/${message.partition}`;
    const offset = Number(message.offset);
    const reject = (reason: DeadLetterReason, detail: string, model?: string) => this.deadLetter(message, out, reason, detail, model);
    const decoded = decodeEvent(message.value, { maxBytes: this.options.maxMessageBytes, brokerTimestampMs: Number(message.timestamp) });
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const { event } = decoded;
    const runtime = this.models.get(event.model);
    if (runtime === undefined) return reject('unknown_model', `no reference bundle is configured for model "${event.model}"`, event.model);
    if (offset < (runtime.closedThrough[partitionKey] ?? 0)) {
      this.observer.replaySkipped?.(event.model);
      return out;
    }
    const problem = checkFeatures(runtime.model.bundle.features, event.features);
    if (problem !== undefined) {
      return reject('wrong_type', `feature "${problem.feature}" must be a ${problem.expected}, got ${problem.got}`, event.model);
    }
    let probs: number[] | undefined;
    if (runtime.predictions !== undefined) {
      const calibrated = calibratedPrediction(runtime.predictions.ref, event.prediction);
      if (typeof calibrated === 'string') return reject('invalid_field', calibrated, event.model);
      probs = calibrated;
    }
    const value = runtime.regression === undefined ? undefined : event.prediction?.value;
    const added = runtime.windower.add(event.features, event.ts, { partitionKey, offset }, this.now(), { ...(probs ? { probs } : {}), ...(value === undefined ? {} : { value }) });
    if (probs !== undefined) runtime.predictions!.recordPrediction(event.id, added.serial, probs, this.now());
    this.observer.accepted?.(event.model);
    for (const f of added.missing) this.observer.missingFeature?.(event.model, f);
    if (added.late) this.observer.lateEvent?.(event.model);
    for (const w of added.closed) this.closeWindow(runtime, w, out);
    return out;
  }

  /** A delayed label: joined to its event's window; a window with enough labels yields a realized report. */
  handleLabel(message: RawMessage, out: MonitorOutput = emptyOutput()): MonitorOutput {
    if (!this.firstDelivery(message)) return out;
    const reject = (reason: DeadLetterReason, detail: string, model?: string) => this.deadLetter(message, out, reason, detail, model);
    const decoded = decodeLabel(message.value, this.options.maxMessageBytes);
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const { model, id } = decoded.label;
    const tracker = this.models.get(model)?.predictions;
    if (tracker === undefined) return reject('unknown_model', `no classification reference is configured for model "${model}"`, model);
    const label = classIndex(tracker.ref.classNames, decoded.label.label);
    if (typeof label === 'string') return reject('invalid_field', `${label} of model "${model}"`, model);
    const { outcome, report } = tracker.addLabel(id, label, this.now());
    this.observer.label?.(model, outcome);
    if (report !== undefined) {
      const i = out.realized.findIndex((r) => r.model === model && r.windowId === report.windowId);
      if (i >= 0) out.realized[i] = report;
      else out.realized.push(report);
    }
    return out;
  }

  /** Closes idle event-time windows and expires label-join entries. Call periodically. */
  tick(out: MonitorOutput = emptyOutput()): MonitorOutput {
    for (const runtime of this.models.values()) {
      runtime.predictions?.expire(this.now());
      const w = runtime.windower.tick(this.now());
      if (w !== undefined) this.closeWindow(runtime, w, out);
    }
    return out;
  }

  /** Closes every open window now (end of a finite replay, or an operator's flush). */
  flush(out: MonitorOutput = emptyOutput()): MonitorOutput {
    for (const runtime of this.models.values()) {
      const w = runtime.windower.flush();
      if (w !== undefined) this.closeWindow(runtime, w, out);
    }
    return out;
  }

  /**
   * Offsets safe to commit, per "topic/partition": the first offset still held by an open window,
   * or the offset after the last handled message when no window holds that partition.
   */
  committableOffsets(): Map<string, number> {
    const result = new Map(this.nextOffsets);
    for (const runtime of this.models.values()) {
      for (const [key, first] of runtime.windower.heldOffsets()) {
        result.set(key, Math.min(result.get(key) ?? first, first));
      }
    }
    return result;
  }

  checkpoint(model: string): ModelCheckpoint | undefined {
    const r = this.models.get(model);
    if (r === undefined) return undefined;
    const checkpoint: ModelCheckpoint = { model, drift: { ...r.drift }, closedThrough: { ...r.closedThrough } };
    if (r.predictions) checkpoint.predictionDrift = structuredClone(r.predictions.drift);
    if (r.flow) {
      checkpoint.flowDrift = { ...r.flow.drift };
      checkpoint.localizationOnset = structuredClone(r.flow.onset);
    }
    return checkpoint;
  }

  /** Restores a checkpoint written by `checkpoint` (ignored for models no longer configured). */
  restore(checkpoint: ModelCheckpoint): boolean {
    const r = this.models.get(checkpoint.model);
    if (r === undefined) return false;
    r.drift = { ...checkpoint.drift };
    r.closedThrough = { ...checkpoint.closedThrough };
    if (r.predictions && checkpoint.predictionDrift) r.predictions.drift = structuredClone(checkpoint.predictionDrift);
    if (r.flow && checkpoint.flowDrift) r.flow.drift = { ...checkpoint.flowDrift };
    if (r.flow && checkpoint.localizationOnset) r.flow.onset = structuredClone(checkpoint.localizationOnset);
    return true;
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  openWindowSizes(): Map<string, number> {
    return new Map([...this.models].map(([name, r]) => [name, r.windower.openCount()]));
  }

  private closeWindow(runtime: ModelRuntime, closed: ClosedWindow, out: MonitorOutput): void {
    const { summary, endOffsets, ...window } = closed;
    const model = runtime.model.name;
    for (const [key, end] of Object.entries(endOffsets)) {
      runtime.closedThrough[key] = Math.max(runtime.closedThrough[key] ?? 0, end);
    }
    const spec = runtime.model.window;
    this.observer.unknownFeatures?.(model, summary.unknownFeatureValues);
    if (summary.n < spec.minEvents) {
      out.windows.push({ model, window, tested: false, evaluation: undefined, step: undefined, state: { ...runtime.drift } });
      return;
    }
    const started = performance.now();
    const evaluation = evaluateWindow(runtime.model.bundle.features, summary, this.options.tests, runtime.model.bundle.nulls);
    const episodeBefore = runtime.drift.episode;
    const step = stepDrift(this.options.drift, runtime.drift, evaluation.windowP, closed.id);
    const report: WindowReport = { model, window, tested: true, evaluation, step, state: { ...runtime.drift }, evaluationSeconds: (performance.now() - started) / 1000 };
    out.windows.push(report);
    if (step.transition !== null) {
      const episodeId = step.transition === 'fire' ? closed.id : (episodeBefore ?? closed.id);
      out.alerts.push(buildAlert({ model, window: closed, evaluation, step, params: this.options.drift, episodeId }));
    }
    if (runtime.predictions && summary.predictions) {
      const p = runtime.predictions.closeWindow({ id: closed.id, serial: closed.serial, start: closed.start, end: closed.end }, summary.predictions);
      if (p.evaluation) {
        if (evaluation.windowP <= this.options.tests.alpha) {
          p.evaluation.warnings.push('the inputs shifted in this window: label-shift estimates and label-free accuracy assume they did not');
        }
        report.predictions = p.evaluation;
      }
      report.predictionDrift = structuredClone(runtime.predictions.drift);
      out.alerts.push(...p.alerts);
    }
    if (runtime.regression && summary.regression && summary.regression.n >= MIN_REGRESSION_VALUES) {
      report.regression = evaluateRegression(runtime.regression, summary.regression.values);
    }
    if (runtime.flow && summary.flow && summary.flow.n >= MIN_FLOW_ROWS) {
      const marginalPValues = Object.fromEntries(evaluation.features.filter((f) => f.tested).map((f) => [f.feature, f.pValue]));
      this.pendingFlow.push({ detector: runtime.flow, report, window: closed, rows: summary.flow.rows, skipped: summary.flow.skipped, categories: summary.flow.categories, marginalPValues });
    }
  }

  /** Windows closed since the last call whose flow rows are not scored yet. */
  hasPendingFlow(): boolean {
    return this.pendingFlow.length > 0;
  }

  /**
   * Scores the flow rows of the windows closed since the last call, in window order, tests their
   * log-likelihoods and steps each model's covariate-shift detector; fills `report.flow` and adds
   * the detector's alerts to `out`. Call it before publishing `out`.
   */
  async completeFlow(out: MonitorOutput): Promise<void> {
    const pending = this.pendingFlow;
    this.pendingFlow = [];
    for (const p of pending) {
      const v = await p.detector.evaluate(p.window, p.rows, p.skipped, p.categories, p.marginalPValues);
      this.observer.flowScored?.(p.report.model, v.result.n, p.skipped, v.seconds);
      Object.assign(p.report, { flow: v.result, flowStep: v.step, flowState: v.state, flowP: v.pValue, ...(v.localization ? { localization: v.localization } : {}) });
      if (v.alert) out.alerts.push(v.alert);
    }
  }
}

export function emptyOutput(): MonitorOutput {
  return { deadLetters: [], windows: [], alerts: [], realized: [] };
}
