/**
 * Keeps a model's label join whole across a restart: of a single process, or of a shared replicas'
 * aggregator (also when it moves to another replica).
 *
 * The join remembers the predictions of recently released windows so that delayed labels can still
 * find them, and labels that came before their prediction. It lives in memory, so the records it
 * was built from are kept instead: the commit is held at the first record of each recent or
 * unreleased window (an aggregator's summaries record; a single process's first event of the window
 * in each input partition, with the partition's clock before it) and of each label joined to one,
 * and at each label still waiting for its prediction; the checkpoint names the recent windows. After
 * a restore the records are read again, the windows' predictions recorded again (an aggregator's
 * once per part: workers may hand a part over twice) and the labels that were joined before the
 * restore are joined again, silently:
 *  - in arrival order, those read before the checkpoint (`readThrough`), whose state holds what
 *    they did (a single process also defers realized reports until its partitions are read again
 *    as far as before the restart: they are read side by side, and a report must see them all);
 *  - in event time, those stamped before the end of the last window released before it.
 * The windows those labels complete are not reported again, except the ones not reported before.
 *
 * Recent windows: the last `labels.rebuildWindows` released (by default LABEL_WINDOWS, the accuracy
 * backtest's reach), and no more predictions than the join holds (`labels.maxEntries`): older ones
 * would have left the join anyway.
 */
import type { LabelWindow, ModelCheckpoint } from '../detectors/state-codec.js';
import { MAX_PENDING } from '../predictions/accuracy-backtest.js';
import type { LabelResult } from '../labels/label-join.js';
import { holdEarliest, laneOf, type Position } from '../window/windower.js';
import { joinLabels, type ModelRuntime } from './model-runtime.js';

/** Released windows whose predictions labels may still join, by default (`labels.rebuildWindows`). */
export const LABEL_WINDOWS = MAX_PENDING;

/** Per partition read, the first record to read again (its clock only where the partition has one). */
type Holds = Map<string, Position>;

interface RecentWindow extends LabelWindow {
  /** The first record of the window (its parts, or its events per input partition) and of each label joined to it. */
  holds: Holds;
}

interface Restored {
  /** The last window released before the restore. */
  last: LabelWindow;
  /** Per summaries partition, the offset after the last record read before the checkpoint. */
  readThrough: Record<string, number>;
  /** Parts recorded again ("window partition firstOffset"). */
  parts: Set<string>;
}

/** Where a part's record was read (a summaries partition and offset) and what it is. */
export interface PartRead {
  window: string;
  partitionKey: string;
  firstOffset: number;
  key: string;
  offset: number;
}

/**
 * Where a label was read (partition, offset and the partition's clock before it), how many windows
 * had been released then, and whether it was joined before the restore (joined again silently).
 */
interface Origin extends Position {
  key: string;
  since: number;
  silent: boolean;
}

export class JoinReplay {
  private recent: RecentWindow[] = [];
  /** The recent windows by id (a label's window is looked up for every label joined). */
  private byId = new Map<string, RecentWindow>();
  /** Windows read and not released yet (`opened`): the records of the labels joined to them. */
  private readonly unreleased = new Map<string, Holds>();
  /**
   * Labels waiting in the join for their prediction, by event id, and how many wait per record. A
   * record is held for them until as many windows as are kept have been released since (a label whose
   * prediction never comes must not hold the commit for the join's whole time to live).
   */
  private readonly waiting = new Map<string, Origin>();
  private readonly waitingPerRecord = new Map<string, Map<number, { count: number; since: number; clock: number }>>();
  /** Windows released since the aggregator's last reset. */
  private releases = 0;
  private restored: Restored | undefined;

  constructor(
    private readonly maxPredictions: number,
    /** Recent windows kept (`labels.rebuildWindows`); 0 keeps none, and holds only the labels of windows not released yet. */
    private readonly keep = LABEL_WINDOWS,
  ) {}

  /** A window not released yet got its first part: labels joined to it hold their records from now on. */
  opened(window: string): void {
    if (!this.unreleased.has(window)) this.unreleased.set(window, new Map());
  }

  /** A window was released with `n` events; `firsts` are its first records, per partition. */
  released(window: LabelWindow, firsts: Iterable<[string, Position]>): void {
    this.releases += 1;
    const holds: Holds = this.unreleased.get(window.id) ?? new Map();
    this.unreleased.delete(window.id);
    const recent = { ...window, holds };
    for (const [key, at] of firsts) holdEarliest(holds, key, at);
    this.recent.push(recent);
    this.byId.set(recent.id, recent);
    let predictions = this.recent.reduce((sum, w) => sum + w.n, 0);
    while (this.recent.length > (this.keep === 0 ? 0 : 1) && (this.recent.length > this.keep || predictions > this.maxPredictions)) {
      const oldest = this.recent.shift();
      if (oldest !== undefined) this.byId.delete(oldest.id);
      predictions -= oldest?.n ?? 0;
    }
  }

  /**
   * What became of a label read at (key, offset), after the partition's `clock`: joined to a
   * prediction of a window, its record is held while the window is recent (or unreleased); waiting
   * for its prediction, while it waits. `silent`: joined before the restore, and joined again.
   */
  label({ outcome, window }: LabelResult, id: string, key: string, offset: number, clock = -Infinity, silent = false): void {
    if (window !== undefined) this.joined(window, key, { offset, clock });
    else if (outcome === 'waiting') {
      this.waiting.set(id, { key, offset, clock, since: this.releases, silent });
      const records = this.waitingPerRecord.get(key) ?? new Map<number, { count: number; since: number; clock: number }>();
      this.waitingPerRecord.set(key, records);
      const record = records.get(offset);
      if (record === undefined) records.set(offset, { count: 1, since: this.releases, clock });
      else {
        record.count += 1;
        record.since = this.releases;
      }
    }
  }

  /**
   * The prediction of event `id`, in `window`, found the label that waited for it. Returns whether
   * that label was joined before the restore (then the window's realized report went out with it),
   * undefined for a label it does not know.
   */
  predictionJoined(id: string, window: string): boolean | undefined {
    const origin = this.stopWaiting(id);
    if (origin !== undefined && this.holdsWaiting(origin.since)) this.joined(window, origin.key, origin);
    return origin?.silent;
  }

  /** The label of event `id` left the join without its prediction. */
  labelEvicted(id: string): void {
    this.stopWaiting(id);
  }

  /** Per partition, the first record to read again after a restore. */
  holds(): Holds {
    const first: Holds = new Map();
    for (const w of this.recent) for (const [key, at] of w.holds) holdEarliest(first, key, at);
    for (const holds of this.unreleased.values()) for (const [key, at] of holds) holdEarliest(first, key, at);
    for (const [key, records] of this.waitingPerRecord) {
      for (const [offset, { since, clock }] of records) {
        if (this.holdsWaiting(since)) holdEarliest(first, key, { offset, clock });
        else records.delete(offset);
      }
    }
    return first;
  }

  /** A label waiting since `since` windows were released still holds its record. */
  private holdsWaiting(since: number): boolean {
    return this.releases - since < this.keep;
  }

  /** What the checkpoint carries (nothing before the first window released); an aggregator's says how far it read the summaries. */
  checkpoint(readThrough?: ReadonlyMap<string, number>): Pick<ModelCheckpoint, 'labelWindows' | 'labelsReadThrough'> {
    if (this.recent.length === 0) return {};
    const labelWindows = this.recent.map(({ id, serial, end, n }) => ({ id, serial, end, n }));
    return readThrough === undefined ? { labelWindows } : { labelWindows, labelsReadThrough: Object.fromEntries(readThrough) };
  }

  /** The recent windows, oldest first (a restored tracker learns their serials). */
  windows(): readonly LabelWindow[] {
    return this.recent;
  }

  restore(checkpoint: ModelCheckpoint): void {
    const last = checkpoint.labelWindows?.at(-1);
    if (last === undefined) return;
    this.recent = (checkpoint.labelWindows ?? []).map((w) => ({ ...w, holds: new Map() }));
    this.byId = new Map(this.recent.map((w) => [w.id, w]));
    this.restored = { last, readThrough: checkpoint.labelsReadThrough ?? {}, parts: new Set() };
  }

  /**
   * After a restore, a part of a recent window read again: the window to record its predictions in,
   * the first time the part is read; undefined otherwise.
   */
  replayedPart(part: PartRead): LabelWindow | undefined {
    const restored = this.restored;
    const window = this.byId.get(part.window);
    const seen = `${part.window} ${part.partitionKey} ${part.firstOffset}`;
    if (restored === undefined || window === undefined || restored.parts.has(seen)) return undefined;
    restored.parts.add(seen);
    holdEarliest(window.holds, part.key, { offset: part.offset, clock: -Infinity });
    return window;
  }

  /**
   * A single process, after a restart: an event of a released window read again (at `at` of input
   * partition `key`). Returns the window when it is recent (its prediction goes back into the join),
   * undefined otherwise. Each event is read once per process.
   */
  replayedEvent(window: string | undefined, key: string, at: Position): LabelWindow | undefined {
    const recent = window === undefined ? undefined : this.byId.get(window);
    if (recent !== undefined) holdEarliest(recent.holds, key, at);
    return recent;
  }

  /** Count windows: the recent window of the partition's lane that an event at `offset` fell in (the last one starting at or before it). */
  laneWindowAt(partitionKey: string, offset: number): string | undefined {
    let best: { id: string; offset: number } | undefined;
    for (const { id } of this.recent) {
      const lane = laneOf(id);
      if (lane?.partitionKey === partitionKey && lane.offset <= offset && (best === undefined || lane.offset > best.offset)) best = { id, offset: lane.offset };
    }
    return best?.id;
  }

  /** Arrival order: the labels record at (key, offset) was joined before the restore. */
  joinedBefore(key: string, offset: number): boolean {
    return this.restored !== undefined && offset < (this.restored.readThrough[key] ?? 0);
  }

  /**
   * The first window released after a restore ends the replay (every record of the recent windows,
   * and of the labels joined before, has been read again by then): the last window released before
   * the restore, for event-time labels to join silently; undefined when there was no restore.
   */
  endReplay(): LabelWindow | undefined {
    const last = this.restored?.last;
    this.restored = undefined;
    return last;
  }

  private joined(window: string, key: string, at: Position): void {
    // A window neither recent nor unreleased (released long ago) holds nothing.
    const holds = this.byId.get(window)?.holds ?? this.unreleased.get(window);
    if (holds !== undefined) holdEarliest(holds, key, at);
  }

  private stopWaiting(id: string): Origin | undefined {
    const origin = this.waiting.get(id);
    if (origin === undefined) return undefined;
    this.waiting.delete(id);
    const records = this.waitingPerRecord.get(origin.key);
    const record = records?.get(origin.offset);
    if (record !== undefined && --record.count === 0) records?.delete(origin.offset);
    return origin;
  }
}

/**
 * At the first window released after a restore: with event-time labels, those stamped before the end
 * of the last window released before it were joined then, and the detectors learned from them. They
 * join again, silently, rebuilding the realized tallies (and holding their records again); the
 * windows reported then are not reported again.
 */
export function rejoinBeforeRestore(runtime: ModelRuntime, replay: JoinReplay, eventTime: boolean, now: number): void {
  const last = replay.endReplay();
  if (last === undefined || !eventTime) return;
  joinLabels(runtime, runtime.queued.takeBefore(last.end), now, {}, (result, label) => replay.label(result, label.id, label.source, label.offset, label.clockBefore, true));
  for (const id of runtime.labelled) {
    const serial = runtime.labels?.serialOf(id);
    if (serial !== undefined && serial < last.serial) runtime.labelled.delete(id);
  }
}
