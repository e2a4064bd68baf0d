/**
 * Shared set-up for the `label-shift` and `accuracy` scenarios (docs/benchmarks.md, "label-shift" and "accuracy"): the
 * synthetic K-class task of src/demo/classification.ts, a held-out source validation set fitted as a
 * shiftwatch classification reference (logit_k + label columns, exactly what `shiftwatch fit` reads),
 * and target windows with their ground truth (label frequencies, the model's realized top-1 accuracy)
 * and the calibrated probabilities that shiftwatch's windows carry.
 */
import { createTask, sample, uniform, type ClassificationTask } from '../src/demo/classification.js';
import type { Row } from '../src/core/reference/row.js';
import { fitClassificationReference } from '../src/core/predictions/classification-fit.js';
import { calibratedPrediction, type ClassificationReference } from '../src/core/predictions/classification-reference.js';
import { sourcePriorFromPosteriors } from '../src/core/labelshift/mlls.js';
import type { DenseRows } from '../src/core/labelshift/posteriors.js';
import { argmax } from '../src/core/labelshift/confusion.js';
import { UsageError, type Flags } from './args.js';

export interface ClassificationSetup {
  task: ClassificationTask;
  ref: ClassificationReference;
  /** Mean *uncalibrated* validation posterior: π_s for MLLS without calibration. */
  uncalibratedSourcePrior: number[];
  /** The model's top-1 accuracy on the validation set (what "no change" predicts). */
  sourceAccuracy: number;
  setupMs: number;
}

export interface SetupOptions {
  classes: number;
  dims: number;
  validationSize: number;
  windowSize: number;
  seed: number;
}

export function buildSetup(o: SetupOptions): ClassificationSetup {
  const t0 = performance.now();
  const task = createTask({ classes: o.classes, dims: o.dims, seed: o.seed });
  const validation = sample(task, o.validationSize, uniform(o.classes), 0, o.seed + 1_000_003);
  const columns = [...Array.from({ length: o.classes }, (_, k) => `logit_${k}`), 'label'];
  const rows: Row[] = validation.logits.map((z, i) => {
    const row: Row = { label: validation.labels[i]! };
    z.forEach((v, k) => (row[`logit_${k}`] = v));
    return row;
  });
  const ref = fitClassificationReference(rows, columns, { windowSize: o.windowSize, seed: o.seed });
  if (ref === undefined) throw new Error('the validation rows were not recognised as a classification reference');
  const correct = validation.logits.filter((z, i) => argmax(z) === validation.labels[i]).length;
  return {
    task,
    ref,
    uncalibratedSourcePrior: sourcePriorFromPosteriors(validation.probs),
    sourceAccuracy: correct / o.validationSize,
    setupMs: performance.now() - t0,
  };
}

export interface TargetWindow {
  n: number;
  /** The prior the window's labels were drawn from. */
  prior: number[];
  /** Realized label frequencies in the window. */
  frequencies: number[];
  /** The model's realized top-1 accuracy (its own logits vs the labels). */
  accuracy: number;
  /** The model's uncalibrated softmax outputs, dense m×K. */
  uncalibrated: DenseRows;
  /** BCTS-calibrated probabilities, flat row-major (what a window's PredictionSummary holds). */
  calibrated: number[];
  /** Mean over rows of the model's raw max softmax probability, and of max − min logit. */
  rawConfidence: number;
  logitRange: number;
}

export function targetWindow(setup: ClassificationSetup, n: number, prior: readonly number[], noise: number, seed: number): TargetWindow {
  const K = setup.task.classes;
  const s = sample(setup.task, n, prior, noise, seed);
  const frequencies = new Array<number>(K).fill(0);
  for (const y of s.labels) frequencies[y]! += 1 / n;
  const correct = s.logits.filter((z, i) => argmax(z) === s.labels[i]).length;
  const calibrated: number[] = [];
  for (const z of s.logits) {
    const p = calibratedPrediction(setup.ref, { logits: z });
    if (!Array.isArray(p)) throw new Error(`calibratedPrediction refused a window row: ${String(p)}`);
    calibrated.push(...p);
  }
  const uncalibrated = { rows: n, cols: K, data: Float64Array.from(s.probs.flat()) };
  const rawConfidence = s.probs.reduce((sum, p) => sum + Math.max(...p), 0) / n;
  const logitRange = s.logits.reduce((sum, z) => sum + Math.max(...z) - Math.min(...z), 0) / n;
  return { n, prior: [...prior], frequencies, accuracy: correct / n, uncalibrated, calibrated, rawConfidence, logitRange };
}

/** Comma-separated positive numbers (e.g. `--alphas 10,1,0.1`). */
export function numberListFlag(flags: Flags, name: string, fallback: number[], min = 0): number[] {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < min)) {
    throw new UsageError(`--${name} must be a comma-separated list of numbers >= ${min}, got "${raw}"`);
  }
  return values;
}

/** A per-window seed that does not collide across settings (setting index s, window index w). */
export const windowSeed = (base: number, setting: number, w: number, salt = 0): number => base + 7919 * (setting + 1) + 104_729 * (w + 1) + salt;

export const inside = (x: number, lower: number, upper: number): boolean => x >= lower && x <= upper;
