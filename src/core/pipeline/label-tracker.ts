/**
 * The label side of a classification model: remembers each event's predicted class by id (in the
 * bounded join of core/labels/label-join.ts) and, as delayed labels arrive, the realized accuracy
 * and class mix of the window the event fell in.
 */
import type { ClassificationReference } from '../predictions/classification-reference.js';
import { LabelJoiner, type JoinObserver, type LabelOutcome } from '../labels/label-join.js';
import { at } from '../indexing.js';

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

/**
 * The model's own top class from calibrated probabilities: argmax of log p_k − b_k (the calibration
 * bias undone; the temperature does not move the argmax), without building the logits.
 */
function modelTopClass(probs: readonly number[], bias: readonly number[]): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < probs.length; k++) {
    const v = Math.log(Math.max(at(probs, k, 'class probabilities'), 1e-300)) - (bias[k] ?? 0);
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/** Released windows remembered for realized reports. */
const REMEMBERED_WINDOWS = 256;

export class LabelTracker {
  private readonly joiner: LabelJoiner;
  /** Window id → serial, for windows released to the detectors. */
  private readonly serials = new Map<string, number>();

  constructor(
    readonly ref: ClassificationReference,
    private readonly options: { ttlMs: number; maxEntries: number; minLabeled: number; maxBytes?: number },
    observer: JoinObserver = {},
  ) {
    this.joiner = new LabelJoiner(ref.classes, options, observer);
  }

  /** Entries waiting in the label join and their estimated bytes. */
  joinSize(): { entries: number; bytes: number } {
    return { entries: this.joiner.size(), bytes: this.joiner.bytesHeld() };
  }

  /**
   * Remembers an event's prediction (calibrated probabilities) in its window, so that its label can
   * be joined later; true when its label had arrived already and was joined now.
   */
  recordPrediction(id: string | undefined, windowId: string, probs: readonly number[], now: number): boolean {
    return id !== undefined && this.joiner.addPrediction(id, windowId, modelTopClass(probs, this.ref.calibration.bias), now);
  }

  /** A window went to the detectors with this serial. */
  windowReleased(windowId: string, serial: number): void {
    this.serials.set(windowId, serial);
    for (const key of this.serials.keys()) {
      if (this.serials.size <= REMEMBERED_WINDOWS) break;
      this.serials.delete(key);
    }
  }

  /** The serial of a released window; undefined while it waits for release (or was forgotten). */
  serialOf(windowId: string): number | undefined {
    return this.serials.get(windowId);
  }

  /** Joins a label; `window` is the id of the window whose realized outcome it changed. */
  addLabel(id: string, label: number, now: number): { outcome: LabelOutcome; window?: string } {
    return this.joiner.addLabel(id, label, now);
  }

  /** A released window's realized outcome, once it has `minLabeled` labels (errors to be filled by the caller). */
  report(model: string, windowId: string, serial: number): RealizedReport | undefined {
    const tally = this.joiner.realized(windowId);
    if (tally === undefined || tally.labeled < this.options.minLabeled) return undefined;
    return {
      model, windowId, serial, predictions: tally.predictions, labeled: tally.labeled, accuracy: tally.correct / tally.labeled,
      classProportions: tally.classCounts.map((c) => c / tally.labeled), errors: {},
    };
  }

  expire(now: number): void {
    this.joiner.expire(now);
  }
}
