/**
 * Labels in event time (`labels.order: event-time`): a label read from a labels partition waits
 * here until the window it may teach is released, and counts for every window released after its
 * time, none before. Its time is the greater of its own `ts` and its partition's clock when it was
 * read, so it never decreases along a partition and is a function of the partition's contents: a
 * window released once every partition's clock passed its end has had every label of an earlier
 * time read. Labels are applied in (time, id, class) order, a total order on their contents, so
 * which replica read them, and when, changes nothing.
 */

export const LABEL_ORDERS = ['arrival', 'event-time'] as const;
export type LabelOrder = (typeof LABEL_ORDERS)[number];

export interface QueuedLabel {
  /** max(the label's ts, its partition's clock before it). */
  time: number;
  id: string;
  /** Class index. */
  label: number;
  /** Where it was read ("topic/partition"; the summaries partition in an aggregator) and at which offset. */
  source: string;
  offset: number;
  /** The source partition's clock before it (single process: committed with its offset). */
  clockBefore: number;
}

/** Queued labels beyond which a single process stops reading partitions ahead of the slowest one. */
export const MAX_QUEUED_LABELS = 200_000;

function before(a: QueuedLabel, b: QueuedLabel): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.id !== b.id) return a.id < b.id;
  return a.label < b.label;
}

/** The labels of one offset of a source still queued (a source's offsets are added in order). */
interface OffsetHold {
  offset: number;
  clock: number;
  left: number;
}

/**
 * A min-heap on (time, id, class), so taking the labels due costs their number times a log; and,
 * per source, its offsets in the order added with how many of their labels are still queued, so
 * the first offset to hold is found at once (`committableOffsets` asks for it every delivery).
 */
export class LabelQueue {
  private readonly heap: { label: QueuedLabel; hold: OffsetHold }[] = [];
  private readonly sources = new Map<string, { holds: OffsetHold[]; head: number }>();

  add(label: QueuedLabel): void {
    let source = this.sources.get(label.source);
    if (source === undefined) {
      source = { holds: [], head: 0 };
      this.sources.set(label.source, source);
    }
    let hold = source.holds.at(-1);
    if (hold === undefined || hold.offset !== label.offset || source.head === source.holds.length) {
      hold = { offset: label.offset, clock: label.clockBefore, left: 0 };
      source.holds.push(hold);
    }
    hold.left += 1;
    this.push({ label, hold });
  }

  /** Removes and returns the labels whose time is before `gate`, in (time, id, class) order. */
  takeBefore(gate: number): QueuedLabel[] {
    const due: QueuedLabel[] = [];
    while (this.heap.length > 0 && (this.heap[0]?.label.time ?? Infinity) < gate) {
      const { label, hold } = this.pop();
      hold.left -= 1;
      due.push(label);
    }
    if (due.length > 0) for (const source of this.sources.values()) advance(source);
    return due;
  }

  size(): number {
    return this.heap.length;
  }

  /** Per source, the first offset still queued and the clock before it: nothing from there on was applied. */
  held(): Map<string, { offset: number; clock: number }> {
    const first = new Map<string, { offset: number; clock: number }>();
    for (const [key, { holds, head }] of this.sources) {
      const hold = holds[head];
      if (hold !== undefined) first.set(key, { offset: hold.offset, clock: hold.clock });
    }
    return first;
  }

  /** Forgets the labels read from these sources (their partitions went to another replica). */
  dropSources(lost: ReadonlySet<string>): void {
    if (![...lost].some((key) => this.sources.has(key))) return;
    for (const key of lost) this.sources.delete(key);
    const kept = this.heap.filter((item) => !lost.has(item.label.source));
    this.heap.length = 0;
    for (const item of kept) this.push(item);
  }

  private push(item: { label: QueuedLabel; hold: OffsetHold }): void {
    const heap = this.heap;
    heap.push(item);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      const up = heap[parent];
      if (up === undefined || !before(item.label, up.label)) break;
      heap[i] = up;
      heap[parent] = item;
      i = parent;
    }
  }

  private pop(): { label: QueuedLabel; hold: OffsetHold } {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) throw new RangeError('label queue: pop from an empty queue');
    if (heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      const leastItem = () => heap[least] ?? last;
      if (l < heap.length && before((heap[l] ?? last).label, leastItem().label)) least = l;
      if (r < heap.length && before((heap[r] ?? last).label, leastItem().label)) least = r;
      if (least === i) break;
      heap[i] = leastItem();
      heap[least] = last;
      i = least;
    }
    return top;
  }
}

/** Moves a source's head past the offsets none of whose labels are queued any more. */
function advance(source: { holds: OffsetHold[]; head: number }): void {
  while ((source.holds[source.head]?.left ?? 1) === 0) source.head += 1;
  if (source.head > 1024 && source.head * 2 > source.holds.length) {
    source.holds = source.holds.slice(source.head);
    source.head = 0;
  }
}
