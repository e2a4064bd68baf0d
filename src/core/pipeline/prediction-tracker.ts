/**
 * Everything the monitor does with a classification model's predictions, per model: estimates
 * per closed window (accuracy without labels, class mix, label-shift test), the two prediction
 * detectors (label shift, and estimated accuracy below a floor), and the join of delayed labels
 * to the windows their events fell in, for realized accuracy and each estimator's error.
 */
import { modelLogits, type ClassificationReference } from '../predictions/classification-reference.js';
import { evaluatePredictions, type PredictionEvaluation } from '../predictions/evaluate-predictions.js';
import type { AccuracyEstimatorName, LabelShiftMethod } from '../predictions/estimators.js';
import type { PredictionSummary } from '../window/summary.js';
import { LabelJoiner, type JoinObserver, type LabelOutcome } from '../labels/label-join.js';
import { argmax } from '../labelshift/confusion.js';
import { initialDriftState, stepDrift, type DriftParams, type DriftState, type DriftStep } from '../detect/drift-state.js';
import { buildPredictionAlert, type Alert } from '../alerts/alert.js';
import { conformalHalfWidth } from '../accuracy/intervals.js';

export interface PredictionOptions {
  headline: AccuracyEstimatorName;
  floor?: number;
  method: LabelShiftMethod;
  labels: { ttlMs: number; maxEntries: number; minLabeled: number };
}

/** Labelled windows kept for the conformal intervals. */
const CONFORMAL_WINDOWS = 100;

export const DEFAULT_PREDICTION_OPTIONS: PredictionOptions = {
  headline: 'atc-ne',
  method: 'mlls',
  labels: { ttlMs: 7 * 24 * 3600 * 1000, maxEntries: 1_000_000, minLabeled: 100 },
};

export interface PredictionDrift {
  labelShift: DriftState;
  accuracyFloor: DriftState;
}

/** Realized outcomes of a closed window once enough of its labels arrived, next to the estimates. */
export interface RealizedReport {
  model: string;
  windowId: string;
  predictions: number;
  labeled: number;
  accuracy: number;
  classProportions: number[];
  /** estimate − realized, per accuracy estimator, plus the "nothing changed" baseline (source accuracy). */
  errors: Partial<Record<AccuracyEstimatorName | 'no-change', number>>;
}

interface ClosedWindowRecord {
  id: string;
  evaluation: PredictionEvaluation;
}

export class PredictionTracker {
  drift: PredictionDrift = { labelShift: initialDriftState(), accuracyFloor: initialDriftState() };
  private readonly joiner: LabelJoiner;
  private readonly closed = new Map<number, ClosedWindowRecord>();
  /** Per labelled window, estimate − realized per estimator: the split-conformal calibration set. */
  private readonly pastErrors = new Map<number, RealizedReport['errors']>();

  constructor(
    private readonly model: string,
    readonly ref: ClassificationReference,
    private readonly options: PredictionOptions,
    private readonly params: DriftParams,
    observer: JoinObserver = {},
  ) {
    this.joiner = new LabelJoiner(ref.classes, options.labels, observer);
  }

  /** Remembers an event's prediction so that its label can be joined later. */
  recordPrediction(id: string | undefined, window: number, probs: readonly number[], now: number): void {
    if (id !== undefined) this.joiner.addPrediction(id, window, argmax(modelLogits(probs, this.ref.calibration)), now);
  }

  /** Estimates for a closed, tested window; steps both detectors; returns the alerts. */
  closeWindow(window: { id: string; serial: number; start: number; end: number }, summary: PredictionSummary): { evaluation: PredictionEvaluation | undefined; steps: DriftStep[]; alerts: Alert[] } {
    const evaluation = evaluatePredictions(this.ref, summary, this.options.method);
    if (evaluation === undefined) return { evaluation, steps: [], alerts: [] };
    this.applyConformalIntervals(evaluation);
    this.closed.set(window.serial, { id: window.id, evaluation });
    for (const key of this.closed.keys()) {
      if (this.closed.size <= 200) break;
      this.closed.delete(key);
    }
    const alerts: Alert[] = [];
    const steps: DriftStep[] = [];
    const run = (detector: 'label-shift' | 'accuracy-floor', state: DriftState, p: number) => {
      const episodeBefore = state.episode;
      const step = stepDrift(this.params, state, p, window.id);
      steps.push(step);
      if (step.transition === null) return;
      const episodeId = step.transition === 'fire' ? window.id : (episodeBefore ?? window.id);
      alerts.push(buildPredictionAlert({ model: this.model, detector, window: { ...window, n: evaluation.n }, evaluation, step, params: this.params, episodeId, headline: this.options.headline, floor: this.options.floor }));
    };
    run('label-shift', this.drift.labelShift, evaluation.labelShiftTest.pValue);
    const headline = evaluation.accuracy[this.options.headline];
    if (this.options.floor !== undefined && headline !== undefined) {
      // The interval decides: evidence is overwhelming when the whole interval lies below the floor, none otherwise.
      run('accuracy-floor', this.drift.accuracyFloor, headline.upper < this.options.floor ? 1e-300 : 1);
    }
    return { evaluation, steps, alerts };
  }

  /** Joins a label; returns the window's realized report when it has enough labels. */
  addLabel(id: string, label: number, now: number): { outcome: LabelOutcome; report?: RealizedReport } {
    const { outcome, window } = this.joiner.addLabel(id, label, now);
    if (window === undefined) return { outcome };
    const record = this.closed.get(window);
    const tally = this.joiner.realized(window);
    if (record === undefined || tally === undefined || tally.labeled < this.options.labels.minLabeled) return { outcome };
    const accuracy = tally.correct / tally.labeled;
    const errors: RealizedReport['errors'] = { 'no-change': this.ref.sourceAccuracy - accuracy };
    for (const [name, e] of Object.entries(record.evaluation.accuracy)) errors[name as AccuracyEstimatorName] = e.estimate - accuracy;
    this.pastErrors.delete(window);
    this.pastErrors.set(window, errors);
    for (const key of this.pastErrors.keys()) {
      if (this.pastErrors.size <= CONFORMAL_WINDOWS) break;
      this.pastErrors.delete(key);
    }
    return {
      outcome,
      report: {
        model: this.model, windowId: record.id, predictions: tally.predictions, labeled: tally.labeled, accuracy,
        classProportions: tally.classCounts.map((c) => c / tally.labeled), errors,
      },
    };
  }

  /**
   * Once enough labelled windows exist, an estimator's interval becomes split-conformal: the
   * estimate ± the (n+1)-corrected 95% quantile of its past |estimate − realized| (sampling
   * intervals are far too narrow under real shift). The interval's kind says which one is shown.
   */
  private applyConformalIntervals(evaluation: PredictionEvaluation): void {
    for (const [name, e] of Object.entries(evaluation.accuracy)) {
      const past = [...this.pastErrors.values()].flatMap((errors) => {
        const v = errors[name as AccuracyEstimatorName];
        return v === undefined ? [] : [Math.abs(v)];
      });
      const half = conformalHalfWidth(past, 0.95);
      if (!Number.isFinite(half)) continue;
      Object.assign(e, { lower: Math.max(0, e.estimate - half), upper: Math.min(1, e.estimate + half), interval: 'conformal' });
    }
  }

  expire(now: number): void {
    this.joiner.expire(now);
  }
}
