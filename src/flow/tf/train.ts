/**
 * Maximum-likelihood training of a coupling flow in tfjs (float32), spec §5.7: Adam with cosine
 * decay to 0 over the maximum number of epochs, global gradient-norm clipping, validation NLL every
 * epoch, early stopping that keeps the best weights. Deterministic for a given seed and backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { FlowModel, TrainingEpoch } from '../../core/flow/flow-spec.js';
import { DEFAULT_ARCHITECTURE, initFlow, type FlowArchitecture } from '../../core/flow/init-flow.js';
import { seededRandom } from '../../core/random.js';
import type { Logger } from '../../logging.js';
import { ClippedAdam, cosineLearningRate, DEFAULT_ADAM } from './adam.js';
import { selectBackend, type TfBackendName } from './backend.js';
import { TfFlow } from './tf-flow.js';
import { prepareTrainingData, shuffleInPlace, type TrainingColumns } from './train-data.js';

export interface EpochProgress {
  epoch: number;
  maxEpochs: number;
  trainNll: number;
  validationNll: number;
  rowsPerSecond: number;
  /** Upper bound: time left if training runs to `maxEpochs` (early stopping usually ends sooner). */
  etaSeconds: number;
}

export interface TrainFlowOptions {
  /** Flow shape; default DEFAULT_ARCHITECTURE (6 affine couplings, hidden 128, depth 2, tanh). */
  architecture?: Partial<FlowArchitecture>;
  /** Median and IQR/1.349 standardisation instead of mean and sd. Default false. */
  robust?: boolean;
  /** mTAF(fix): Student-t base with ν fixed at the tail-index estimate for heavy marginals. Default false. */
  tailAdaptive?: boolean;
  /** Initial Adam learning rate, decayed to 0 by a cosine over `maxEpochs`. Default 1e-3. */
  learningRate?: number;
  /** Rows per Adam step. Default 256. */
  batchSize?: number;
  /** Default 200. */
  maxEpochs?: number;
  /** Stop after this many epochs without a validation improvement. Default 20. */
  patience?: number;
  /** A validation NLL counts as better when lower than the best by more than this (nats). Default 1e-4. */
  minImprovement?: number;
  /** Global gradient-norm clip. Default 5. */
  clipNorm?: number;
  /** Validation rows given by the caller (same features, original units); otherwise a fraction is split off. */
  validation?: { columns: ArrayLike<number>[] };
  /** Share of `data` held out for validation when `validation` is absent. Default 0.15. */
  validationFraction?: number;
  /** Seeds the split, the initial weights and the shuffling. Default 0. */
  seed?: number;
  onEpoch?: (progress: EpochProgress) => void;
  logger?: Logger;
}

export interface TrainFlowResult {
  /** The best-validation weights (float32 values as plain numbers). */
  model: FlowModel;
  epochs: TrainingEpoch[];
  /** Epoch (1-based) whose weights were kept; 0 when no epoch beat the initial model. */
  bestEpoch: number;
  seconds: number;
  backend: TfBackendName;
  dropped: string[];
  rows: { train: number; validation: number; nonFinite: number };
}

const VALIDATION_BATCH = 4096;

/** Mean NLL of row-major standardised rows (original-unit NLL: add Σ log scale). */
async function meanNll(flow: TfFlow, rows: tf.Tensor2D): Promise<number> {
  const n = rows.shape[0];
  const parts: tf.Scalar[] = [];
  for (let start = 0; start < n; start += VALIDATION_BATCH) {
    const size = Math.min(VALIDATION_BATCH, n - start);
    parts.push(tf.tidy(() => tf.sum(flow.logProbStandardized(tf.slice(rows, [start, 0], [size, rows.shape[1]])))));
  }
  const total = tf.addN(parts);
  const value = (await total.data())[0];
  tf.dispose([...parts, total]);
  return -value / n;
}

export async function trainFlow(data: TrainingColumns, options: TrainFlowOptions = {}): Promise<TrainFlowResult> {
  const started = performance.now();
  const { logger, onEpoch } = options;
  const seed = options.seed ?? 0;
  const maxEpochs = options.maxEpochs ?? 200;
  const batchSize = options.batchSize ?? 256;
  const patience = options.patience ?? 20;
  const minImprovement = options.minImprovement ?? 1e-4;
  const learningRate = options.learningRate ?? 1e-3;
  const backend = await selectBackend(logger);

  const prepared = prepareTrainingData(data, {
    validation: options.validation,
    validationFraction: options.validationFraction ?? 0.15,
    robust: options.robust ?? false,
    tailAdaptive: options.tailAdaptive ?? false,
    seed,
  });
  const { standardization, rows } = prepared;
  const dim = standardization.features.length;
  // NLL in original units = NLL in u-space + Σ log scale_j.
  const logScaleSum = standardization.scale.reduce((sum, s) => sum + Math.log(s), 0);
  const architecture = { ...DEFAULT_ARCHITECTURE, ...options.architecture };
  const flow = new TfFlow(initFlow(standardization, architecture, prepared.base, seed));
  const adam = new ClippedAdam(flow.variables, { ...DEFAULT_ADAM, clipNorm: options.clipNorm ?? DEFAULT_ADAM.clipNorm });
  const train = tf.tensor2d(prepared.train, [rows.train, dim]);
  const validation = tf.tensor2d(prepared.validation, [rows.validation, dim]);
  logger?.info('flow training started', { backend: backend.name, dim, rows, dropped: prepared.dropped, kind: architecture.kind, base: prepared.base.kind });

  const random = seededRandom(seed + 1);
  const order = Int32Array.from({ length: rows.train }, (_, i) => i);
  const stepsPerEpoch = Math.ceil(rows.train / batchSize);
  const totalSteps = maxEpochs * stepsPerEpoch;
  const epochs: TrainingEpoch[] = [];
  let best = { epoch: 0, nll: (await meanNll(flow, validation)) + logScaleSum, weights: flow.snapshot() };
  let step = 0;
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const epochStart = performance.now();
      shuffleInPlace(order, random);
      const losses: tf.Scalar[] = [];
      for (let start = 0; start < rows.train; start += batchSize) {
        const indices = tf.tensor1d(order.subarray(start, Math.min(start + batchSize, rows.train)), 'int32');
        const rate = cosineLearningRate(learningRate, step++, totalSteps);
        losses.push(
          tf.tidy(() => {
            const batch = tf.gather(train, indices);
            const loss = adam.step(() => tf.neg(tf.mean(flow.logProbStandardized(batch))) as tf.Scalar, rate);
            return tf.mul(loss, indices.shape[0]) as tf.Scalar;
          }),
        );
        indices.dispose();
      }
      const lossSum = tf.addN(losses);
      const trainNll = (await lossSum.data())[0] / rows.train + logScaleSum;
      tf.dispose([...losses, lossSum]);
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const validationNll = (await meanNll(flow, validation)) + logScaleSum;
      const seconds = (performance.now() - epochStart) / 1000;
      epochs.push({ epoch, trainNll, validationNll, seconds });
      if (validationNll < best.nll - minImprovement) {
        tf.dispose(best.weights);
        best = { epoch, nll: validationNll, weights: flow.snapshot() };
      }
      const elapsed = (performance.now() - started) / 1000;
      onEpoch?.({ epoch, maxEpochs, trainNll, validationNll, rowsPerSecond: rows.train / trainSeconds, etaSeconds: (elapsed / epoch) * (maxEpochs - epoch) });
      logger?.debug('flow epoch', { epoch, trainNll, validationNll, seconds });
      if (!Number.isFinite(trainNll)) {
        logger?.warn('flow training diverged (non-finite loss); keeping the best weights so far', { epoch, bestEpoch: best.epoch });
        break;
      }
      if (epoch - best.epoch >= patience) break;
      await new Promise((resolve) => setImmediate(resolve)); // let timers and signals run between epochs
    }
    flow.restore(best.weights);
    const model = flow.toModel();
    const seconds = (performance.now() - started) / 1000;
    logger?.info('flow training finished', { epochs: epochs.length, bestEpoch: best.epoch, validationNll: best.nll, seconds });
    return { model, epochs, bestEpoch: best.epoch, seconds, backend: backend.name, dropped: prepared.dropped, rows };
  } finally {
    tf.dispose([...best.weights, train, validation]);
    adam.dispose();
    flow.dispose();
  }
}
