/**
 * Trains the reference flow inside `shiftwatch fit`. The flow models the joint density of the
 * numeric features; categorical features stay with their per-feature χ² tests (documented in
 * README, "Density flow"). The reference rows are split, seeded, into a calibration split (20%,
 * never seen by training or early stopping; its log-likelihoods are the null of the window tests),
 * a validation split for early stopping, and the training split. Integer-valued features are
 * dequantised with uniform noise on (−0.5, 0.5), identically at fit and at serve time.
 */
import { at } from '../core/indexing.js';
import type { FlowBundle, FlowNulls } from '../core/flow/flow-bundle.js';
import type { FlowModel } from '../core/flow/flow-spec.js';
import type { FeatureSpec } from '../core/reference/schema.js';
import type { Row } from '../core/reference/row.js';
import { seededRandom } from '../core/random.js';
import { dequantizeRows } from '../core/flow/dequantize.js';
import { shuffleInPlace } from '../core/flow/train-data.js';
import { trainFlow, type TrainFlowOptions } from './train-flow.js';
import type { FlowTrainerName } from './training-engine.js';
import type { LocalizationBundle } from '../core/localize/localization-bundle.js';
import { FeatureLocalizer, fitFeatureLocalization } from './localize-scorer.js';
import { fitFlowNulls } from './flow-nulls.js';
import { OnnxFlowScorer } from './onnx/onnx-scorer.js';
import { MINIMUM_FLOORS } from '../core/reference/reference-size.js';

export type FlowFitOptions = Pick<TrainFlowOptions, 'architecture' | 'learningRate' | 'robust' | 'tailAdaptive' | 'maxEpochs' | 'batchSize' | 'patience' | 'trainer' | 'onEpoch' | 'logger'> & {
  seed: number;
  /** Share of complete rows kept for calibration. Default 0.2. */
  calibrationFraction?: number;
  /** Fewest complete rows to train on (`fit --flow-min-rows`); default MIN_FLOW_ROWS. */
  minRows?: number;
  /**
   * Fit the score-based conditional feature test on the calibration split, with a bootstrap null at
   * the served window size. Absent: not fitted.
   */
  localization?: {
    windowSize: number;
    alpha: number;
    replicates?: number;
    /**
     * flow (default): q̂ a Gaussian in the flow's latent space, one VJP per row through ONNX;
     * gaussian: p̂ and q̂ Gaussian in standardised units, closed form, pooled reference.
     */
    method?: 'gaussian' | 'flow';
    onProgress?: (done: number, total: number) => void;
  };
  /** Time-ordered nulls at the served window size (default: the localization's window size; none without either). */
  nulls?: { windowSize: number; iidWindows?: number; context?: readonly string[] };
};

/**
 * log p_X of row-major rows (original units, the model's feature order), computed by the trainer's
 * own runtime: ONNX Runtime after the ONNX trainer (the scorer the service uses), tfjs after the
 * tfjs trainer, so an ONNX fit never loads tfjs.
 */
async function flowLogLikelihoods(model: FlowModel, trainer: FlowTrainerName, rows: Float32Array, n: number): Promise<Float64Array> {
  if (trainer === 'onnx') {
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'logp' });
    try {
      return await scorer.logProb(rows, n);
    } finally {
      await scorer.release();
    }
  }
  const tf = await import('@tensorflow/tfjs');
  const flow = new (await import('./tf/tf-flow.js')).TfFlow(model);
  const tensor = tf.tidy(() => flow.logProb(tf.tensor2d(rows, [n, model.dim])));
  const logp = Float64Array.from(await tensor.data());
  tensor.dispose();
  flow.dispose();
  return logp;
}

/** The time-ordered nulls of the flow's detectors (src/flow/flow-nulls.ts), from every complete row in time order. */
async function timeOrderedNulls(
  model: FlowModel,
  trainer: FlowTrainerName,
  rows: Float32Array,
  n: number,
  dim: number,
  calibration: readonly number[],
  localization: LocalizationBundle | undefined,
  options: { categories: Record<string, (string | null)[]>; windowSize: number | undefined; iidWindows: number; context: readonly string[]; seed: number },
): Promise<FlowNulls | undefined> {
  if (options.windowSize === undefined) return undefined;
  const logp = await flowLogLikelihoods(model, trainer, rows, n);
  const localizer = localization ? await FeatureLocalizer.create(localization, localization.method === 'flow' ? model : null) : undefined;
  try {
    return await fitFlowNulls({
      logp, calibration, rows, dim, categories: options.categories,
      ...(localizer ? { localizer } : {}),
      windowSize: options.windowSize, iidWindows: options.iidWindows, context: options.context, seed: options.seed,
    });
  } finally {
    await localizer?.release();
  }
}

/** Fewer complete rows than this and no flow is trained, unless `minRows` says otherwise. */
export const MIN_FLOW_ROWS = 1000;

export async function fitFlow(rows: readonly Row[], specs: readonly FeatureSpec[], options: FlowFitOptions): Promise<FlowBundle | { skipped: string }> {
  const numeric = specs.filter((s) => s.kind === 'numeric').map((s) => s.name);
  const excluded = specs.filter((s) => s.kind !== 'numeric').map((s) => ({ feature: s.name, reason: 'categorical: tested by its own chi-square test, not by the flow' }));
  if (numeric.length < 2) return { skipped: `a flow needs at least 2 numeric features, the reference has ${numeric.length}` };
  const complete = rows.filter((r) => numeric.every((f) => typeof r[f] === 'number' && Number.isFinite(r[f])));
  const minRows = options.minRows ?? MIN_FLOW_ROWS;
  if (complete.length < minRows) return { skipped: `${complete.length} rows have every numeric feature; a flow needs at least ${minRows} (--flow-min-rows, which accepts down to ${MINIMUM_FLOORS.flowRows})` };
  const integer = numeric.map((f) => complete.every((r) => Number.isInteger(r[f])));

  const order = Array.from(shuffleInPlace(Int32Array.from({ length: complete.length }, (_, i) => i), seededRandom(options.seed + 17)));
  const nCal = Math.round((options.calibrationFraction ?? 0.2) * complete.length);
  const matrix = (indices: readonly number[]) => {
    const out = new Float32Array(indices.length * numeric.length);
    indices.forEach((row, i) => numeric.forEach((f, j) => (out[i * numeric.length + j] = at(complete, row, 'complete rows')[f] as number)));
    return out;
  };
  const dequantize = integer.flatMap((isInt, j) => (isInt ? [j] : []));
  const calibration = dequantizeRows(matrix(order.slice(0, nCal)), numeric.length, dequantize, options.seed + 1);
  const training = dequantizeRows(matrix(order.slice(nCal)), numeric.length, dequantize, options.seed + 2);
  const columns = numeric.map((_, j) => Float64Array.from({ length: training.length / numeric.length }, (_, i) => at(training, i * numeric.length + j, 'training rows')));

  const { onEpoch, logger, seed, calibrationFraction: _c, minRows: _m, localization: locOptions, nulls: _n, ...train } = options;
  const result = await trainFlow({ columns, features: numeric }, { ...train, seed, ...(onEpoch ? { onEpoch } : {}), ...(logger ? { logger } : {}) });
  const kept = result.model.standardization.features;
  for (const f of result.dropped) excluded.push({ feature: f, reason: 'constant in the reference' });
  // Rows restricted to the features the flow kept, in its order.
  const keptIndex = kept.map((f) => numeric.indexOf(f));
  const select = (source: Float32Array) => {
    const n = source.length / numeric.length;
    const out = new Float32Array(n * kept.length);
    for (let i = 0; i < n; i++) keptIndex.forEach((j, k) => (out[i * kept.length + k] = at(source, i * numeric.length + j, 'source rows')));
    return out;
  };
  const calRows = select(calibration);
  const values = Array.from(await flowLogLikelihoods(result.model, result.trainer, calRows, nCal)).sort((a, b) => a - b);
  const text = (r: Row, f: string) => (r[f] === null || r[f] === undefined ? null : String(r[f]));
  const calibrationRows = order.slice(0, nCal).map((i) => at(complete, i, 'complete rows'));
  const trainingRows = order.slice(nCal).map((i) => at(complete, i, 'complete rows'));
  const gaussian = (locOptions?.method ?? 'flow') === 'gaussian';
  const localization = locOptions === undefined ? undefined : await fitFeatureLocalization({
    features: kept,
    flow: gaussian ? null : result.model,
    holdout: { rows: calRows, n: nCal },
    ...(gaussian ? { reference: { rows: select(training), n: trainingRows.length } } : {}),
    categorical: specs.filter((s) => s.kind === 'categorical').map((s) => ({
      feature: s.name,
      holdout: calibrationRows.map((r) => text(r, s.name)),
      ...(gaussian ? { reference: trainingRows.map((r) => text(r, s.name)) } : {}),
    })),
    windowSizes: [locOptions.windowSize],
    alpha: locOptions.alpha,
    ...(locOptions.replicates === undefined ? {} : { replicates: locOptions.replicates }),
    ...(locOptions.onProgress ? { onProgress: locOptions.onProgress } : {}),
    seed: seed + 3,
  });
  // Every complete row in time order, dequantised as a served window would be, for the time-ordered nulls.
  const allRows = select(dequantizeRows(matrix(complete.map((_, i) => i)), numeric.length, dequantize, options.seed + 4));
  const nulls = await timeOrderedNulls(result.model, result.trainer, allRows, complete.length, kept.length, values, localization, {
    categories: Object.fromEntries((localization?.categorical ?? []).map((c) => [c.feature, complete.map((r) => text(r, c.feature))])),
    windowSize: options.nulls?.windowSize ?? locOptions?.windowSize,
    iidWindows: options.nulls?.iidWindows ?? 200,
    context: options.nulls?.context ?? [],
    seed: seed + 5,
  });
  return {
    ...(localization ? { localization } : {}),
    ...(nulls ? { nulls } : {}),
    model: result.model,
    excluded,
    dequantize: keptIndex.flatMap((j, k) => (integer[j] ? [k] : [])),
    calibration: values,
    training: {
      backend: result.backend,
      seed,
      rows: { train: result.rows.train, validation: result.rows.validation, calibration: nCal },
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      seconds: result.seconds,
    },
  };
}
