/**
 * Delayed labels in a replay: the labels found in the input are released only after `delay` more
 * windows of their model have closed than were closed when their event was read, as if they arrived
 * from a labelling process that lags the stream. Events arrive in order and windows close in order,
 * so one FIFO per model serves.
 */
export interface HeldLabel {
  model: string;
  id: string;
  label: number | string;
}

export class LabelDelay {
  private readonly queues = new Map<string, { releaseAt: number; label: HeldLabel }[]>();

  constructor(private readonly delay: number) {
    if (!(Number.isInteger(delay) && delay >= 0)) throw new RangeError(`the label delay must be a whole number of windows >= 0, got ${delay}`);
  }

  /** Holds a label whose event was read while `closedWindows` windows of its model had closed. */
  hold(label: HeldLabel, closedWindows: number): void {
    const queue = this.queues.get(label.model) ?? [];
    queue.push({ releaseAt: closedWindows + 1 + this.delay, label });
    this.queues.set(label.model, queue);
  }

  /** The labels of `model` due once `closedWindows` of its windows have closed, in arrival order. */
  release(model: string, closedWindows: number): HeldLabel[] {
    const queue = this.queues.get(model);
    if (queue === undefined) return [];
    const held = queue.findIndex((q) => q.releaseAt > closedWindows);
    return queue.splice(0, held < 0 ? queue.length : held).map((q) => q.label);
  }

  /** Every label still held (the end of the input: labels arrive after the last window). */
  drain(): HeldLabel[] {
    const all = [...this.queues.values()].flat().map((q) => q.label);
    this.queues.clear();
    return all;
  }
}
