/**
 * A model's tumbling windows, by event count or by event time, built so that their contents, ids
 * and order depend only on what each input partition holds, never on the order in which partitions
 * are read:
 *
 * - count windows are cut per input partition ("lanes"): a window is the next `size` events of the
 *   model in one partition, its id is the partition and the offset of its first event;
 * - event-time windows are the merge, in partition order, of each partition's events of one
 *   interval [start, start + duration);
 * - closed windows are released to the detectors in a deterministic order once the partition
 *   clocks (partition-clocks.ts) show that no partition can still add an earlier one.
 *
 * The windower also knows, per partition, the first offset (and the clock before it) still held by
 * a window not yet released: the consumer commits no further, so a restart replays exactly the
 * windows that were not released, and skips what they already covered.
 */
import type { FeatureReference } from '../reference/bundle-types.js';
import type { FeatureValue } from '../contract/event.js';
import { addEvent, emptySummary, mergeSummaries, type EventExtras, type SummaryExtras, type WindowSummary } from './summary.js';
import { comparePartitions, type Frontier, type PartitionPosition } from './partition-clocks.js';
import { at } from '../indexing.js';

export type WindowSpec =
  | { type: 'count'; size: number; minEvents: number }
  | { type: 'event-time'; durationMs: number; minEvents: number; allowedLatenessMs?: number };

export type CloseReason = 'full' | 'time' | 'idle' | 'flush' | 'held';

export interface ClosedWindow {
  /** Deterministic: the same partition contents give the same id, so replays give the same alert ids. */
  id: string;
  type: WindowSpec['type'];
  /** Event-time bounds, epoch ms: the window's interval (event-time) or first/last event time (count). */
  start: number;
  end: number;
  reason: CloseReason;
  summary: WindowSummary;
  /** Events placed in this window although their own time fell in an earlier one (event-time only). */
  lateEvents: number;
  /** The model's window sequence number in release order (1, 2, ...; continued after a restart). */
  serial: number;
}

/** Where an event was read: its partition, offset, the partition's clock before it, and whether it is a replay. */
export interface EventPosition {
  partitionKey: string;
  offset: number;
  clockBefore: number;
  /** Its outputs were published before the last restart (it is read again to rebuild a window). */
  replayed: boolean;
}

export type AddResult = { skipped: true } | { skipped: false; windowId: string; missing: readonly string[]; late: boolean };

/** How far a model's windows got, for its checkpoint. */
export interface WindowProgress {
  windowsClosed: number;
  /** Count windows: per partition, events before this offset are in a released window. */
  closedThrough: Record<string, number>;
  /** Event-time windows: the end of the last released interval (null before the first). */
  releasedUntil: number | null;
}

/** One partition's share of a window not yet released. */
interface Part {
  summary: WindowSummary;
  firstOffset: number;
  clockBefore: number;
  endOffset: number;
  lateEvents: number;
}

interface LaneWindow extends Part {
  id: string;
  partitionKey: string;
  /** Release key: the partition's clock when the window filled, then partition, then offset. */
  keyClock: number;
  keyOffset: number;
}

/** A full count window of one partition, as a worker hands it to the model's aggregator. */
export interface LanePartial {
  id: string;
  partitionKey: string;
  /** Release key: the partition's clock when the window filled, then partition, then offset. */
  keyClock: number;
  keyOffset: number;
  firstOffset: number;
  endOffset: number;
  summary: WindowSummary;
}

/** Closed windows held back for order, per model, beyond which the oldest is released anyway. */
export const MAX_HELD_WINDOWS = 64;

export class ModelWindower {
  private readonly openLanes = new Map<string, LaneWindow>();
  /** Full lane windows awaiting release, in release-key order. */
  private held: LaneWindow[] = [];
  /** Event-time intervals awaiting release: start → partition → part. */
  private readonly intervals = new Map<number, Map<string, Part>>();
  private closedThrough: Record<string, number> = {};
  private releasedUntil: number | null = null;
  private serials = 0;
  private readonly known: Set<string>;
  private readonly isKnown = (name: string): boolean => this.known.has(name);
  /** Windows released out of order because more than MAX_HELD_WINDOWS waited. */
  forcedReleases = 0;

  constructor(
    private readonly refs: readonly FeatureReference[],
    readonly spec: WindowSpec,
    private readonly extras: SummaryExtras = {},
    /** Closed windows it holds for order before the oldest is released anyway. */
    private readonly maxHeld = MAX_HELD_WINDOWS,
  ) {
    this.known = new Set(refs.map((r) => r.name));
  }

  /** Adds a checked event to its window; `skipped` when a released window already holds it. */
  add(features: Readonly<Record<string, FeatureValue>>, ts: number, position: EventPosition, event: EventExtras = {}): AddResult {
    return this.spec.type === 'count' ? this.addToLane(features, ts, position, event, this.spec.size) : this.addToInterval(features, ts, position, event, this.spec);
  }

  private addToLane(features: Readonly<Record<string, FeatureValue>>, ts: number, position: EventPosition, event: EventExtras, size: number): AddResult {
    const p = position.partitionKey;
    if (position.offset < (this.closedThrough[p] ?? 0)) return { skipped: true };
    let lane = this.openLanes.get(p);
    if (lane === undefined) {
      lane = { ...this.newPart(position), id: `c-${p}@${position.offset}`, partitionKey: p, keyClock: -Infinity, keyOffset: 0 };
      this.openLanes.set(p, lane);
    }
    const missing = this.addTo(lane, features, ts, position, event);
    if (lane.summary.n >= size) {
      this.openLanes.delete(p);
      lane.keyClock = Math.max(position.clockBefore, ts);
      lane.keyOffset = position.offset;
      this.hold(lane);
    }
    return { skipped: false, windowId: lane.id, missing, late: false };
  }

  private addToInterval(features: Readonly<Record<string, FeatureValue>>, ts: number, position: EventPosition, event: EventExtras, spec: { durationMs: number; allowedLatenessMs?: number }): AddResult {
    const d = spec.durationMs;
    const own = Math.floor(ts / d) * d;
    let start = Math.max(own, Math.floor((position.clockBefore - (spec.allowedLatenessMs ?? 0)) / d) * d);
    if (this.releasedUntil !== null && start < this.releasedUntil) {
      if (position.replayed) return { skipped: true };
      start = this.releasedUntil;
    }
    let parts = this.intervals.get(start);
    if (parts === undefined) {
      parts = new Map();
      this.intervals.set(start, parts);
    }
    let part = parts.get(position.partitionKey);
    if (part === undefined) {
      part = this.newPart(position);
      parts.set(position.partitionKey, part);
    }
    const late = start > own;
    if (late) part.lateEvents += 1;
    const missing = this.addTo(part, features, ts, position, event);
    return { skipped: false, windowId: `t${start}`, missing, late };
  }

  private newPart(position: EventPosition): Part {
    return { summary: emptySummary(this.refs, this.extras), firstOffset: position.offset, clockBefore: position.clockBefore, endOffset: position.offset, lateEvents: 0 };
  }

  private addTo(part: Part, features: Readonly<Record<string, FeatureValue>>, ts: number, position: EventPosition, event: EventExtras): readonly string[] {
    part.endOffset = position.offset + 1;
    return addEvent(part.summary, this.refs, features, ts, this.isKnown, event, this.extras.flowFeatures);
  }

  private hold(lane: LaneWindow): void {
    let i = this.held.length;
    while (i > 0 && compareLanes(at(this.held, i - 1, 'held windows'), lane) > 0) i--;
    this.held.splice(i, 0, lane);
  }

  /** The windows that may go to the detectors now, in order, with their serials. */
  release(frontier: Frontier): ClosedWindow[] {
    const out: ClosedWindow[] = [];
    if (this.spec.type === 'count') {
      while (this.held.length > 0) {
        const head = at(this.held, 0, 'held windows');
        const ready = frontier.passed(head.keyClock, head.partitionKey);
        if (!ready && this.held.length <= this.maxHeld) break;
        if (!ready) this.forcedReleases += 1;
        this.held.shift();
        out.push(this.releaseLane(head, ready ? 'full' : 'held'));
      }
      return out;
    }
    const reach = this.spec.durationMs + (this.spec.allowedLatenessMs ?? 0);
    for (const start of [...this.intervals.keys()].sort((a, b) => a - b)) {
      const ready = frontier.reached(start + reach);
      if (!ready && this.intervals.size <= this.maxHeld) break;
      if (!ready) this.forcedReleases += 1;
      out.push(this.releaseInterval(start, ready ? (frontier.anyQuiet() ? 'idle' : 'time') : 'held'));
    }
    return out;
  }

  /**
   * Shared replicas, worker side: takes every full lane window, in release-key order, to publish as
   * a partial. The aggregator that owns the model orders and releases them (`addClosedLane`).
   */
  drainClosed(): LanePartial[] {
    const out = this.held.map(({ id, partitionKey, keyClock, keyOffset, firstOffset, endOffset, summary }) => ({ id, partitionKey, keyClock, keyOffset, firstOffset, endOffset, summary }));
    for (const lane of out) this.closedThrough[lane.partitionKey] = Math.max(this.closedThrough[lane.partitionKey] ?? 0, lane.endOffset);
    this.held = [];
    return out;
  }

  /** Count windows: events of the partition before this offset are in a window handed over or released. */
  laneStart(partitionKey: string): number {
    return this.closedThrough[partitionKey] ?? 0;
  }

  /** Worker side, when a partition is assigned: its events before `offset` are in windows handed over already. */
  skipBefore(partitionKey: string, offset: number): void {
    this.closedThrough[partitionKey] = Math.max(this.closedThrough[partitionKey] ?? 0, offset);
  }

  /**
   * Shared replicas, aggregator side: a lane window closed by a worker. False when a released or
   * held window already covers it (a worker's output read again after a rebalance or a restart).
   */
  addClosedLane(lane: LanePartial): boolean {
    if (lane.firstOffset < (this.closedThrough[lane.partitionKey] ?? 0)) return false;
    if (this.held.some((h) => h.id === lane.id)) return false;
    this.hold({ ...lane, clockBefore: lane.keyClock, lateEvents: 0 });
    return true;
  }

  /** Forgets the open windows of input partitions this process no longer reads (another replica rebuilds them). */
  dropPartitions(keep: (partitionKey: string) => boolean): void {
    for (const key of [...this.openLanes.keys()]) if (!keep(key)) this.openLanes.delete(key);
    this.held = this.held.filter((lane) => keep(lane.partitionKey));
    // Where their next windows start comes back with the partition's commit.
    for (const key of Object.keys(this.closedThrough)) if (!keep(key)) delete this.closedThrough[key];
  }

  /** Closes and releases everything, open windows included (the end of a finite replay). */
  flush(): ClosedWindow[] {
    if (this.spec.type === 'event-time') return [...this.intervals.keys()].sort((a, b) => a - b).map((s) => this.releaseInterval(s, 'flush'));
    for (const lane of this.openLanes.values()) {
      lane.keyClock = lane.summary.maxTs;
      lane.keyOffset = lane.endOffset - 1;
      this.hold(lane);
    }
    this.openLanes.clear();
    const out = this.held.map((lane) => this.releaseLane(lane, 'flush'));
    this.held = [];
    return out;
  }

  private releaseLane(lane: LaneWindow, reason: CloseReason): ClosedWindow {
    this.closedThrough[lane.partitionKey] = Math.max(this.closedThrough[lane.partitionKey] ?? 0, lane.endOffset);
    const s = lane.summary;
    return { id: lane.id, type: 'count', start: s.minTs, end: s.maxTs, reason, summary: s, lateEvents: 0, serial: ++this.serials };
  }

  private releaseInterval(start: number, reason: CloseReason): ClosedWindow {
    const parts = [...this.intervals.get(start)!].sort(([a], [b]) => comparePartitions(a, b)).map(([, part]) => part);
    this.intervals.delete(start);
    const end = start + (this.spec as { durationMs: number }).durationMs;
    this.releasedUntil = Math.max(this.releasedUntil ?? end, end);
    const [first, ...rest] = parts;
    if (first === undefined) throw new Error(`event-time window t${start} holds no partition's part`);
    const summary = rest.reduce((acc, p) => mergeSummaries(acc, p.summary), first.summary);
    const lateEvents = parts.reduce((acc, p) => acc + p.lateEvents, 0);
    return { id: `t${start}`, type: 'event-time', start, end, reason, summary, lateEvents, serial: ++this.serials };
  }

  /** Per partition, the first offset held by a window not yet released and the clock before it. */
  heldPositions(): Map<string, { offset: number; clock: number }> {
    const result = new Map<string, { offset: number; clock: number }>();
    const note = (key: string, part: Part) => {
      const seen = result.get(key);
      if (seen === undefined || part.firstOffset < seen.offset) result.set(key, { offset: part.firstOffset, clock: part.clockBefore });
    };
    for (const lane of this.openLanes.values()) note(lane.partitionKey, lane);
    for (const lane of this.held) note(lane.partitionKey, lane);
    for (const parts of this.intervals.values()) for (const [key, part] of parts) note(key, part);
    return result;
  }

  /** Events in windows not yet released. */
  heldEvents(): number {
    let n = 0;
    for (const lane of this.openLanes.values()) n += lane.summary.n;
    for (const lane of this.held) n += lane.summary.n;
    for (const parts of this.intervals.values()) for (const part of parts.values()) n += part.summary.n;
    return n;
  }

  /** Closed windows waiting for the other partitions before they can be released. */
  waiting(): number {
    return this.spec.type === 'count' ? this.held.length : this.intervals.size;
  }

  progress(): WindowProgress {
    return { windowsClosed: this.serials, closedThrough: { ...this.closedThrough }, releasedUntil: this.releasedUntil };
  }

  /** After a restart, before the first event: continue where the checkpoint left off. */
  restore(progress: WindowProgress): void {
    if (this.openLanes.size > 0 || this.held.length > 0 || this.intervals.size > 0) throw new Error('restore the window progress before the first event');
    this.serials = progress.windowsClosed;
    this.closedThrough = { ...progress.closedThrough };
    this.releasedUntil = progress.releasedUntil;
  }
}

function compareLanes(a: LaneWindow, b: LaneWindow): number {
  if (a.keyClock !== b.keyClock) return a.keyClock - b.keyClock;
  const byPartition = comparePartitions(a.partitionKey, b.partitionKey);
  return byPartition !== 0 ? byPartition : a.keyOffset - b.keyOffset;
}

export type { PartitionPosition };
