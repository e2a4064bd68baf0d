/**
 * The monitor's pure core: raw Kafka messages in; dead letters, window reports and alerts out.
 * It holds per-model windows and detector states, and knows how far each input partition may be
 * committed without losing an event. No I/O here: the shell publishes what it returns, then commits.
 *
 * `handle` and `handleLabel` are synchronous and cheap (decode, validate, add to a window or to the
 * label join). Closed windows queue up; `complete` runs every registered detector on them, in window
 * order (some detectors score with a neural flow, asynchronously), steps each detector's state and
 * collects the alerts of its transitions, then the realized reports of the windows that got labels.
 * Call it before publishing an output.
 */
import { decodeEvent, timestampProblem, validateEvent, type DeadLetterReason, type DecodeResult, type TimestampRange } from '../contract/event.js';
import { buildDeadLetter, type DeadLetter, type MessageOrigin } from '../contract/dead-letter.js';
import { checkFeatures, type EventExtras } from '../window/summary.js';
import { MAX_HELD_WINDOWS, holdEarliest, type ClosedWindow, type Position } from '../window/windower.js';
import { PartitionClocks, encodePosition, type PartitionPosition } from '../window/partition-clocks.js';
import type { TestOptions } from '../detect/feature-tests.js';
import { calibratedPrediction } from '../predictions/classification-reference.js';
import { decodeLabel, validateLabel, type LabelDecodeResult } from '../contract/label.js';
import { classIndex } from '../predictions/classes.js';
import { MAX_QUEUED_LABELS } from '../labels/label-queue.js';
import type { DriftStatus } from '../detect/drift-state.js';
import type { DetectorName } from '../detectors/contract.js';
import type { MonitoredModel } from '../detectors/model.js';
import type { SequentialSettings } from '../detectors/sequential.js';
import type { ModelCheckpoint } from '../detectors/state-codec.js';
import type { PredictionOptions } from '../predictions/prediction-options.js';
import type { SummaryRecord } from './summary-record.js';
import { WorkerHandOff } from './worker-hand-off.js';
import { JoinReplay, rejoinBeforeRestore } from './join-replay.js';
import { RestartReads } from './restart-reads.js';
import { checkpointOf, createModelRuntime, detectorSettings, joinLabel, joinLabels, scoreReleased, realizeWindows, restoreRuntime, statusesOf, labelJoinSizes, type LabelJoinSize, type ModelRuntime, type RuntimeObserver, type RuntimeOutput } from './model-runtime.js';

export type { MonitoredModel } from '../detectors/model.js';
export type { RealizedReport } from './label-tracker.js';
export type { DetectorOutcome, WindowReport } from './model-runtime.js';

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** The record's headers that shiftwatch reads (the summaries topic's piece header, summary-pieces.ts). */
  headers?: Readonly<Record<string, string>>;
}

export interface MonitorOptions {
  maxMessageBytes: number;
  /** Event times outside this range are dead-lettered (default: no check). */
  timestamps?: TimestampRange;
  tests: TestOptions;
  sequential: SequentialSettings;
  /** Used for models whose bundle has a classification reference (defaults: DEFAULT_PREDICTION_OPTIONS). */
  predictions?: PredictionOptions;
  /** A caught-up input partition without new events for this long stops holding back other partitions' windows (default 2000). */
  partitionIdleMs?: number;
  /**
   * `single` (default): this process cuts, orders and scores every window. `worker`: one of shared
   * replicas; it cuts the windows of the partitions it reads and hands them, with its partitions'
   * progress and the labels it reads, to the model's aggregator as summary records (aggregator.ts).
   */
  role?: 'single' | 'worker';
  /** Worker role: this replica's id, named in its commit metadata (kafka/departed-replicas.ts). */
  replicaId?: string;
}

/** Where the consumer may commit a partition: the offset and, for input partitions, the metadata to store with it. */
export interface CommitPosition {
  offset: number;
  metadata?: string;
}

/** Per-event signals the shell turns into metrics. All optional. */
export interface MonitorObserver extends RuntimeObserver {
  accepted?(model: string): void;
  deadLettered?(reason: DeadLetterReason, model: string | undefined, topic: string): void;
  missingFeature?(model: string, feature: string): void;
  unknownFeatures?(model: string, count: number): void;
  lateEvent?(model: string): void;
  /** A replayed event already counted in a closed window before a restart. */
  replaySkipped?(model: string | undefined): void;
}

export interface MonitorOutput extends RuntimeOutput {
  deadLetters: DeadLetter[];
  /** Worker role: records for the models' aggregators, in the order they must be read. */
  summaries: SummaryRecord[];
}

export class Monitor {
  private readonly models = new Map<string, ModelRuntime>();
  /** Per "topic/partition": the offset after the last message handled. */
  private readonly nextOffsets = new Map<string, number>();
  private pending: { runtime: ModelRuntime; closed: ClosedWindow }[] = [];
  /** Per input partition, the greatest event time read so far: orders windows across partitions. */
  private readonly clocks: PartitionClocks;
  private readonly worker: WorkerHandOff | undefined;
  /** Labels partitions read in event time (`assign`): their labels wait for the windows they may teach (labels/label-queue.ts). */
  private labelPartitions: ReadonlySet<string> = new Set();
  /** `flush` was called: the next `complete` joins every queued label after the last window. */
  private flushLabels = false;
  /** One process (not a worker), per classification model: what rebuilds its label join after a restart (join-replay.ts). */
  private readonly replays = new Map<string, JoinReplay>();
  /** What the last commit and the checkpoints say of the labels read before a restart (restart-reads.ts). */
  private readonly restart = new RestartReads();

  constructor(
    models: readonly MonitoredModel[],
    private readonly options: MonitorOptions,
    private readonly observer: MonitorObserver = {},
    private readonly now: () => number = Date.now,
  ) {
    const settings = detectorSettings(options);
    this.clocks = new PartitionClocks(options.partitionIdleMs ?? 2000);
    if (options.role === 'worker') this.worker = new WorkerHandOff(this.clocks, options.partitionIdleMs ?? 2000);
    for (const model of models) {
      if (this.worker !== undefined || model.bundle.predictions === undefined) {
        this.models.set(model.name, createModelRuntime(model, settings, observer));
        continue;
      }
      const replay = new JoinReplay(settings.predictions.labels.maxEntries, settings.predictions.labels.rebuildWindows);
      this.replays.set(model.name, replay);
      this.models.set(model.name, createModelRuntime(model, settings, {
        ...observer,
        labelEvicted: (name, kind, reason, id) => {
          if (kind === 'label') replay.labelEvicted(id);
          observer.labelEvicted?.(name, kind, reason, id);
        },
      }));
    }
  }

  /** "topic/partition" keys, built once per partition rather than once per message. */
  private readonly partitionKeys = new Map<string, string[]>();

  private partitionKey(message: RawMessage): string {
    let keys = this.partitionKeys.get(message.topic);
    if (keys === undefined) {
      keys = [];
      this.partitionKeys.set(message.topic, keys);
    }
    return (keys[message.partition] ??= `${message.topic}/${message.partition}`);
  }

  private deadLetter(message: RawMessage, out: MonitorOutput, reason: DeadLetterReason, detail: string, model?: string): MonitorOutput {
    const key = this.partitionKey(message);
    if (Number(message.offset) < Math.max(this.clocks.handled(key), this.restart.labelsHandledBefore(key))) {
      // Read again after a restart: its dead letter went out before.
      this.observer.replaySkipped?.(model);
      return out;
    }
    this.observer.deadLettered?.(reason, model, message.topic);
    const origin: MessageOrigin = { topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp };
    out.deadLetters.push(buildDeadLetter({ reason, detail, origin, key: message.key, value: message.value, model, now: new Date(this.now()) }));
    return out;
  }

  /** Marks a message handled; false when it was already handled in this process (redelivered after a rebalance). */
  private firstDelivery(message: RawMessage): boolean {
    const partitionKey = this.partitionKey(message);
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
    const timestamps = this.options.timestamps ? { timestamps: this.options.timestamps } : {};
    return this.accept(message, decodeEvent(message.value, { maxBytes: this.options.maxMessageBytes, brokerTimestampMs: Number(message.timestamp), ...timestamps }), out);
  }

  /**
   * An event already parsed from JSON (`shiftwatch replay` reads files, not Kafka): the same
   * validation, windows and detectors as `handle`, without encoding it to bytes first.
   */
  handleParsed(message: RawMessage, parsed: unknown, out: MonitorOutput = emptyOutput()): MonitorOutput {
    if (!this.firstDelivery(message)) return out;
    return this.accept(message, validateEvent(parsed, Number(message.timestamp), this.options.timestamps), out);
  }

  private accept(message: RawMessage, decoded: DecodeResult, out: MonitorOutput): MonitorOutput {
    const partitionKey = this.partitionKey(message);
    const offset = Number(message.offset);
    const reject = (reason: DeadLetterReason, detail: string, model?: string) => this.deadLetter(message, out, reason, detail, model);
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const { event } = decoded;
    const clockBefore = this.clocks.observe(partitionKey, event.ts, this.now());
    const runtime = this.models.get(event.model);
    if (runtime === undefined) return reject('unknown_model', `no reference bundle is configured for model "${event.model}"`, event.model);
    const problem = checkFeatures(runtime.model.bundle.features, event.features);
    if (problem !== undefined) {
      return reject('wrong_type', `feature "${problem.feature}" must be a ${problem.expected}, got ${problem.got}`, event.model);
    }
    let probs: number[] | undefined;
    if (runtime.labels !== undefined) {
      const calibrated = calibratedPrediction(runtime.labels.ref, event.prediction);
      if (typeof calibrated === 'string') return reject('invalid_field', calibrated, event.model);
      probs = calibrated;
    }
    const value = runtime.model.bundle.regression === undefined ? undefined : event.prediction?.value;
    const position = { partitionKey, offset, clockBefore, replayed: offset < this.clocks.handled(partitionKey) };
    const extras: EventExtras = { featureCount: decoded.featureCount };
    if (probs !== undefined) extras.probs = probs;
    if (value !== undefined) extras.value = value;
    const added = runtime.windower.add(event.features, event.ts, position, extras);
    const replay = this.replays.get(event.model);
    if (added.skipped) {
      if (replay !== undefined && probs !== undefined) this.replayPrediction(runtime, replay, event, probs, position);
      this.observer.replaySkipped?.(event.model);
      return out;
    }
    if (probs !== undefined) {
      if (this.worker !== undefined) this.worker.predicted(event.model, partitionKey, added.windowId, event.id);
      else {
        replay?.opened(added.windowId);
        if (runtime.labels?.recordPrediction(event.id, added.windowId, probs, this.now())) {
          runtime.labelled.add(added.windowId);
          if (event.id !== undefined) replay?.predictionJoined(event.id, added.windowId);
        }
      }
    }
    this.observer.accepted?.(event.model);
    for (const f of added.missing) this.observer.missingFeature?.(event.model, f);
    if (added.late) this.observer.lateEvent?.(event.model);
    return out;
  }

  /**
   * After a restart, an event of a window released before it, read again: a recent window's
   * prediction goes back into the label join. The window is marked labelled only when the prediction
   * meets a label read since the restart (its reports went out with the labels joined before).
   */
  private replayPrediction(runtime: ModelRuntime, replay: JoinReplay, event: { id?: string; ts: number }, probs: readonly number[], at: { partitionKey: string; offset: number; clockBefore: number }): void {
    const windowId = runtime.windower.spec.type === 'count' ? replay.laneWindowAt(at.partitionKey, at.offset) : runtime.windower.intervalOf(event.ts, at.clockBefore);
    const window = replay.replayedEvent(windowId, at.partitionKey, { offset: at.offset, clock: at.clockBefore });
    if (window === undefined || event.id === undefined || !runtime.labels?.recordPrediction(event.id, window.id, probs, this.now())) return;
    if (replay.predictionJoined(event.id, window.id) === false) runtime.labelled.add(window.id);
  }

  /** A delayed label: joined to its event's window; a window with enough labels yields a realized report. */
  handleLabel(message: RawMessage, out: MonitorOutput = emptyOutput()): MonitorOutput {
    if (!this.firstDelivery(message)) return out;
    return this.acceptLabel(message, decodeLabel(message.value, this.options.maxMessageBytes, Number(message.timestamp)), out);
  }

  /** A delayed label already parsed from JSON (replay), checked and joined like `handleLabel`. */
  handleLabelParsed(message: RawMessage, parsed: unknown, out: MonitorOutput = emptyOutput()): MonitorOutput {
    if (!this.firstDelivery(message)) return out;
    return this.acceptLabel(message, validateLabel(parsed, Number(message.timestamp)), out);
  }

  private acceptLabel(message: RawMessage, decoded: LabelDecodeResult, out: MonitorOutput): MonitorOutput {
    const reject = (reason: DeadLetterReason, detail: string, model?: string) => this.deadLetter(message, out, reason, detail, model);
    if (!decoded.ok) return reject(decoded.reason, decoded.detail);
    const { model, id } = decoded.label;
    const runtime = this.models.get(model);
    const tracker = runtime?.labels;
    if (runtime === undefined || tracker === undefined) return reject('unknown_model', `no classification reference is configured for model "${model}"`, model);
    const label = classIndex(tracker.ref.classNames, decoded.label.label);
    if (typeof label === 'string') return reject('invalid_field', `${label} of model "${model}"`, model);
    const partitionKey = this.partitionKey(message);
    if (!this.labelPartitions.has(partitionKey)) {
      // Arrival order: the label counts as soon as it is read.
      if (this.worker !== undefined) {
        this.worker.labelled(model, id, label);
        return out;
      }
      const offset = Number(message.offset);
      const replay = this.replays.get(model);
      if (this.restart.inCheckpoint(model, partitionKey, offset)) {
        // Joined before the checkpoint the model was restored from, which holds what it did: joined again silently.
        replay?.label(tracker.addLabel(id, label, this.now()), id, partitionKey, offset, -Infinity, true);
        return out;
      }
      const result = joinLabel(runtime, tracker, id, label, this.now());
      replay?.label(result, id, partitionKey, offset);
      this.observer.label?.(model, result.outcome);
      return out;
    }
    const { ts } = decoded.label;
    const outOfRange = this.options.timestamps === undefined ? undefined : timestampProblem(ts, Number(message.timestamp), this.options.timestamps);
    if (outOfRange !== undefined) return reject('timestamp_out_of_range', outOfRange, model);
    const clockBefore = this.clocks.observe(partitionKey, ts, this.now());
    const time = Math.max(clockBefore, ts);
    if (this.worker !== undefined) this.worker.labelled(model, id, label, time);
    else runtime.queued.add({ time, id, label, source: partitionKey, offset: Number(message.offset), clockBefore });
    return out;
  }

  /** Notes which input partitions went quiet and expires label-join entries. Call periodically. */
  tick(out: MonitorOutput = emptyOutput()): MonitorOutput {
    this.clocks.refresh(this.now());
    for (const runtime of this.models.values()) runtime.labels?.expire(this.now());
    return out;
  }

  /** Closes and releases every window now, open ones included (end of a finite replay, or an operator's flush). */
  flush(out: MonitorOutput = emptyOutput()): MonitorOutput {
    for (const runtime of this.models.values()) for (const w of runtime.windower.flush()) this.released(runtime, w);
    this.flushLabels = true;
    return out;
  }

  /**
   * The input partitions this process reads (after each rebalance), and the labels partitions it
   * reads in event time (`labels.order: event-time`): these join the windows' release order.
   */
  assign(partitionKeys: readonly string[], labelPartitionKeys: readonly string[] = []): void {
    this.clocks.assign([...partitionKeys, ...labelPartitionKeys], this.now());
    const lostLabels = new Set([...this.labelPartitions].filter((key) => !labelPartitionKeys.includes(key)));
    this.labelPartitions = new Set(labelPartitionKeys);
    // Their labels are read again, from their last commit, by whoever reads them now.
    for (const runtime of this.models.values()) runtime.queued.dropSources(lostLabels);
    for (const key of lostLabels) this.nextOffsets.delete(key);
    if (this.worker === undefined) return;
    // Shared replicas: the input partitions another replica reads now are rebuilt there from their
    // last commit, and here again from it should they come back.
    const keep = new Set([...partitionKeys, ...labelPartitionKeys]);
    for (const runtime of this.models.values()) runtime.windower.dropPartitions((key) => keep.has(key));
    for (const key of this.worker.dropLost(keep)) this.nextOffsets.delete(key);
  }

  /**
   * Positions committed before a restart (from the commit metadata that `committableOffsets` wrote):
   * of the input partitions and event-time labels partitions (`assign` named them), and of labels
   * partitions read in arrival order (their labels before `handled` were handled: dead letters sent).
   * `committed`: the offsets committed with them, from which the partitions are read again.
   */
  restorePositions(positions: ReadonlyMap<string, PartitionPosition>, committed: ReadonlyMap<string, number> = new Map()): void {
    for (const [key, position] of positions) {
      this.restart.restorePosition(key, position, committed.get(key), !this.clocks.has(key));
      if (!this.clocks.has(key)) continue;
      this.clocks.restore(key, position, this.now());
      for (const [model, offset] of Object.entries(position.lanes ?? {})) this.models.get(model)?.windower.skipBefore(key, offset);
      for (const [model, end] of Object.entries(position.intervals ?? {})) this.models.get(model)?.windower.skipPartsThrough(key, end);
    }
  }

  /** Per "topic/partition" handled in this process: the offset after the last message handled. */
  handledPositions(): ReadonlyMap<string, number> {
    return this.nextOffsets;
  }

  /** Whether the consumer has read everything an input partition holds right now. */
  caughtUp(partitionKey: string, caughtUp: boolean): void {
    this.clocks.setCaughtUp(partitionKey, caughtUp, this.now());
  }

  /**
   * Where each partition may be committed: the first offset still held by a window not yet
   * released, or the offset after the last handled message. Input partitions carry metadata: the
   * partition clock at that offset and how far outputs went, which a restart reads back.
   */
  committableOffsets(): Map<string, CommitPosition> {
    const held = new Map<string, Position>();
    for (const runtime of this.models.values()) {
      // Windows not released hold their events; event-time labels not joined yet hold theirs.
      for (const [key, h] of [...runtime.windower.heldPositions(), ...runtime.queued.held()]) holdEarliest(held, key, h);
    }
    // The records the label joins are rebuilt from (join-replay.ts), arrival-order labels' included.
    for (const replay of this.replays.values()) for (const [key, h] of replay.holds()) holdEarliest(held, key, h);
    const result = new Map<string, CommitPosition>();
    for (const [key, next] of this.nextOffsets) {
      const h = held.get(key);
      if (!this.clocks.has(key)) {
        result.set(key, this.worker !== undefined ? { offset: next } : this.arrivalLabelsPosition(key, next, h?.offset ?? next));
        continue;
      }
      const at = h !== undefined && h.offset < next ? h : { offset: next, clock: this.clocks.clock(key) };
      const position: PartitionPosition = { clock: at.clock, handled: Math.max(next, this.clocks.handled(key)) };
      if (this.worker !== undefined) Object.assign(position, this.handedOver(key, at.offset), this.options.replicaId === undefined ? {} : { by: this.options.replicaId });
      result.set(key, { offset: at.offset, metadata: encodePosition(position) });
    }
    return result;
  }

  /** A labels partition read in arrival order by one process: held at the records its label join is rebuilt from; its metadata says how far labels were handled. */
  private arrivalLabelsPosition(key: string, next: number, held: number): CommitPosition {
    const position: PartitionPosition = { clock: -Infinity, handled: Math.max(next, this.restart.labelsHandledBefore(key)) };
    return { offset: Math.min(next, held), metadata: encodePosition(position) };
  }

  /**
   * Worker role, what a partition's commit metadata says was handed over: per count-window model
   * whose next window starts past `offset`, where it starts; per event-time model, the end of the
   * last interval whose part of the partition was handed over.
   */
  private handedOver(key: string, offset: number): Pick<PartitionPosition, 'lanes' | 'intervals'> {
    const lanes: Record<string, number> = {};
    const intervals: Record<string, number> = {};
    for (const [name, r] of this.models) {
      const start = r.windower.laneStart(key);
      if (start > offset) lanes[name] = start;
      const through = r.windower.partsHandedThrough(key);
      if (through !== undefined) intervals[name] = through;
    }
    return Object.keys(intervals).length === 0 ? { lanes } : { lanes, intervals };
  }

  checkpoint(model: string): ModelCheckpoint | undefined {
    const r = this.models.get(model);
    const replay = this.replays.get(model);
    if (r === undefined || replay === undefined) return r === undefined ? undefined : checkpointOf(r);
    // Arrival-order labels: how far their partitions were read, and the realized reports still due.
    const read = this.restart.readThrough(model, [...this.nextOffsets].filter(([key]) => !this.clocks.has(key)));
    const pending = r.labelled.size > 0 ? { labelsPending: [...r.labelled] } : {};
    return { ...checkpointOf(r), ...replay.checkpoint(read), ...pending };
  }

  /**
   * Restores a checkpoint written by `checkpoint`. Returns the detectors it held that are not
   * configured any more, or undefined for a model that is not configured. Throws CheckpointError when
   * a detector's state cannot be read.
   */
  restore(checkpoint: ModelCheckpoint): { unknownDetectors: string[] } | undefined {
    const r = this.models.get(checkpoint.model);
    if (r === undefined) return undefined;
    const restored = restoreRuntime(r, checkpoint);
    const replay = this.replays.get(checkpoint.model);
    replay?.restore(checkpoint);
    for (const w of replay?.windows() ?? []) r.labels?.windowReleased(w.id, w.serial);
    if (replay !== undefined) this.restart.restoreCheckpoint(checkpoint.model, checkpoint.labelsReadThrough ?? {});
    for (const id of checkpoint.labelsPending ?? []) r.labelled.add(id);
    return restored;
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** Each configured detector's current status, per model. */
  statuses(model: string): Partial<Record<DetectorName, DriftStatus>> {
    const r = this.models.get(model);
    return r === undefined ? {} : statusesOf(r);
  }

  /** Each configured detector's CUSUM threshold h, per model. */
  thresholds(model: string): Partial<Record<DetectorName, number>> {
    return Object.fromEntries(this.models.get(model)?.detectors.map((d) => [d.name, d.cusumThreshold]) ?? []);
  }

  /** The detectors configured for a model, in the order they run. */
  detectorNames(model: string): DetectorName[] {
    return this.models.get(model)?.detectors.map((d) => d.name) ?? [];
  }

  /** Per classification model, the label join's entries and estimated bytes, and the event-time labels queued. */
  labelJoinSizes(): Map<string, LabelJoinSize> {
    return labelJoinSizes(this.models.values());
  }

  /**
   * Input partitions to stop reading for now: once a model has half the closed windows it may hold
   * waiting for slower partitions, every partition ahead of the slowest one that can still send.
   * Reading them further would only pile up waiting windows until the oldest were released out of
   * order (MAX_HELD_WINDOWS); paused, they let the slow partition catch up, so the release order
   * stays a function of the partitions' contents also when the consumer reads one far ahead of
   * the others (a backlog read from the beginning or after a restart).
   */
  partitionsToPause(): string[] {
    const crowded = [...this.models.values()].some((r) => r.windower.waiting() >= MAX_HELD_WINDOWS / 2 || r.queued.size() >= MAX_QUEUED_LABELS);
    return crowded ? this.clocks.ahead() : [];
  }

  /** Per model, the events held in windows not yet released (open, or closed and waiting for other partitions). */
  openWindowSizes(): Map<string, number> {
    return new Map([...this.models].map(([name, r]) => [name, r.windower.heldEvents()]));
  }

  /** Worker role: the full windows and the partitions' progress, as records for the models' aggregators. */
  private handOff(worker: WorkerHandOff, out: MonitorOutput): MonitorOutput {
    for (const runtime of this.models.values()) {
      for (const part of runtime.windower.drainClosed(this.clocks)) {
        this.observer.unknownFeatures?.(runtime.model.name, part.summary.unknownFeatureValues);
        out.summaries.push(worker.windowRecord(runtime.model.name, part, runtime.labels !== undefined));
      }
    }
    out.summaries.push(...worker.labels(), ...worker.progress(this.modelNames(), this.now()));
    return out;
  }

  private released(runtime: ModelRuntime, closed: ClosedWindow): void {
    runtime.labels?.windowReleased(closed.id, closed.serial);
    const replay = this.replays.get(runtime.model.name);
    if (replay !== undefined) {
      rejoinBeforeRestore(runtime, replay, this.labelPartitions.size > 0, this.now());
      replay.released({ id: closed.id, serial: closed.serial, end: closed.end, n: closed.summary.n }, closed.firsts);
    }
    this.observer.unknownFeatures?.(runtime.model.name, closed.summary.unknownFeatureValues);
    this.pending.push({ runtime, closed });
  }

  /** Windows closed or waiting for release, or windows labelled: detectors or learners may have work. */
  hasPending(): boolean {
    if (this.worker !== undefined) return this.worker.due(this.now()) || [...this.models.values()].some((r) => r.windower.waiting() > 0);
    return this.pending.length > 0 || [...this.models.values()].some((r) => r.labelled.size > 0 || r.windower.waiting() > 0);
  }

  /**
   * Runs every detector on the windows closed since the last call, in window order, steps their
   * states and adds the window reports and the alerts of state transitions to `out`; then, for each
   * window that got labels meanwhile, its realized report, which the detectors learn from once per
   * call however many labels arrived.
   */
  async complete(out: MonitorOutput): Promise<MonitorOutput> {
    if (this.worker !== undefined) return this.handOff(this.worker, out);
    for (const runtime of this.models.values()) for (const w of runtime.windower.release(this.clocks)) this.released(runtime, w);
    const pending = this.pending;
    this.pending = [];
    const eventTime = this.labelPartitions.size > 0;
    for (const { runtime, closed } of pending) {
      const replay = this.replays.get(runtime.model.name);
      await scoreReleased(runtime, closed, out, this.observer, eventTime, this.now(), replay && ((result, label) => replay.label(result, label.id, label.source, label.offset, label.clockBefore)));
    }
    const flushLabels = this.flushLabels;
    this.flushLabels = false;
    // After a restart, arrival-order labels' reports wait until the partitions are read again as far as before (restart-reads.ts).
    const realize = flushLabels || (!eventTime && !this.restart.rereadingAny((key) => this.nextOffsets.get(key) ?? 0));
    for (const runtime of this.models.values()) {
      // Event-time labels are joined before the windows they may teach, or at the end of the stream.
      if (eventTime && flushLabels) joinLabels(runtime, runtime.queued.takeBefore(Infinity), this.now(), this.observer);
      if (realize) realizeWindows(runtime, out);
    }
    return out;
  }
}

export function emptyOutput(): MonitorOutput {
  return { deadLetters: [], summaries: [], windows: [], alerts: [], realized: [] };
}
