/**
 * Fits the classification part of a reference bundle (classification-reference.ts): reads every
 * row's model output and true label, fits the calibration map (BCTS), the estimators' source
 * quantities and the prediction detectors' time-ordered nulls.
 */
import type { Row } from '../reference/row.js';
import { probabilityProblem } from '../contract/probabilities.js';
import { recognizeOutputs, type OutputColumns } from '../reference/output-columns.js';
import { RECOMMENDED_MINIMUMS, type ReferenceMinimums } from '../reference/reference-size.js';
import { classIndex, listNames } from './classes.js';
import { ReferenceDataError } from '../errors.js';
import { applyCalibration, fitCalibration, logitsFromProbs } from '../labelshift/calibration.js';
import { argmax, jointConfusionSoft, predictedMarginalHard } from '../labelshift/confusion.js';
import { sourcePriorFromPosteriors } from '../labelshift/mlls.js';
import { fitAtc } from '../accuracy/atc.js';
import { fitAtcBootstrap } from '../accuracy/atc-bootstrap.js';
import { SCORE_FUNCTIONS } from '../accuracy/scores.js';
import { fitConfidenceBaseline } from '../accuracy/baselines.js';
import { fitMano } from '../accuracy/mano.js';
import { fitManoCalibration } from '../accuracy/mano-calibration.js';
import { fitPredictionNulls } from './prediction-nulls.js';
import { DEFAULT_CLASS_SHARES } from './class-shares.js';
import { DEFAULT_PREDICTION_OPTIONS } from './prediction-options.js';
import type { ClassificationReference } from './classification-reference.js';
import { at } from '../indexing.js';

/** A classifier reference's rows as the estimators need them, in the order given. */
export interface LabelledOutputs {
  outputs: OutputColumns;
  /** The model's logits per row (from its probabilities up to a per-row constant when it gave those). */
  logits: number[][];
  labels: number[];
  /** Rows the model's top-1 class gets wrong. */
  errors: number;
}

/**
 * Reads every row's model output and true label. Refuses, naming the row (rows count data rows
 * from 1, in file order), a missing output, probabilities that are not a distribution, and a label
 * that is neither a class name nor a class index.
 */
export function readLabelledOutputs(rows: readonly Row[], columns: readonly string[], outputs: OutputColumns): LabelledOutputs {
  const { classNames, columns: outputColumns } = outputs;
  if (!columns.includes('label')) {
    throw new ReferenceDataError('label', `the reference has model outputs (${outputColumns.join(', ')}) but no label column`, `add the true label of each row, as a class name (${listNames(classNames)}) or index; or pass --no-predictions to monitor the inputs only`);
  }
  const logits: number[][] = [];
  const labels: number[] = [];
  let errors = 0;
  rows.forEach((row, i) => {
    const y = classIndex(classNames, row.label);
    if (typeof y === 'string') throw new ReferenceDataError('label', `row ${i + 1}: ${y}`, 'write each label as a class name or as the index of the class in the model output');
    const out = outputColumns.map((c) => row[c]);
    const missing = out.findIndex((v) => typeof v !== 'number');
    if (missing >= 0) {
      throw new ReferenceDataError(outputColumns[missing], `row ${i + 1} has ${JSON.stringify(out[missing])}, not a number`, 'give every reference row the model output for every class');
    }
    if (outputs.input === 'probs') {
      const problem = probabilityProblem(out as number[]);
      if (problem !== undefined) {
        throw new ReferenceDataError(undefined, `row ${i + 1}: ${problem} over ${outputColumns.join(', ')}`, 'export the model\'s probabilities for every class, unrounded (or its logits as logit_<class> columns); a row that does not sum to 1 is not a model output');
      }
    }
    const z = outputs.input === 'probs' ? logitsFromProbs(out as number[]) : (out as number[]);
    if (argmax(z) !== y) errors++;
    labels.push(y);
    logits.push(z);
  });
  return { outputs, logits, labels, errors };
}

/** The same rows in another order (e.g. the reference's time order). */
export function reorderLabelledOutputs(data: LabelledOutputs, order: readonly number[]): LabelledOutputs {
  return { ...data, logits: order.map((i) => at(data.logits, i, 'labelled rows')), labels: order.map((i) => at(data.labels, i, 'labelled rows')) };
}

export interface ClassificationFitOptions {
  windowSize: number;
  seed: number;
  /** Level of the effect ceilings of the time-ordered nulls (default 0.05). */
  alpha?: number;
  /** ATC's minimums (default: the recommended ones). */
  minimums?: Pick<ReferenceMinimums, 'atcRows' | 'atcErrors'>;
}

/** Recognises the outputs (default names), reads the rows and fits; undefined without model outputs. */
export function fitClassificationReference(rows: readonly Row[], columns: readonly string[], options: ClassificationFitOptions): ClassificationReference | undefined {
  const outputs = recognizeOutputs(rows, columns, {});
  return outputs === undefined ? undefined : fitClassification(readLabelledOutputs(rows, columns, outputs), options);
}

export function fitClassification(data: LabelledOutputs, options: ClassificationFitOptions): ClassificationReference {
  const { logits, labels, outputs } = data;
  const K = outputs.classNames.length;
  const counts = new Array<number>(K).fill(0);
  for (const y of labels) counts[y] = at(counts, y, 'class counts') + 1;
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new ReferenceDataError('label', `the class ${JSON.stringify(outputs.classNames[empty])} has no example in the reference`, 'use a reference that contains every class the model can predict');
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
  const atcOptions = { minRows: options.minimums?.atcRows ?? RECOMMENDED_MINIMUMS.atcRows, minErrors: options.minimums?.atcErrors ?? RECOMMENDED_MINIMUMS.atcErrors, minCorrect: options.minimums?.atcErrors ?? RECOMMENDED_MINIMUMS.atcErrors };
  const ref: ClassificationReference = {
    kind: 'classification',
    classes: K,
    classNames: [...outputs.classNames],
    input: outputs.input,
    n: labels.length,
    calibration,
    sourcePrior: sourcePriorFromPosteriors(probs),
    labelPrior: counts.map((c) => c / labels.length),
    sourceAccuracy: correct.filter(Boolean).length / correct.length,
    recall,
    confusion: jointConfusionSoft(probs, labels),
    predictedCounts: predictedMarginalHard(probs.map(argmax), K).map((f) => f * labels.length),
    atc: {
      mc: fitAtc(probs.map(SCORE_FUNCTIONS.mc), correct, atcOptions),
      ne: fitAtc(probs.map(SCORE_FUNCTIONS.ne), correct, atcOptions),
      bootstrap: {
        mc: fitAtcBootstrap(probs.map(SCORE_FUNCTIONS.mc), correct, { seed: options.seed }),
        ne: fitAtcBootstrap(probs.map(SCORE_FUNCTIONS.ne), correct, { seed: options.seed + 1 }),
      },
    },
    confidence: fitConfidenceBaseline(probs.map(SCORE_FUNCTIONS.mc), correct),
    mano,
  };
  const nulls = fitPredictionNulls(ref, probs, correct, {
    windowSize: options.windowSize, alpha: options.alpha ?? 0.05, coverage: DEFAULT_PREDICTION_OPTIONS.accuracy.coverage,
    classShares: DEFAULT_CLASS_SHARES, iidWindows: 100, seed: options.seed + 5,
  });
  return nulls === undefined ? ref : { ...ref, nulls };
}
