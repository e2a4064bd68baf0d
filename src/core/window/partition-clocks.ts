/**
 * Per input partition, the greatest event time read so far (its "clock"). A partition's clock only
 * moves forward, so it bounds from below the release key of every window the partition has yet to
 * close; windows are released to the detectors in key order once no other partition can still
 * produce an earlier key (README "Windows over several partitions"). That makes the
 * windows and their order a function of each partition's contents alone, not of the order in which
 * the consumer happens to read the partitions.
 *
 * A partition that is caught up (nothing left to read) and has had no new event for `idleMs` is
 * quiet: it stops holding windows back, or a silent partition would stall the model. Events that
 * arrive on it later with older timestamps are the one case where the order depends on timing.
 *
 * The clock at a committed offset travels with that offset (as commit metadata), so a restart
 * resumes with the clock the partition had there and rebuilds the same windows.
 */

export interface PartitionPosition {
  /** Greatest event time read before the position (−Infinity when none). */
  clock: number;
  /** Offset after the last message whose outputs were published when the position was committed. */
  handled: number;
  /**
   * Shared replicas (worker): per model whose windows of this partition were handed over past the
   * committed offset, where its next window starts (its earlier events are in a window handed over).
   */
  lanes?: Record<string, number>;
  /** Shared replicas, event-time windows: per model, the end of the last interval whose part of the partition was handed over. */
  intervals?: Record<string, number>;
  /** Shared replicas: the replica that committed the position (kafka/departed-replicas.ts). */
  by?: string;
}

interface PartitionState {
  clock: number;
  handled: number;
  caughtUp: boolean;
  lastReadMs: number;
  quiet: boolean;
}

/** Orders "topic/partition" keys by topic, then partition number. */
export function comparePartitions(a: string, b: string): number {
  if (a === b) return 0;
  const sa = a.lastIndexOf('/');
  const sb = b.lastIndexOf('/');
  const ta = a.slice(0, sa);
  const tb = b.slice(0, sb);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return Number(a.slice(sa + 1)) - Number(b.slice(sb + 1));
}

/** Where windows may be released: what every partition can still send. */
export interface Frontier {
  /** No partition other than `partition` can still close a window with a key before (clock, partition). */
  passed(clock: number, partition: string): boolean;
  /** Every partition that can still send events has read past `time`. */
  reached(time: number): boolean;
  /** Some partition that could still send events was skipped because it is quiet. */
  anyQuiet(): boolean;
}

export class PartitionClocks implements Frontier {
  private readonly parts = new Map<string, PartitionState>();

  constructor(private readonly idleMs: number) {}

  /** The partitions this process reads (after a rebalance): others are forgotten. */
  assign(keys: readonly string[], nowMs: number): void {
    const keep = new Set(keys);
    for (const key of this.parts.keys()) if (!keep.has(key)) this.parts.delete(key);
    for (const key of keys) if (!this.parts.has(key)) this.parts.set(key, fresh(nowMs));
  }

  /** The position a partition was committed at (read back at startup or on assignment). */
  restore(key: string, position: PartitionPosition, nowMs: number): void {
    const state = this.parts.get(key) ?? fresh(nowMs);
    state.clock = Math.max(state.clock, position.clock);
    state.handled = Math.max(state.handled, position.handled);
    this.parts.set(key, state);
  }

  /** An event read from `key` with event time `ts`; returns the partition's clock before it. */
  observe(key: string, ts: number, nowMs: number): number {
    let state = this.parts.get(key);
    if (state === undefined) {
      state = fresh(nowMs);
      this.parts.set(key, state);
    }
    const before = state.clock;
    if (ts > state.clock) state.clock = ts;
    state.lastReadMs = nowMs;
    state.quiet = false;
    return before;
  }

  has(key: string): boolean {
    return this.parts.has(key);
  }

  clock(key: string): number {
    return this.parts.get(key)?.clock ?? -Infinity;
  }

  /** Caught up and without a new event for the idle time (see `refresh`). */
  isQuiet(key: string): boolean {
    return this.parts.get(key)?.quiet ?? false;
  }

  /**
   * Shared replicas, aggregator side: a partition's clock and quietness as the worker reading it
   * reported them. The clock only moves forward (a report read again after a restart is harmless).
   */
  report(key: string, clock: number, quiet: boolean, nowMs: number): void {
    const state = this.parts.get(key) ?? fresh(nowMs);
    state.clock = Math.max(state.clock, clock);
    state.quiet = quiet;
    this.parts.set(key, state);
  }

  /** Messages of `key` before this offset had their outputs published before the last restart. */
  handled(key: string): number {
    return this.parts.get(key)?.handled ?? 0;
  }

  /** Whether the consumer has read everything the partition holds (reported by the shell). */
  setCaughtUp(key: string, caughtUp: boolean, nowMs: number): void {
    const state = this.parts.get(key);
    if (state === undefined) return;
    state.caughtUp = caughtUp;
    this.refreshOne(state, nowMs);
  }

  /** Re-evaluates which partitions are quiet; true when one became quiet. */
  refresh(nowMs: number): boolean {
    let changed = false;
    for (const state of this.parts.values()) {
      const was = state.quiet;
      this.refreshOne(state, nowMs);
      changed ||= state.quiet && !was;
    }
    return changed;
  }

  passed(clock: number, partition: string): boolean {
    for (const [key, state] of this.parts) {
      if (key === partition || state.quiet) continue;
      if (state.clock < clock || (state.clock === clock && comparePartitions(key, partition) < 0)) return false;
    }
    return true;
  }

  reached(time: number): boolean {
    for (const state of this.parts.values()) if (!state.quiet && state.clock < time) return false;
    return true;
  }

  anyQuiet(): boolean {
    for (const state of this.parts.values()) if (state.quiet) return true;
    return false;
  }

  /** Partitions that can still send (not quiet) and have read past the slowest such partition. */
  ahead(): string[] {
    const active = [...this.parts].filter(([, state]) => !state.quiet);
    if (active.length < 2) return [];
    const slowest = Math.min(...active.map(([, state]) => state.clock));
    return active.filter(([, state]) => state.clock > slowest).map(([key]) => key);
  }

  keys(): string[] {
    return [...this.parts.keys()];
  }

  private refreshOne(state: PartitionState, nowMs: number): void {
    state.quiet = state.caughtUp && nowMs - state.lastReadMs >= this.idleMs;
  }
}

function fresh(nowMs: number): PartitionState {
  return { clock: -Infinity, handled: 0, caughtUp: false, lastReadMs: nowMs, quiet: false };
}

/** Commit metadata for a partition: the clock at the committed offset and how far outputs went. */
export function encodePosition(p: PartitionPosition): string {
  return JSON.stringify({ v: 1, clock: Number.isFinite(p.clock) ? p.clock : null, handled: p.handled, ...(p.lanes === undefined ? {} : { lanes: p.lanes }), ...(p.intervals === undefined ? {} : { intervals: p.intervals }), ...(p.by === undefined ? {} : { by: p.by }) });
}

/** Reads commit metadata; undefined for metadata this version did not write (e.g. none). */
export function decodePosition(metadata: string | null | undefined): PartitionPosition | undefined {
  if (metadata === null || metadata === undefined || metadata === '') return undefined;
  try {
    const o = JSON.parse(metadata) as { v?: unknown; clock?: unknown; handled?: unknown; lanes?: unknown; intervals?: unknown; by?: unknown };
    if (o.v !== 1 || !Number.isInteger(o.handled) || (o.handled as number) < 0) return undefined;
    if (o.clock !== null && typeof o.clock !== 'number') return undefined;
    const position: PartitionPosition = { clock: o.clock === null ? -Infinity : (o.clock as number), handled: o.handled as number };
    for (const field of ['lanes', 'intervals'] as const) {
      const perModel = o[field] as Record<string, unknown> | undefined;
      if (perModel === undefined) continue;
      if (perModel === null || typeof perModel !== 'object' || !Object.values(perModel).every((v) => Number.isInteger(v))) return undefined;
      position[field] = perModel as Record<string, number>;
    }
    if (typeof o.by === 'string') position.by = o.by;
    return position;
  } catch {
    return undefined;
  }
}
