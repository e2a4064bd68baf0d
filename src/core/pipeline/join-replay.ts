/**
 * Keeps a model's label join whole across an aggregator's restart or move (shared replicas).
 *
 * The join remembers the predictions of recently released windows so that delayed labels can still
 * find them, and labels that came before their prediction. It lives in memory, so the summaries
 * records it was built from are kept instead: the aggregator's commit is held at the first record
 * of each recent or unreleased window and of each label joined to one, and at each label still
 * waiting for its prediction; the checkpoint names the recent windows. A restored aggregator reads
 * the records again, records the windows' predictions again (once per part: workers may hand a
 * part over twice) and joins again, silently, the labels that were joined before the restore:
 *  - in arrival order, those read before the checkpoint (`readThrough`);
 *  - in event time, those stamped before the end of the last window released before it.
 * The windows those labels complete are not reported again, except the ones not reported before.
 *
 * Recent windows: the last LABEL_WINDOWS released (the accuracy backtest's reach), and no more
 * predictions than the join holds (`labels.maxEntries`): older ones would have left the join anyway.
 */
import type { LabelWindow, ModelCheckpoint } from '../detectors/state-codec.js';
import { MAX_PENDING } from '../predictions/accuracy-backtest.js';
import type { LabelResult } from '../labels/label-join.js';

/** Released windows whose predictions labels may still join. */
export const LABEL_WINDOWS = MAX_PENDING;

interface RecentWindow extends LabelWindow {
  /** Per summaries partition, the first record of the window's parts or of a label joined to it. */
  holds: Map<string, number>;
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

/** Where a label was read (a summaries partition and offset), and how many windows had been released then. */
interface Origin {
  key: string;
  offset: number;
  since: number;
}

export class JoinReplay {
  private recent: RecentWindow[] = [];
  /** The recent windows by id (a label's window is looked up for every label joined). */
  private byId = new Map<string, RecentWindow>();
  /** Windows read and not released yet (`opened`): the records of the labels joined to them. */
  private readonly unreleased = new Map<string, Map<string, number>>();
  /**
   * Labels waiting in the join for their prediction, by event id, and how many wait per record. A
   * record is held for them until LABEL_WINDOWS windows have been released since (a label whose
   * prediction never comes must not hold the commit for the join's whole time to live).
   */
  private readonly waiting = new Map<string, Origin>();
  private readonly waitingPerRecord = new Map<string, Map<number, { count: number; since: number }>>();
  /** Windows released since the aggregator's last reset. */
  private releases = 0;
  private restored: Restored | undefined;

  constructor(private readonly maxPredictions: number) {}

  /** A window not released yet got its first part: labels joined to it hold their records from now on. */
  opened(window: string): void {
    if (!this.unreleased.has(window)) this.unreleased.set(window, new Map());
  }

  /** A window was released with `n` events; `first` is its first record. */
  released(window: LabelWindow, first: { key: string; offset: number } | undefined): void {
    this.releases += 1;
    const holds = this.unreleased.get(window.id) ?? new Map<string, number>();
    this.unreleased.delete(window.id);
    const recent = { ...window, holds };
    if (first !== undefined) hold(recent, first.key, first.offset);
    this.recent.push(recent);
    this.byId.set(recent.id, recent);
    let predictions = this.recent.reduce((sum, w) => sum + w.n, 0);
    while (this.recent.length > 1 && (this.recent.length > LABEL_WINDOWS || predictions > this.maxPredictions)) {
      const oldest = this.recent.shift();
      if (oldest !== undefined) this.byId.delete(oldest.id);
      predictions -= oldest?.n ?? 0;
    }
  }

  /**
   * What became of a label read at (key, offset): joined to a prediction of a window, its record is
   * held while the window is recent (or unreleased); waiting for its prediction, while it waits.
   */
  label({ outcome, window }: LabelResult, id: string, key: string, offset: number): void {
    if (window !== undefined) this.joined(window, key, offset);
    else if (outcome === 'waiting') {
      this.waiting.set(id, { key, offset, since: this.releases });
      const records = this.waitingPerRecord.get(key) ?? new Map<number, { count: number; since: number }>();
      this.waitingPerRecord.set(key, records);
      const record = records.get(offset);
      if (record === undefined) records.set(offset, { count: 1, since: this.releases });
      else {
        record.count += 1;
        record.since = this.releases;
      }
    }
  }

  /** The prediction of event `id`, in `window`, found the label that waited for it. */
  predictionJoined(id: string, window: string): void {
    const origin = this.stopWaiting(id);
    if (origin !== undefined && this.holdsWaiting(origin.since)) this.joined(window, origin.key, origin.offset);
  }

  /** The label of event `id` left the join without its prediction. */
  labelEvicted(id: string): void {
    this.stopWaiting(id);
  }

  /** Per summaries partition, the first record to read again after a restore. */
  holds(): Map<string, number> {
    const first = { holds: new Map<string, number>() };
    for (const w of this.recent) for (const [key, offset] of w.holds) hold(first, key, offset);
    for (const holds of this.unreleased.values()) for (const [key, offset] of holds) hold(first, key, offset);
    for (const [key, records] of this.waitingPerRecord) {
      for (const [offset, { since }] of records) {
        if (this.holdsWaiting(since)) hold(first, key, offset);
        else records.delete(offset);
      }
    }
    return first.holds;
  }

  /** A label waiting since `since` windows were released still holds its record. */
  private holdsWaiting(since: number): boolean {
    return this.releases - since < LABEL_WINDOWS;
  }

  /** What the checkpoint carries (nothing before the first window released). */
  checkpoint(readThrough: ReadonlyMap<string, number>): Pick<ModelCheckpoint, 'labelWindows' | 'labelsReadThrough'> {
    if (this.recent.length === 0) return {};
    return { labelWindows: this.recent.map(({ id, serial, end, n }) => ({ id, serial, end, n })), labelsReadThrough: Object.fromEntries(readThrough) };
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
    hold(window, part.key, part.offset);
    return window;
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

  private joined(window: string, key: string, offset: number): void {
    const recent = this.byId.get(window);
    if (recent !== undefined) {
      hold(recent, key, offset);
      return;
    }
    // A window neither recent nor held any more (released long ago) holds nothing.
    const holds = this.unreleased.get(window);
    if (holds !== undefined) hold({ holds }, key, offset);
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

function hold(window: { holds: Map<string, number> }, key: string, offset: number): void {
  window.holds.set(key, Math.min(window.holds.get(key) ?? offset, offset));
}
