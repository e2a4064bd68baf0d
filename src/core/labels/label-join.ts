/**
 * Joins delayed ground-truth labels to the predictions they belong to, by (model, id), in bounded
 * memory: every entry expires after `ttlMs` of processing time, and past `maxEntries` entries or
 * `maxBytes` estimated bytes the oldest entries are evicted. Labels may arrive before their event
 * (they wait), late (after their window closed: still joined while the entry lives), twice
 * (counted, ignored) or never. Each joined label lands in the realized tally of the window its
 * event belonged to.
 *
 * Bytes per entry: see PREDICTION_ENTRY_BYTES (measured on Node 20, V8 heap after GC).
 */
import { at } from '../indexing.js';

export type LabelOutcome = 'joined' | 'waiting' | 'duplicate';
export interface LabelResult {
  outcome: LabelOutcome;
  /** The window (id) of the joined prediction. */
  window?: string;
}
export type EvictionReason = 'expired' | 'capacity' | 'bytes';

export interface LabelJoinOptions {
  ttlMs: number;
  maxEntries: number;
  /** Estimated bytes the entries may hold; default 64 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_JOIN_BYTES = 64 * 1024 * 1024;
/**
 * Estimated heap bytes of a waiting prediction and of a waiting label, besides their id: a map
 * slot, the entry object with its boxed expiry time, and its insertion-order slot. Measured on
 * Node 20 (V8 heap after GC, 10^6 entries whose ids came from JSON.parse; `npm run bench --
 * label-join`), with room for the map's half-empty capacity after it grows.
 */
export const PREDICTION_ENTRY_BYTES = 200;
export const LABEL_ENTRY_BYTES = 184;

/** Estimated heap bytes of one entry under `id` (two bytes per character beyond Latin-1). */
export function entryBytes(id: string, kind: 'prediction' | 'label'): number {
  const perChar = /[^\u0000-\u00ff]/.test(id) ? 2 : 1;
  return (kind === 'prediction' ? PREDICTION_ENTRY_BYTES : LABEL_ENTRY_BYTES) + perChar * id.length;
}

interface PredictionEntry {
  kind: 'prediction';
  window: string;
  predicted: number;
  labeled: boolean;
  expiresAt: number;
}

interface LabelEntry {
  kind: 'label';
  label: number;
  expiresAt: number;
}

/** Realized outcomes of one window, as labels arrive. */
export interface RealizedTally {
  predictions: number;
  labeled: number;
  correct: number;
  /** Count of true labels per class. */
  classCounts: number[];
}

export interface JoinObserver {
  /** An entry left the join before it was used: a prediction never labelled, or a label (by its id) that never found its prediction. */
  evicted?(kind: 'prediction' | 'label', reason: EvictionReason, id: string): void;
}

export class LabelJoiner {
  /** Insertion-ordered, so the oldest entry is always first (all entries share one TTL). */
  private readonly entries = new Map<string, PredictionEntry | LabelEntry>();
  private readonly tallies = new Map<string, RealizedTally>();
  /** Entries in insertion order, from `head` on (see `oldest`). */
  private order: { id: string; entry: PredictionEntry | LabelEntry }[] = [];
  private head = 0;
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(
    private readonly classes: number,
    private readonly options: LabelJoinOptions,
    private readonly observer: JoinObserver = {},
    private readonly maxWindows = 200,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_JOIN_BYTES;
  }

  /** Records a prediction of the window with id `window`; true when its label had arrived first (the window's tally moved). */
  addPrediction(id: string, window: string, predicted: number, now: number): boolean {
    this.expire(now);
    const tally = this.tally(window);
    tally.predictions += 1;
    const waiting = this.entries.get(id);
    if (waiting?.kind === 'label') {
      this.entries.delete(id);
      this.bytes -= entryBytes(id, 'label');
      this.count(tally, predicted, waiting.label);
      this.put(id, { kind: 'prediction', window, predicted, labeled: true, expiresAt: now + this.options.ttlMs });
      return true;
    }
    this.put(id, { kind: 'prediction', window, predicted, labeled: false, expiresAt: now + this.options.ttlMs });
    return false;
  }

  addLabel(id: string, label: number, now: number): LabelResult {
    this.expire(now);
    const entry = this.entries.get(id);
    if (entry === undefined) {
      this.put(id, { kind: 'label', label, expiresAt: now + this.options.ttlMs });
      return { outcome: 'waiting' };
    }
    if (entry.kind === 'label' || entry.labeled) return { outcome: 'duplicate' };
    entry.labeled = true;
    const tally = this.tallies.get(entry.window);
    if (tally !== undefined) this.count(tally, entry.predicted, label);
    return { outcome: 'joined', window: entry.window };
  }

  /** The realized tally of a window, if it is still remembered. */
  realized(window: string): Readonly<RealizedTally> | undefined {
    return this.tallies.get(window);
  }

  size(): number {
    return this.entries.size;
  }

  /** Estimated heap bytes the entries hold (see entryBytes). */
  bytesHeld(): number {
    return this.bytes;
  }

  /** Drops entries whose time-to-live has passed. */
  expire(now: number): void {
    for (let head = this.oldest(); head !== undefined && head.entry.expiresAt <= now; head = this.oldest()) {
      this.dropOldest();
      if (head.entry.kind === 'label' || !head.entry.labeled) this.observer.evicted?.(head.entry.kind, 'expired', head.id);
    }
  }

  private put(id: string, entry: PredictionEntry | LabelEntry): void {
    const superseded = this.entries.get(id);
    if (superseded !== undefined) this.bytes -= entryBytes(id, superseded.kind);
    this.entries.set(id, entry);
    this.order.push({ id, entry });
    this.bytes += entryBytes(id, entry.kind);
    for (;;) {
      const reason: EvictionReason | undefined = this.entries.size > this.options.maxEntries ? 'capacity' : this.bytes > this.maxBytes ? 'bytes' : undefined;
      if (reason === undefined) break;
      const { id: evictedId, entry: evicted } = this.oldest()!;
      this.dropOldest();
      if (evicted.kind === 'label' || !evicted.labeled) this.observer.evicted?.(evicted.kind, reason, evictedId);
    }
  }

  /**
   * The oldest live entry. Insertion order lives in its own array with a moving head: a Map used as
   * a queue keeps deleted slots until it compacts, and walking them on every event was measured to
   * cost more than the rest of the replay. Superseded slots (an id put again) are skipped here.
   */
  private oldest(): { id: string; entry: PredictionEntry | LabelEntry } | undefined {
    let slot = this.order[this.head];
    while (slot !== undefined && this.entries.get(slot.id) !== slot.entry) slot = this.order[++this.head];
    return slot;
  }

  private dropOldest(): void {
    const { id, entry } = at(this.order, this.head, 'label join arrival order');
    this.entries.delete(id);
    this.bytes -= entryBytes(id, entry.kind);
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  private tally(window: string): RealizedTally {
    let t = this.tallies.get(window);
    if (t === undefined) {
      t = { predictions: 0, labeled: 0, correct: 0, classCounts: new Array<number>(this.classes).fill(0) };
      this.tallies.set(window, t);
      for (const old of this.tallies.keys()) {
        if (this.tallies.size <= this.maxWindows) break;
        this.tallies.delete(old);
      }
    }
    return t;
  }

  private count(tally: RealizedTally, predicted: number, label: number): void {
    tally.labeled += 1;
    if (predicted === label) tally.correct += 1;
    if (label >= 0 && label < this.classes) tally.classCounts[label] = at(tally.classCounts, label, 'realized class counts') + 1;
  }
}
