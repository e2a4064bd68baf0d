/**
 * The aggregator side of shared replicas: reads a model's summary records (summary-record.ts) from
 * the partition of the summaries topic it owns, orders the workers' windows exactly as a single
 * process would (release keys, and the frontier of the input partitions' reported clocks), runs the
 * detectors on them and joins the forwarded labels. Pure: the shell publishes what `complete`
 * returns together with `committableOffsets`, in one transaction.
 *
 * Its state is the detectors' (checkpointed per model, as in one process), the windows waiting for
 * release and the label join, which are rebuilt after a restart or a rebalance by reading the
 * summaries topic again from the first record still held: windows already released are recognized
 * and skipped, except that the predictions of recent ones go back into the label join
 * (join-replay.ts).
 */
import type { ClosedWindow } from '../window/windower.js';
import { PartitionClocks } from '../window/partition-clocks.js';
import type { ModelCheckpoint } from '../detectors/state-codec.js';
import type { EvictionReason } from '../labels/label-join.js';
import { JoinReplay, rejoinBeforeRestore } from './join-replay.js';
import type { DetectorSettings, MonitoredModel } from '../detectors/model.js';
import type { DetectorName } from '../detectors/contract.js';
import type { DriftStatus } from '../detect/drift-state.js';
import { decodeSummaryRecord, SummaryRecordError, type SummaryRecord } from './summary-record.js';
import { PIECE_HEADER, PieceAssembler } from './summary-pieces.js';
import { checkpointOf, createModelRuntime, detectorSettings, joinLabels, scoreReleased, realizeWindows, restoreRuntime, statusesOf, labelJoinSizes, type LabelJoinSize, type ModelRuntime, type RuntimeOutput } from './model-runtime.js';
import type { MonitorObserver, MonitorOptions, RawMessage } from './monitor.js';

/** What the aggregator reports beyond a monitor's signals. */
export interface AggregatorObserver extends MonitorObserver {
  /**
   * A summaries record not used: `replay_skipped`, a window part already held or released (read
   * again after a restart or a rebalance); `unknown_model`, a record of a model this replica has no
   * bundle for.
   */
  summarySkipped?(outcome: 'replay_skipped' | 'unknown_model', topic: string): void;
}

export interface AggregatorOptions extends Pick<MonitorOptions, 'tests' | 'sequential' | 'predictions'> {
  /** Windows a model holds for order before the oldest is released anyway. */
  maxHeldWindows: number;
}

type WindowPartRecord = Extract<SummaryRecord, { kind: 'window' }>;

interface Held {
  runtime: ModelRuntime;
  clocks: PartitionClocks;
  /** Classification models: the label join's windows, rebuilt after a restore (join-replay.ts). */
  replay: JoinReplay;
}

export class Aggregator {
  private models = new Map<string, Held>();
  /** Per "model window": the summaries partition and offset of its record, until released. */
  private readonly sources = new Map<string, { key: string; offset: number }>();
  /** Per summaries partition: the offset after the last record read. */
  private readonly nextOffsets = new Map<string, number>();
  /** Records that came in pieces and still miss some (summary-pieces.ts). */
  private readonly pieces = new PieceAssembler();
  /** Models whose records this aggregator reads (since the last reset): the ones it scores. */
  private readonly scoring = new Set<string>();
  private readonly settings: DetectorSettings;
  /** Every input partition ("topic/partition"): a window is released once none of them can still send an earlier one. */
  private inputPartitions: readonly string[] = [];
  /** Labels partitions read in event time: they join the release order, and their labels wait for the windows they may teach. */
  private labelPartitions: readonly string[] = [];
  /** Models whose records came without a bundle here: their windows are scored by no one (see `newUnknownModels`). */
  private readonly unknown = new Set<string>();
  /** Of those, the ones not yet returned by `newUnknownModels`. */
  private unreported: string[] = [];

  constructor(
    private readonly configured: readonly MonitoredModel[],
    private readonly options: AggregatorOptions,
    private readonly observer: AggregatorObserver = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = detectorSettings(options);
    this.reset();
  }

  /**
   * The input topic's partitions (read from the broker at start) and, with `labels.order:
   * event-time`, the labels topic's; forgets everything read.
   */
  setInputPartitions(keys: readonly string[], labelKeys: readonly string[] = []): void {
    this.inputPartitions = [...keys];
    this.labelPartitions = [...labelKeys];
    this.reset();
  }

  /** Forgets everything read (after a rebalance): the group's commits and checkpoints are the truth. */
  reset(): void {
    this.models = new Map(this.configured.map((model) => {
      const clocks = new PartitionClocks(Infinity);
      clocks.assign([...this.inputPartitions, ...this.labelPartitions], this.now());
      const replay = new JoinReplay(this.settings.predictions.labels.maxEntries, this.settings.predictions.labels.rebuildWindows);
      const observer = {
        labelEvicted: (name: string, kind: 'prediction' | 'label', reason: EvictionReason, id: string) => {
          if (kind === 'label') replay.labelEvicted(id);
          this.observer.labelEvicted?.(name, kind, reason, id);
        },
      };
      return [model.name, { runtime: createModelRuntime(model, this.settings, observer, this.options.maxHeldWindows), clocks, replay }];
    }));
    this.sources.clear();
    this.nextOffsets.clear();
    this.pieces.clear();
    this.scoring.clear();
  }

  /** One record of the summaries topic. Throws SummaryRecordError for one it cannot read. */
  handle(message: RawMessage): void {
    const key = `${message.topic}/${message.partition}`;
    const offset = Number(message.offset);
    if (offset < (this.nextOffsets.get(key) ?? 0)) return;
    this.nextOffsets.set(key, offset + 1);
    if (message.value === null) return;
    const { value } = message;
    const piece = message.headers?.[PIECE_HEADER];
    if (piece === undefined) {
      this.apply(decodeSummaryRecord(Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8')), message.topic, key, offset);
      return;
    }
    const whole = this.pieces.add(piece, key, offset, value);
    // A record in pieces is read again from its first piece after a restart.
    if (whole !== undefined) this.apply(decodeSummaryRecord(whole.text), message.topic, key, whole.firstOffset);
  }

  private apply(record: SummaryRecord, topic: string, key: string, offset: number): void {
    const held = this.models.get(record.model);
    if (held === undefined) {
      // Another replica of the group monitors a model this one is not configured for.
      if (!this.unknown.has(record.model)) {
        this.unknown.add(record.model);
        this.unreported.push(record.model);
      }
      this.observer.summarySkipped?.('unknown_model', topic);
      return;
    }
    const { runtime, clocks } = held;
    this.scoring.add(record.model);
    if (record.kind === 'progress') {
      clocks.report(record.partition, record.clock, record.quiet, this.now());
      return;
    }
    if (record.kind === 'labels') {
      if (runtime.labels === undefined) return;
      const { ids, labels, times } = record;
      if (times === undefined || this.labelPartitions.length === 0) {
        // Arrival order. Counted per outcome: the metric calls of this thread are posted to the main thread (thread-mirror.ts).
        const again = held.replay.joinedBefore(key, offset);
        joinLabels(runtime, ids.map((id, i) => ({ id, label: labels[i] ?? 0 })), this.now(), again ? {} : this.observer, (result, { id }) => {
          held.replay.label(result, id, key, offset, -Infinity, again);
          // Joined before the restore: a released window's realized report went out then.
          if (again && result.window !== undefined && runtime.labels?.serialOf(result.window) !== undefined) runtime.labelled.delete(result.window);
        });
        return;
      }
      // Held until released windows reach their times; the record is read again after a restart until then.
      ids.forEach((id, i) => runtime.queued.add({ time: times[i] ?? -Infinity, id, label: labels[i] ?? 0, source: key, offset, clockBefore: -Infinity }));
      return;
    }
    const { lane: part } = record;
    if (part.summary.features.length !== runtime.model.bundle.features.length) {
      throw new SummaryRecordError(`window ${part.id} of model ${record.model} has ${part.summary.features.length} features, the bundle ${runtime.model.bundle.features.length}`);
    }
    const windowId = runtime.windower.addClosedPart(part);
    if (windowId === undefined) {
      if (!this.replayPart(held, record, key, offset)) this.observer.summarySkipped?.('replay_skipped', topic);
      return;
    }
    // A window's first record: the summaries topic is read again from there after a restart.
    const source = `${record.model} ${windowId}`;
    if (!this.sources.has(source)) this.sources.set(source, { key, offset });
    if (runtime.labels !== undefined) held.replay.opened(windowId);
    this.recordPredictions(held, windowId, record);
  }

  /** Records a part's predictions in the label join; `replayed`: read again after a restore (its window's reports went out). */
  private recordPredictions({ runtime, replay }: Held, windowId: string, { lane, ids }: WindowPartRecord, replayed = false): void {
    const p = lane.summary.predictions;
    if (runtime.labels === undefined || p === undefined || ids === undefined) return;
    ids.forEach((id, row) => {
      // A label that arrived before its window: the window's realized outcome moved.
      if (id === null || !runtime.labels?.recordPrediction(id, windowId, p.probs.slice(row * p.classes, (row + 1) * p.classes), this.now())) return;
      // Read again after a restore, a window is labelled anew only by a label read since (its reports went out with the others).
      if (replay.predictionJoined(id, windowId) === false || !replayed) runtime.labelled.add(windowId);
    });
  }

  /** After a restore, a part of a recent window read again: its predictions are recorded again (join-replay.ts). True when it was one. */
  private replayPart(held: Held, record: WindowPartRecord, key: string, offset: number): boolean {
    const { lane } = record;
    const window = held.replay.replayedPart({ window: lane.id, partitionKey: lane.partitionKey, firstOffset: lane.firstOffset, key, offset });
    if (window === undefined) return false;
    held.runtime.labels?.windowReleased(window.id, window.serial);
    this.recordPredictions(held, window.id, record, true);
    return true;
  }

  /** Released windows scored, in order, then the realized reports of windows that got labels. */
  async complete(out: RuntimeOutput): Promise<RuntimeOutput> {
    const eventTime = this.labelPartitions.length > 0;
    for (const held of this.models.values()) {
      const { runtime, clocks } = held;
      const released: ClosedWindow[] = runtime.windower.release(clocks);
      for (const closed of released) {
        const source = `${runtime.model.name} ${closed.id}`;
        const first = this.sources.get(source);
        this.sources.delete(source);
        runtime.labels?.windowReleased(closed.id, closed.serial);
        if (runtime.labels !== undefined) {
          rejoinBeforeRestore(held.runtime, held.replay, eventTime, this.now());
          held.replay.released({ id: closed.id, serial: closed.serial, end: closed.end, n: closed.summary.n }, first === undefined ? [] : [[first.key, { offset: first.offset, clock: -Infinity }]]);
        }
        await scoreReleased(runtime, closed, out, this.observer, eventTime, this.now(), (result, label) => held.replay.label(result, label.id, label.source, label.offset));
      }
      if (!eventTime) realizeWindows(runtime, out);
    }
    return out;
  }

  /**
   * Per summaries partition: the first record of a window still held or the first piece of a record
   * still missing pieces, else the offset after the last record read.
   */
  committableOffsets(): Map<string, number> {
    const result = new Map(this.nextOffsets);
    const hold = (key: string, offset: number) => result.set(key, Math.min(result.get(key) ?? offset, offset));
    for (const { key, offset } of this.sources.values()) hold(key, offset);
    for (const { runtime, replay } of this.models.values()) {
      for (const [key, { offset }] of runtime.queued.held()) hold(key, offset);
      for (const [key, { offset }] of replay.holds()) hold(key, offset);
    }
    for (const [key, offset] of this.pieces.firstOffsets()) hold(key, offset);
    return result;
  }

  checkpoint(model: string): ModelCheckpoint | undefined {
    const held = this.models.get(model);
    if (held === undefined) return undefined;
    return { ...checkpointOf(held.runtime), ...held.replay.checkpoint(this.nextOffsets) };
  }

  /** Restores a model's checkpoint; its recent windows' label join is rebuilt as their records are read again (join-replay.ts). */
  restore(checkpoint: ModelCheckpoint): { unknownDetectors: string[] } | undefined {
    const held = this.models.get(checkpoint.model);
    if (held === undefined) return undefined;
    const restored = restoreRuntime(held.runtime, checkpoint);
    if (held.runtime.labels !== undefined) held.replay.restore(checkpoint);
    return restored;
  }

  /** Each detector's status, for a model this aggregator scores (undefined for the others). */
  statuses(model: string): Partial<Record<DetectorName, DriftStatus>> | undefined {
    const held = this.models.get(model);
    return held === undefined || !this.scoring.has(model) ? undefined : statusesOf(held.runtime);
  }

  /**
   * Models whose summaries records this replica skipped for want of a bundle, each returned once, by
   * the first call after its first record: every replica of a group must monitor the same models.
   */
  newUnknownModels(): string[] {
    const models = this.unreported;
    this.unreported = [];
    return models;
  }

  /** Per classification model, the label join's entries and estimated bytes, and the event-time labels queued. */
  labelJoinSizes(): Map<string, LabelJoinSize> {
    return labelJoinSizes([...this.models.values()].map((h) => h.runtime));
  }
}
