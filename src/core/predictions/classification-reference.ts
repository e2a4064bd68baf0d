/**
 * The classification part of a reference bundle, fitted by `shiftwatch fit` on the held-out
 * reference (the model's probabilities or logits plus the true label; classification-fit.ts): one
 * calibration map (BCTS) applied to the reference and to every window, and the source quantities
 * each estimator needs. Types and the readers every window uses; the fitting lives apart.
 */
import type { Prediction } from '../contract/event.js';
import type { TimeNull } from '../detect/time-null.js';
import { valuesInClassOrder } from './classes.js';
import { applyCalibration, logitsFromProbs, type Calibration } from '../labelshift/calibration.js';
import type { AtcFit, AtcThreshold } from '../accuracy/atc.js';
import type { ConfidenceBaselineFit } from '../accuracy/baselines.js';
import type { ManoFit } from '../accuracy/mano.js';
import type { ManoCalibration } from '../accuracy/mano-calibration.js';
import type { AccuracyEstimatorName } from './estimators.js';

export interface ClassificationReference {
  kind: 'classification';
  classes: number;
  /** Class names in output order: what events' object-keyed outputs and labels may use. */
  classNames: string[];
  /** What the reference (and so the events) carry: `prediction.probs` or `prediction.logits`. */
  input: 'probs' | 'logits';
  n: number;
  calibration: Calibration;
  /** π_s: mean calibrated posterior (MLLS returns exactly this when nothing shifted). */
  sourcePrior: number[];
  /** Class frequencies of the true labels. */
  labelPrior: number[];
  sourceAccuracy: number;
  /** Per-class recall: Σ_k q_k·recall_k is the accuracy implied by a class mix q. */
  recall: number[];
  /** Joint soft confusion matrix (rows predicted, columns true, divided by n), for BBSE and RLLS. */
  confusion: number[][];
  /** Source distribution of predicted classes, for the χ² label-shift test. */
  predictedCounts: number[];
  atc: { mc: AtcFit; ne: AtcFit; bootstrap: { mc: AtcThreshold[]; ne: AtcThreshold[] } };
  confidence: ConfidenceBaselineFit;
  mano: { fit: ManoFit; calibration: ManoCalibration } | { refused: string };
  /** Time-ordered calibration of the prediction detectors (absent: reference too small). */
  nulls?: PredictionNulls;
}

/** Fit-time calibration of the prediction detectors on the reference in time order (fitted by prediction-nulls.ts). */
export interface PredictionNulls {
  windowSize: number;
  /** Disjoint contiguous chunks behind the calibration. */
  chunks: number;
  labelShift: { score: TimeNull; distanceCeiling: number; lag1: number };
  /** Coverage the half-widths are for. */
  coverage: number;
  /** Per estimator: the conformal `coverage` quantile of |estimate − realized| over the chunks (absent: too few chunks). */
  halfWidth: Partial<Record<AccuracyEstimatorName, number>>;
}

/**
 * The model's own logits, recovered from calibrated probabilities up to a per-row constant
 * (log p = z/T + b − c), which neither the argmax nor MaNo's normalisations see.
 */
export function modelLogits(calibratedProbs: readonly number[], calibration: Calibration): number[] {
  return calibratedProbs.map((p, k) => calibration.T * (Math.log(Math.max(p, 1e-300)) - (calibration.bias[k] ?? 0)));
}

/** The calibrated probabilities of one event's prediction, or a problem description naming the value. */
export function calibratedPrediction(ref: ClassificationReference, prediction: Pick<Prediction, 'probs' | 'logits'> | undefined): number[] | undefined | string {
  const raw = ref.input === 'probs' ? prediction?.probs : prediction?.logits;
  if (raw === undefined) return prediction?.probs !== undefined || prediction?.logits !== undefined ? `prediction.${ref.input} is required for this model (its reference was fitted on ${ref.input})` : undefined;
  const values = valuesInClassOrder(ref.classNames, raw, `prediction.${ref.input}`);
  if (typeof values === 'string') return values;
  return applyCalibration(ref.input === 'probs' ? logitsFromProbs(values) : values, ref.calibration);
}
