/**
 * What a single process learns at a restart, beside the models' checkpoints, for rebuilding its
 * label joins (join-replay.ts):
 *  - per labels partition read in arrival order, how far it was handled (the commit metadata):
 *    dead letters of labels before that went out already;
 *  - per model, how far its checkpoint had read those partitions: labels before that are in the
 *    checkpoint's state (what the detectors learned, the realized reports due), and only rebuild
 *    the join when read again;
 *  - which partitions are still being read again up to where the last process had handled them.
 *    Until every one is, arrival-order labels yield no realized reports: the partitions are read
 *    side by side, and a window's report would miss the events and labels not read again yet.
 */
import type { PartitionPosition } from '../window/partition-clocks.js';

export class RestartReads {
  private readonly labelsHandled = new Map<string, number>();
  private readonly checkpointed = new Map<string, Readonly<Record<string, number>>>();
  private readonly rereading = new Map<string, number>();

  /**
   * A partition's committed position and offset. `arrivalLabels`: a labels partition read in
   * arrival order (the others are input partitions, or labels partitions read in event time).
   */
  restorePosition(key: string, position: PartitionPosition, committed: number | undefined, arrivalLabels: boolean): void {
    if ((committed ?? position.handled) < position.handled) this.rereading.set(key, position.handled);
    if (arrivalLabels) this.labelsHandled.set(key, position.handled);
  }

  /** A labels partition read in arrival order: the offset after the last label handled before the restart. */
  labelsHandledBefore(key: string): number {
    return this.labelsHandled.get(key) ?? 0;
  }

  /** A model's checkpoint: per labels partition read in arrival order, how far it had read. */
  restoreCheckpoint(model: string, readThrough: Readonly<Record<string, number>>): void {
    this.checkpointed.set(model, readThrough);
  }

  /** The label at `offset` of a labels partition is in the model's restored checkpoint. */
  inCheckpoint(model: string, key: string, offset: number): boolean {
    return offset < (this.checkpointed.get(model)?.[key] ?? 0);
  }

  /** For a model's next checkpoint: how far the labels partitions read in arrival order were read (`read`, from the last restore on). */
  readThrough(model: string, read: Iterable<[string, number]>): Map<string, number> {
    const through = new Map(Object.entries(this.checkpointed.get(model) ?? {}));
    for (const [key, next] of read) through.set(key, next);
    return through;
  }

  /** Some partition is still short of where the last process had handled it (`next`: the offset after the last message handled). */
  rereadingAny(next: (key: string) => number): boolean {
    for (const [key, handled] of this.rereading) if (next(key) >= handled) this.rereading.delete(key);
    return this.rereading.size > 0;
  }
}
