/**
 * Tumbling windows per model, by event count or by event time. A windower only groups events; it
 * knows nothing of tests. It also remembers, per input partition, the first offset still held in
 * its open window, which is what the consumer may commit up to without losing data.
 */
import type { FeatureReference } from '../reference/bundle-types.js';
import type { FeatureValue } from '../contract/event.js';
import { addEvent, emptySummary, type EventExtras, type SummaryExtras, type WindowSummary } from './summary.js';

export type WindowSpec =
  | { type: 'count'; size: number; minEvents: number }
  | { type: 'event-time'; durationMs: number; minEvents: number; idleCloseMs: number };

export type CloseReason = 'full' | 'time' | 'idle' | 'flush';

export interface ClosedWindow {
  /** Deterministic: the same events give the same id, so replays give the same alert ids. */
  id: string;
  type: WindowSpec['type'];
  /** Event-time bounds, epoch ms: the window's span (event-time) or first/last event (count). */
  start: number;
  end: number;
  reason: CloseReason;
  summary: WindowSummary;
  /** Late events folded into this window (event-time only). */
  lateEvents: number;
  /** Per "topic/partition", the offset after the last event this window holds. */
  endOffsets: Record<string, number>;
  /** The model's window sequence number (1, 2, ...; restored after a restart); joins labels to windows. */
  serial: number;
}

/** A position in the input: "topic/partition" and offset. */
export interface InputPosition {
  partitionKey: string;
  offset: number;
}

interface OpenWindow {
  summary: WindowSummary;
  index: number;
  firstOffsets: Map<string, number>;
  endOffsets: Record<string, number>;
  lastActivityMs: number;
  lateEvents: number;
  firstPosition: string;
  serial: number;
}

export class ModelWindower {
  private open: OpenWindow | undefined;
  private lastClosedIndex = Number.NEGATIVE_INFINITY;
  private readonly known: Set<string>;
  private serials = 0;

  constructor(
    private readonly refs: readonly FeatureReference[],
    readonly spec: WindowSpec,
    private readonly extras: SummaryExtras = {},
  ) {
    this.known = new Set(refs.map((r) => r.name));
  }

  /** Adds a checked event. Returns the windows it closed (at most one) and the missing features. */
  add(
    features: Readonly<Record<string, FeatureValue>>,
    ts: number,
    position: InputPosition,
    nowMs: number,
    event: EventExtras = {},
  ): { closed: ClosedWindow[]; missing: string[]; late: boolean; serial: number } {
    const closed: ClosedWindow[] = [];
    let late = false;
    if (this.spec.type === 'event-time') {
      const index = Math.floor(ts / this.spec.durationMs);
      if (this.open !== undefined && index > this.open.index) closed.push(this.close('time'));
      if (this.open === undefined) {
        late = index <= this.lastClosedIndex;
        this.open = this.newWindow(Math.max(index, this.lastClosedIndex + 1));
      } else if (index < this.open.index) {
        late = true;
      }
      if (late) this.open.lateEvents += 1;
    } else if (this.open === undefined) {
      this.open = this.newWindow(0);
    }
    const w = this.open;
    const missing = addEvent(w.summary, this.refs, features, ts, (name) => this.known.has(name), event, this.extras.flowFeatures);
    if (!w.firstOffsets.has(position.partitionKey)) w.firstOffsets.set(position.partitionKey, position.offset);
    w.endOffsets[position.partitionKey] = Math.max(w.endOffsets[position.partitionKey] ?? 0, position.offset + 1);
    if (w.firstPosition === '') w.firstPosition = `${position.partitionKey}@${position.offset}`;
    w.lastActivityMs = nowMs;
    if (this.spec.type === 'count' && w.summary.n >= this.spec.size) closed.push(this.close('full'));
    return { closed, missing, late, serial: w.serial };
  }

  /** Closes an event-time window that has been idle for `idleCloseMs` of wall-clock time. */
  tick(nowMs: number): ClosedWindow | undefined {
    if (this.spec.type !== 'event-time' || this.open === undefined) return undefined;
    return nowMs - this.open.lastActivityMs >= this.spec.idleCloseMs ? this.close('idle') : undefined;
  }

  /** Closes whatever is open (used by an explicit flush, e.g. at the end of a finite replay). */
  flush(): ClosedWindow | undefined {
    return this.open === undefined || this.open.summary.n === 0 ? undefined : this.close('flush');
  }

  /** Per partition, the first offset held by the open window (nothing committed past it). */
  heldOffsets(): ReadonlyMap<string, number> {
    return this.open?.firstOffsets ?? new Map();
  }

  /** Serial of the last window closed (0 before the first). */
  closedCount(): number {
    return this.open === undefined ? this.serials : this.serials - 1;
  }

  /** After a restart: the windows closed before it, so serials continue where they left off. */
  restoreClosedCount(closed: number): void {
    if (this.open !== undefined) throw new Error('restore the closed count before the first event');
    this.serials = closed;
  }

  openCount(): number {
    return this.open?.summary.n ?? 0;
  }

  private newWindow(index: number): OpenWindow {
    this.serials += 1;
    return { summary: emptySummary(this.refs, this.extras), serial: this.serials, index, firstOffsets: new Map(), endOffsets: {}, lastActivityMs: 0, lateEvents: 0, firstPosition: '' };
  }

  private close(reason: CloseReason): ClosedWindow {
    const w = this.open!;
    this.open = undefined;
    const s = w.summary;
    if (this.spec.type === 'event-time') {
      this.lastClosedIndex = w.index;
      const start = w.index * this.spec.durationMs;
      return { id: `t${start}`, type: 'event-time', start, end: start + this.spec.durationMs, reason, summary: s, lateEvents: w.lateEvents, endOffsets: w.endOffsets, serial: w.serial };
    }
    return { id: `c${s.minTs}-${s.maxTs}-${s.n}-${w.firstPosition}`, type: 'count', start: s.minTs, end: s.maxTs, reason, summary: s, lateEvents: 0, endOffsets: w.endOffsets, serial: w.serial };
  }
}
