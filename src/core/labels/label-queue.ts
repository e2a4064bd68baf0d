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

function compare(a: QueuedLabel, b: QueuedLabel): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.label - b.label;
}

export class LabelQueue {
  private items: QueuedLabel[] = [];

  add(label: QueuedLabel): void {
    this.items.push(label);
  }

  /** Removes and returns the labels whose time is before `gate`, in (time, id, class) order. */
  takeBefore(gate: number): QueuedLabel[] {
    const due: QueuedLabel[] = [];
    const rest: QueuedLabel[] = [];
    for (const item of this.items) (item.time < gate ? due : rest).push(item);
    if (due.length === 0) return due;
    this.items = rest;
    return due.sort(compare);
  }

  size(): number {
    return this.items.length;
  }

  /** Per source, the first offset still queued and the clock before it: nothing from there on was applied. */
  held(): Map<string, { offset: number; clock: number }> {
    const first = new Map<string, { offset: number; clock: number }>();
    for (const { source, offset, clockBefore } of this.items) {
      const seen = first.get(source);
      if (seen === undefined || offset < seen.offset) first.set(source, { offset, clock: clockBefore });
    }
    return first;
  }

  /** Forgets the labels read from these sources (their partitions went to another replica). */
  dropSources(lost: ReadonlySet<string>): void {
    this.items = this.items.filter((item) => !lost.has(item.source));
  }
}
