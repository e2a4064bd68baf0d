/**
 * The worker side of shared replicas: what goes with a full window to its model's aggregator (the
 * event ids of its prediction rows, for the label join there), the labels read since the last
 * delivery (a few records per model, not one per label), and when to report the input
 * partitions' progress (a clock that moved, a partition that went quiet or woke up, and otherwise
 * every `heartbeatMs`, so that an aggregator that restarted learns every partition's state again).
 */
import type { PartitionClocks } from '../window/partition-clocks.js';
import type { WindowPart } from '../window/windower.js';
import type { SummaryRecord } from './summary-record.js';

/** Labels per record: a record stays well under a topic's default 1 MB limit with ids of up to about 100 characters. */
const LABELS_PER_RECORD = 5000;

interface Reported {
  clock: number;
  quiet: boolean;
  atMs: number;
}

export class WorkerHandOff {
  /** Per model, per open window part ("partition window-id"): the event id of each prediction row (null for an event without one). */
  private readonly ids = new Map<string, Map<string, (string | null)[]>>();
  private readonly reported = new Map<string, Reported>();
  private assigned = new Set<string>();
  /** Per model, labels read since the last hand-off. */
  private pendingLabels = new Map<string, { ids: string[]; labels: number[]; times: number[] }>();
  /** The list `predicted` added to last: consecutive events of a partition mostly go to one window. */
  private lastPart: { model: string; partitionKey: string; windowId: string; list: (string | null)[] } | undefined;

  constructor(
    private readonly clocks: PartitionClocks,
    private readonly heartbeatMs: number,
  ) {}

  /** A prediction row read from `partitionKey` was added to window `windowId` of `model`. */
  predicted(model: string, partitionKey: string, windowId: string, id: string | undefined): void {
    const last = this.lastPart;
    if (last !== undefined && last.windowId === windowId && last.partitionKey === partitionKey && last.model === model) {
      last.list.push(id ?? null);
      return;
    }
    let windows = this.ids.get(model);
    if (windows === undefined) {
      windows = new Map();
      this.ids.set(model, windows);
    }
    const part = `${partitionKey} ${windowId}`;
    let list = windows.get(part);
    if (list === undefined) {
      list = [];
      windows.set(part, list);
    }
    list.push(id ?? null);
    this.lastPart = { model, partitionKey, windowId, list };
  }

  windowRecord(model: string, part: WindowPart, classification: boolean): SummaryRecord {
    if (!classification) return { kind: 'window', model, lane: part };
    const windows = this.ids.get(model);
    const key = `${part.partitionKey} ${part.id}`;
    const ids = windows?.get(key) ?? [];
    windows?.delete(key);
    this.lastPart = undefined;
    return { kind: 'window', model, lane: part, ids };
  }

  /** A delayed label, checked and resolved to its class index; `time` for one read in event time (labels/label-queue.ts). */
  labelled(model: string, id: string, label: number, time?: number): void {
    let pending = this.pendingLabels.get(model);
    if (pending === undefined) {
      pending = { ids: [], labels: [], times: [] };
      this.pendingLabels.set(model, pending);
    }
    pending.ids.push(id);
    pending.labels.push(label);
    if (time !== undefined) pending.times.push(time);
  }

  /** The labels read since the last call, at most LABELS_PER_RECORD per record. */
  labels(): SummaryRecord[] {
    const out: SummaryRecord[] = [];
    for (const [model, { ids, labels, times }] of this.pendingLabels) {
      // A process reads its labels partitions all in event time or all in arrival order.
      const timed = times.length === ids.length;
      for (let i = 0; i < ids.length; i += LABELS_PER_RECORD) {
        const record: SummaryRecord = { kind: 'labels', model, ids: ids.slice(i, i + LABELS_PER_RECORD), labels: labels.slice(i, i + LABELS_PER_RECORD) };
        if (timed) record.times = times.slice(i, i + LABELS_PER_RECORD);
        out.push(record);
      }
    }
    this.pendingLabels = new Map();
    return out;
  }

  /** Labels wait, or some partition's progress is due. */
  due(nowMs: number): boolean {
    return this.pendingLabels.size > 0 || this.clocks.keys().some((key) => this.changed(key, nowMs));
  }

  /** Progress records, one per model and input partition whose state changed or is due again. */
  progress(models: readonly string[], nowMs: number): SummaryRecord[] {
    const out: SummaryRecord[] = [];
    for (const key of this.clocks.keys()) {
      if (!this.changed(key, nowMs)) continue;
      const clock = this.clocks.clock(key);
      const quiet = this.clocks.isQuiet(key);
      this.reported.set(key, { clock, quiet, atMs: nowMs });
      for (const model of models) out.push({ kind: 'progress', model, partition: key, clock, quiet });
    }
    return out;
  }

  /** After a rebalance: forgets the partitions not kept, and returns them. */
  dropLost(keep: ReadonlySet<string>): string[] {
    const lost = [...this.assigned].filter((key) => !keep.has(key));
    this.assigned = new Set(keep);
    this.lastPart = undefined;
    for (const key of lost) {
      this.reported.delete(key);
      const prefix = `${key} `;
      for (const windows of this.ids.values()) for (const id of [...windows.keys()]) if (id.startsWith(prefix)) windows.delete(id);
    }
    return lost;
  }

  private changed(key: string, nowMs: number): boolean {
    const last = this.reported.get(key);
    return last === undefined || last.clock !== this.clocks.clock(key) || last.quiet !== this.clocks.isQuiet(key) || nowMs - last.atMs >= this.heartbeatMs;
  }
}
