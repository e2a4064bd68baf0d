/**
 * The label side of a classification model: remembers each event's predicted class by id (in the
 * bounded join of core/labels/label-join.ts) and, as delayed labels arrive, the realized accuracy
 * and class mix of the window the event fell in.
 */
import { modelLogits, type ClassificationReference } from '../predictions/classification-reference.js';
import { LabelJoiner, type JoinObserver, type LabelOutcome } from '../labels/label-join.js';
import { argmax } from '../labelshift/confusion.js';

/** Realized outcomes of a closed window once enough of its labels arrived, next to the estimates. */
export interface RealizedReport {
  model: string;
  windowId: string;
  serial: number;
  predictions: number;
  labeled: number;
  accuracy: number;
  classProportions: number[];
  /** estimate − realized, per accuracy estimator (with the "no change" and "last realized" baselines). */
  errors: Record<string, number>;
}

/** Window ids remembered for realized reports. */
const REMEMBERED_WINDOWS = 256;

export class LabelTracker {
  private readonly joiner: LabelJoiner;
  private readonly windowIds = new Map<number, string>();

  constructor(
    readonly ref: ClassificationReference,
    private readonly options: { ttlMs: number; maxEntries: number; minLabeled: number },
    observer: JoinObserver = {},
  ) {
    this.joiner = new LabelJoiner(ref.classes, options, observer);
  }

  /** Remembers an event's prediction (calibrated probabilities) so that its label can be joined later. */
  recordPrediction(id: string | undefined, serial: number, probs: readonly number[], now: number): void {
    if (id !== undefined) this.joiner.addPrediction(id, serial, argmax(modelLogits(probs, this.ref.calibration)), now);
  }

  /** A window closed: its id, for the realized reports of its labels. */
  windowClosed(serial: number, id: string): void {
    this.windowIds.set(serial, id);
    for (const key of this.windowIds.keys()) {
      if (this.windowIds.size <= REMEMBERED_WINDOWS) break;
      this.windowIds.delete(key);
    }
  }

  /** Joins a label; the window's realized outcome once it has `minLabeled` labels (errors to be filled by the caller). */
  addLabel(model: string, id: string, label: number, now: number): { outcome: LabelOutcome; report?: RealizedReport } {
    const { outcome, window } = this.joiner.addLabel(id, label, now);
    if (window === undefined) return { outcome };
    const windowId = this.windowIds.get(window);
    const tally = this.joiner.realized(window);
    if (windowId === undefined || tally === undefined || tally.labeled < this.options.minLabeled) return { outcome };
    return {
      outcome,
      report: {
        model, windowId, serial: window, predictions: tally.predictions, labeled: tally.labeled, accuracy: tally.correct / tally.labeled,
        classProportions: tally.classCounts.map((c) => c / tally.labeled), errors: {},
      },
    };
  }

  expire(now: number): void {
    this.joiner.expire(now);
  }
}
