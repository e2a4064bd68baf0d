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
 *
 * With shared replicas, a worker's windower hands over each partition's closed share of a window
 * (`drainClosed`: a full count window, or a partition's part of an event-time interval once the
 * partition's clock passed it or the partition went quiet), and the aggregator's windower orders,
 * merges and releases them (`addClosedPart`) exactly as one windower reading every partition does.
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
  /**
   * Per partition, the first offset of the window's events and the partition's clock before it: a
   * single process holds its commit there while labels may still join the window (join-replay.ts).
   */
  firsts: ReadonlyMap<string, Position>;
}

/** An offset of a partition and the partition's clock before it. */
export interface Position {
  offset: number;
  clock: number;
}

/** Keeps, per partition, the earliest position noted: where a commit must stay to read it again. */
export function holdEarliest(holds: Map<string, Position>, key: string, at: Position): void {
  const seen = holds.get(key);
  if (seen === undefined || at.offset < seen.offset) holds.set(key, { offset: at.offset, clock: at.clock });
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
  /**
   * Event-time windows of shared replicas, aggregator side: per partition, the end of the last
   * interval of which a part of that partition was released (later copies of it are skipped).
   */
  partsThrough?: Record<string, number>;
}

/** One partition's share of a window not yet released. */
interface Part {
  summary: WindowSummary;
  firstOffset: number;
  clockBefore: number;
  endOffset: number;
  lateEvents: number;
  /** Aggregator side: the end of the latest interval the worker's parts merged into this one were cut for. */
  through?: number;
}

interface LaneWindow extends Part {
  id: string;
  partitionKey: string;
  /** Release key: the partition's clock when the window filled, then partition, then offset. */
  keyClock: number;
  keyOffset: number;
}

/**
 * What a worker hands to the model's aggregator: a full count window of one partition, or one
 * partition's part of an event-time window (id `t<start>`, keyClock the interval's start).
 */
export interface WindowPart {
  id: string;
  partitionKey: string;
  /** Count windows' release key: the partition's clock when the window filled, then partition, then offset; an event-time part's interval start. */
  keyClock: number;
  keyOffset: number;
  firstOffset: number;
  endOffset: number;
  summary: WindowSummary;
  /** Event-time parts: events placed in the interval although their own time fell in an earlier one. */
  lateEvents?: number;
}

/** What the worker's windower reads of its partitions' clocks to know which event-time parts are complete. */
export interface PartClocks {
  clock(partitionKey: string): number;
  isQuiet(partitionKey: string): boolean;
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
  /**
   * Event-time windows of shared replicas, per partition: the end of the last interval whose part
   * of it was handed over (worker) or released (aggregator). The partition's later events (worker)
   * and copies of those parts (aggregator) belong after it.
   */
  private partsThrough: Record<string, number> = {};
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
      lane = { ...this.newPart(position), id: laneId(p, position.offset), partitionKey: p, keyClock: -Infinity, keyOffset: 0 };
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
    let start = intervalStart(ts, position.clockBefore, spec);
    const floor = Math.max(this.releasedUntil ?? -Infinity, this.partsThrough[position.partitionKey] ?? -Infinity);
    if (start < floor) {
      if (position.replayed) return { skipped: true };
      start = floor;
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

  /**
   * Event-time windows, after a restart: the window of an event read again that `add` skipped (its
   * window was released), from its time and the partition's clock before it. An event that came too
   * late for its own interval and was placed in a later one is named by the interval it would have had.
   */
  intervalOf(ts: number, clockBefore: number): string | undefined {
    return this.spec.type === 'event-time' ? `t${intervalStart(ts, clockBefore, this.spec)}` : undefined;
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
   * Shared replicas, worker side: takes what no event can change any more, to hand to the model's
   * aggregator (`addClosedPart`), which orders and releases it: every full count window, in
   * release-key order; or, in interval order, each partition's part of an event-time interval that
   * the partition's clock has passed (with the allowed lateness), or every part of a quiet partition.
   */
  drainClosed(clocks: PartClocks): WindowPart[] {
    if (this.spec.type === 'event-time') return this.drainParts(clocks, this.spec.durationMs, this.spec.allowedLatenessMs ?? 0);
    const out = this.held.map(({ id, partitionKey, keyClock, keyOffset, firstOffset, endOffset, summary }) => ({ id, partitionKey, keyClock, keyOffset, firstOffset, endOffset, summary }));
    for (const lane of out) this.closedThrough[lane.partitionKey] = Math.max(this.closedThrough[lane.partitionKey] ?? 0, lane.endOffset);
    this.held = [];
    return out;
  }

  private drainParts(clocks: PartClocks, duration: number, lateness: number): WindowPart[] {
    const out: WindowPart[] = [];
    for (const start of [...this.intervals.keys()].sort((a, b) => a - b)) {
      const parts = this.intervals.get(start)!;
      for (const [key, part] of [...parts].sort(([a], [b]) => comparePartitions(a, b))) {
        if (clocks.clock(key) < start + duration + lateness && !clocks.isQuiet(key)) continue;
        parts.delete(key);
        this.partsThrough[key] = Math.max(this.partsThrough[key] ?? -Infinity, start + duration);
        const { summary, firstOffset, endOffset, lateEvents } = part;
        out.push({ id: `t${start}`, partitionKey: key, keyClock: start, keyOffset: firstOffset, firstOffset, endOffset, summary, lateEvents });
      }
      if (parts.size === 0) this.intervals.delete(start);
    }
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

  /** Event-time windows, worker side: the end of the last interval whose part of the partition was handed over. */
  partsHandedThrough(partitionKey: string): number | undefined {
    return this.partsThrough[partitionKey];
  }

  /** Worker side, when a partition is assigned: its parts of intervals ending by `end` were handed over already. */
  skipPartsThrough(partitionKey: string, end: number): void {
    this.partsThrough[partitionKey] = Math.max(this.partsThrough[partitionKey] ?? -Infinity, end);
  }

  /**
   * Shared replicas, aggregator side: a window part handed over by a worker. Returns the id of the
   * window it joined, or undefined when a released or held window already holds it (a worker's
   * output read again after a rebalance or a restart). An event-time part of an interval already
   * released joins the next one, its events counted late, as one windower places late events.
   */
  addClosedPart(part: WindowPart): string | undefined {
    if (this.spec.type === 'event-time') return this.addPart(part, this.spec.durationMs);
    if (part.firstOffset < (this.closedThrough[part.partitionKey] ?? 0)) return undefined;
    if (this.held.some((h) => h.id === part.id)) return undefined;
    this.hold({ ...part, clockBefore: part.keyClock, lateEvents: 0 });
    return part.id;
  }

  private addPart(part: WindowPart, duration: number): string | undefined {
    const key = part.partitionKey;
    const through = part.keyClock + duration;
    // Each worker hands a partition's parts over in interval order: a part not past the last one seen is a copy.
    if (through <= (this.partsThrough[key] ?? -Infinity)) return undefined;
    for (const parts of this.intervals.values()) if ((parts.get(key)?.through ?? -Infinity) >= through) return undefined;
    const late = this.releasedUntil !== null && part.keyClock < this.releasedUntil;
    const start = late ? this.releasedUntil! : part.keyClock;
    let parts = this.intervals.get(start);
    if (parts === undefined) {
      parts = new Map();
      this.intervals.set(start, parts);
    }
    const lateEvents = late ? part.summary.n : (part.lateEvents ?? 0);
    const held = parts.get(key);
    if (held === undefined) {
      parts.set(key, { summary: part.summary, firstOffset: part.firstOffset, clockBefore: part.keyClock, endOffset: part.endOffset, lateEvents, through });
    } else {
      held.summary = mergeSummaries(held.summary, part.summary);
      held.endOffset = Math.max(held.endOffset, part.endOffset);
      held.lateEvents += lateEvents;
      held.through = through;
    }
    return `t${start}`;
  }

  /** Forgets the open windows of input partitions this process no longer reads (another replica rebuilds them). */
  dropPartitions(keep: (partitionKey: string) => boolean): void {
    for (const key of [...this.openLanes.keys()]) if (!keep(key)) this.openLanes.delete(key);
    this.held = this.held.filter((lane) => keep(lane.partitionKey));
    for (const [start, parts] of [...this.intervals]) {
      for (const key of [...parts.keys()]) if (!keep(key)) parts.delete(key);
      if (parts.size === 0) this.intervals.delete(start);
    }
    // Where their next windows start comes back with the partition's commit.
    for (const key of Object.keys(this.closedThrough)) if (!keep(key)) delete this.closedThrough[key];
    for (const key of Object.keys(this.partsThrough)) if (!keep(key)) delete this.partsThrough[key];
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
    const firsts = new Map([[lane.partitionKey, { offset: lane.firstOffset, clock: lane.clockBefore }]]);
    return { id: lane.id, type: 'count', start: s.minTs, end: s.maxTs, reason, summary: s, lateEvents: 0, serial: ++this.serials, firsts };
  }

  private releaseInterval(start: number, reason: CloseReason): ClosedWindow {
    const keyed = [...this.intervals.get(start)!].sort(([a], [b]) => comparePartitions(a, b));
    this.intervals.delete(start);
    const end = start + (this.spec as { durationMs: number }).durationMs;
    this.releasedUntil = Math.max(this.releasedUntil ?? end, end);
    for (const [key, part] of keyed) if (part.through !== undefined) this.partsThrough[key] = Math.max(this.partsThrough[key] ?? -Infinity, part.through);
    const parts = keyed.map(([, part]) => part);
    const [first, ...rest] = parts;
    if (first === undefined) throw new Error(`event-time window t${start} holds no partition's part`);
    const summary = rest.reduce((acc, p) => mergeSummaries(acc, p.summary), first.summary);
    const lateEvents = parts.reduce((acc, p) => acc + p.lateEvents, 0);
    const firsts = new Map(keyed.map(([key, part]) => [key, { offset: part.firstOffset, clock: part.clockBefore }]));
    return { id: `t${start}`, type: 'event-time', start, end, reason, summary, lateEvents, serial: ++this.serials, firsts };
  }

  /** Per partition, the first offset held by a window not yet released and the clock before it. */
  heldPositions(): Map<string, Position> {
    const result = new Map<string, Position>();
    const note = (key: string, part: Part) => holdEarliest(result, key, { offset: part.firstOffset, clock: part.clockBefore });
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
    const progress: WindowProgress = { windowsClosed: this.serials, closedThrough: { ...this.closedThrough }, releasedUntil: this.releasedUntil };
    if (Object.keys(this.partsThrough).length > 0) progress.partsThrough = { ...this.partsThrough };
    return progress;
  }

  /** After a restart, before the first event: continue where the checkpoint left off. */
  restore(progress: WindowProgress): void {
    if (this.openLanes.size > 0 || this.held.length > 0 || this.intervals.size > 0) throw new Error('restore the window progress before the first event');
    this.serials = progress.windowsClosed;
    this.closedThrough = { ...progress.closedThrough };
    this.releasedUntil = progress.releasedUntil;
    this.partsThrough = { ...progress.partsThrough };
  }
}

/** The interval an event-time event belongs in: its own, or the first one its partition's clock (less the allowed lateness) has not passed. */
function intervalStart(ts: number, clockBefore: number, spec: { durationMs: number; allowedLatenessMs?: number }): number {
  const d = spec.durationMs;
  return Math.max(Math.floor(ts / d) * d, Math.floor((clockBefore - (spec.allowedLatenessMs ?? 0)) / d) * d);
}

function laneId(partitionKey: string, offset: number): string {
  return `c-${partitionKey}@${offset}`;
}

/** A count window's partition and first offset, from its id (`c-<partition>@<offset>`); undefined for an event-time window's. */
export function laneOf(id: string): { partitionKey: string; offset: number } | undefined {
  const at = id.lastIndexOf('@');
  if (!id.startsWith('c-') || at < 0) return undefined;
  return { partitionKey: id.slice(2, at), offset: Number(id.slice(at + 1)) };
}

function compareLanes(a: LaneWindow, b: LaneWindow): number {
  if (a.keyClock !== b.keyClock) return a.keyClock - b.keyClock;
  const byPartition = comparePartitions(a.partitionKey, b.partitionKey);
  return byPartition !== 0 ? byPartition : a.keyOffset - b.keyOffset;
}

export type { PartitionPosition };
