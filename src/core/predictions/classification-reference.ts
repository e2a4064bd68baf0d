/**
 * The classification part of a reference bundle, fitted by `shiftwatch fit` on the held-out
 * reference (the model's probabilities or logits plus the true label): one calibration map (BCTS)
 * applied to the reference and to every window, and the source quantities each estimator needs.
 */
import type { Row } from '../reference/readers.js';
import { PREDICTION_COLUMN } from '../reference/schema.js';
import { ReferenceDataError } from '../errors.js';
import { applyCalibration, fitCalibration, logitsFromProbs, type Calibration } from '../labelshift/calibration.js';
import { argmax, jointConfusionSoft, predictedMarginalHard } from '../labelshift/confusion.js';
import { sourcePriorFromPosteriors } from '../labelshift/mlls.js';
import { fitAtc, type AtcFit } from '../accuracy/atc.js';
import { fitAtcBootstrap } from '../accuracy/atc-bootstrap.js';
import type { AtcThreshold } from '../accuracy/atc.js';
import { SCORE_FUNCTIONS } from '../accuracy/scores.js';
import { fitConfidenceBaseline, type ConfidenceBaselineFit } from '../accuracy/baselines.js';
import { fitMano, type ManoFit } from '../accuracy/mano.js';
import { fitManoCalibration, type ManoCalibration } from '../accuracy/mano-calibration.js';

export interface ClassificationReference {
  kind: 'classification';
  classes: number;
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
}

/** Finds `prob_k` / `logit_k` columns; undefined when the reference has no model outputs. */
export function predictionColumns(columns: readonly string[]): { input: 'probs' | 'logits'; names: string[] } | undefined {
  const found = new Map<string, Map<number, string>>();
  for (const c of columns) {
    const m = PREDICTION_COLUMN.exec(c);
    if (!m) continue;
    const byIndex = found.get(m[1]!) ?? new Map<number, string>();
    byIndex.set(Number(m[2]), c);
    found.set(m[1]!, byIndex);
  }
  if (found.size === 0) return undefined;
  if (found.size > 1) throw new ReferenceDataError(undefined, 'the reference has both prob_<k> and logit_<k> columns', 'keep one of the two');
  const [prefix, byIndex] = [...found][0]!;
  const k = byIndex.size;
  const names = Array.from({ length: k }, (_, i) => byIndex.get(i));
  if (k < 2 || names.some((n) => n === undefined)) {
    throw new ReferenceDataError(`${prefix}_*`, `expected ${prefix}_0 .. ${prefix}_${k - 1} for ${k} classes`, 'name the model output columns by class index, from 0, without gaps');
  }
  return { input: prefix === 'prob' ? 'probs' : 'logits', names: names as string[] };
}

export function fitClassificationReference(rows: readonly Row[], columns: readonly string[], options: { windowSize: number; seed: number }): ClassificationReference | undefined {
  const found = predictionColumns(columns);
  if (found === undefined) return undefined;
  const K = found.names.length;
  if (!columns.includes('label')) {
    throw new ReferenceDataError('label', `the reference has model outputs (${found.names[0]}, ...) but no label column`, 'add the true label of each row, as the class index 0..K-1');
  }
  const logits: number[][] = [];
  const labels: number[] = [];
  rows.forEach((row, i) => {
    const y = Number(row.label);
    if (!Number.isInteger(y) || y < 0 || y >= K) {
      throw new ReferenceDataError('label', `row ${i + 1} has label ${JSON.stringify(row.label)}, not a class index in 0..${K - 1}`, 'write labels as the index of the class in the model output');
    }
    const out = found.names.map((c) => row[c]);
    if (out.some((v) => typeof v !== 'number')) {
      throw new ReferenceDataError(found.names[0], `row ${i + 1} lacks a numeric model output`, 'give every reference row the model output for every class');
    }
    labels.push(y);
    logits.push(found.input === 'probs' ? logitsFromProbs(out as number[]) : (out as number[]));
  });
  const counts = new Array<number>(K).fill(0);
  for (const y of labels) counts[y]! += 1;
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new ReferenceDataError('label', `class ${empty} has no example in the reference`, 'use a reference that contains every class the model can predict');
  const calibration = fitCalibration('bcts', logits, labels);
  const probs = logits.map((z) => applyCalibration(z, calibration));
  // Correctness is the model's own top-1 prediction (calibration with a bias can move the argmax).
  const predicted = logits.map(argmax);
  const correct = predicted.map((k, i) => k === labels[i]);
  const recall = counts.map((c, k) => labels.reduce((s, y, i) => s + (y === k && predicted[i] === k ? 1 : 0), 0) / c);
  const manoFit = fitMano(logits);
  let mano: ClassificationReference['mano'];
  try {
    mano = { fit: manoFit, calibration: fitManoCalibration(logits, labels, manoFit, { windowSize: options.windowSize, seed: options.seed }) };
  } catch (error) {
    mano = { refused: (error as Error).message };
  }
  return {
    kind: 'classification',
    classes: K,
    input: found.input,
    n: rows.length,
    calibration,
    sourcePrior: sourcePriorFromPosteriors(probs),
    labelPrior: counts.map((c) => c / labels.length),
    sourceAccuracy: correct.filter(Boolean).length / correct.length,
    recall,
    confusion: jointConfusionSoft(probs, labels),
    predictedCounts: predictedMarginalHard(probs.map(argmax), K).map((f) => f * labels.length),
    atc: {
      mc: fitAtc(probs.map(SCORE_FUNCTIONS.mc), correct),
      ne: fitAtc(probs.map(SCORE_FUNCTIONS.ne), correct),
      bootstrap: {
        mc: fitAtcBootstrap(probs.map(SCORE_FUNCTIONS.mc), correct, { seed: options.seed }),
        ne: fitAtcBootstrap(probs.map(SCORE_FUNCTIONS.ne), correct, { seed: options.seed + 1 }),
      },
    },
    confidence: fitConfidenceBaseline(probs.map(SCORE_FUNCTIONS.mc), correct),
    mano,
  };
}

/**
 * The model's own logits, recovered from calibrated probabilities up to a per-row constant
 * (log p = z/T + b − c), which neither the argmax nor MaNo's normalisations see.
 */
export function modelLogits(calibratedProbs: readonly number[], calibration: Calibration): number[] {
  return calibratedProbs.map((p, k) => calibration.T * (Math.log(Math.max(p, 1e-300)) - (calibration.bias[k] ?? 0)));
}

/** The calibrated probabilities of one event's prediction, or a problem description. */
export function calibratedPrediction(ref: ClassificationReference, prediction: { probs?: number[]; logits?: number[] } | undefined): number[] | undefined | string {
  const raw = ref.input === 'probs' ? prediction?.probs : prediction?.logits;
  if (raw === undefined) return prediction?.probs !== undefined || prediction?.logits !== undefined ? `prediction.${ref.input} is required for this model (its reference was fitted on ${ref.input})` : undefined;
  if (raw.length !== ref.classes) return `prediction.${ref.input} has ${raw.length} values, the model has ${ref.classes} classes`;
  return applyCalibration(ref.input === 'probs' ? logitsFromProbs(raw) : raw, ref.calibration);
}
