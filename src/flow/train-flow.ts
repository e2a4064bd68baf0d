/**
 * Maximum-likelihood training of a coupling flow (float32), docs/algorithms.md#flow-training: Adam with cosine decay to 0
 * over the maximum number of epochs, global gradient-norm clipping, validation NLL every epoch,
 * early stopping that keeps the best weights. The loop is the same for both engines
 * (training-engine.ts): ONNX Runtime (the default where it covers the architecture: affine
 * couplings) and tfjs (the reference; spline couplings). Deterministic for a given seed and engine.
 */
import type { FlowModel, TrainingEpoch } from '../core/flow/flow-spec.js';
import { cosineLearningRate, DEFAULT_ADAM } from '../core/flow/adam.js';
import { DEFAULT_ARCHITECTURE, initFlow, type FlowArchitecture } from '../core/flow/init-flow.js';
import { prepareTrainingData, shuffleInPlace, type TrainingColumns } from '../core/flow/train-data.js';
import { seededRandom } from '../core/random.js';
import type { Logger } from '../logging.js';
import { untrainableReason } from './onnx/flow-parameters.js';
import type { FlowTrainerName, TrainingEngine, TrainingEngineInput } from './training-engine.js';

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
  /**
   * Which engine computes the steps: 'onnx' (ONNX Runtime, one thread; affine couplings only) or
   * 'tfjs'. Default: 'onnx' where it covers the architecture, else 'tfjs'.
   */
  trainer?: FlowTrainerName;
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
  trainer: FlowTrainerName;
  /** The engine's runtime, e.g. 'onnxruntime-cpu' or the tfjs backend ('wasm', 'tensorflow', …). */
  backend: string;
  dropped: string[];
  rows: { train: number; validation: number; nonFinite: number };
}

/** The engine asked for, or the default for this model; throws when 'onnx' is asked for and cannot train it. */
export function chooseTrainer(model: FlowModel, asked: FlowTrainerName | undefined): FlowTrainerName {
  const reason = untrainableReason(model);
  if (asked === 'onnx' && reason !== null) throw new Error(`the ONNX trainer cannot train this flow: ${reason}; use the tfjs trainer`);
  return asked ?? (reason === null ? 'onnx' : 'tfjs');
}

async function createEngine(trainer: FlowTrainerName, input: TrainingEngineInput, logger?: Logger): Promise<TrainingEngine> {
  // Loaded on demand: the ONNX path never loads tfjs, and the other way round.
  if (trainer === 'onnx') return (await import('./onnx/onnx-trainer.js')).createOnnxTrainingEngine(input);
  return (await import('./tf/tf-trainer.js')).createTfTrainingEngine(input, logger);
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

  const prepared = prepareTrainingData(data, {
    validation: options.validation,
    validationFraction: options.validationFraction ?? 0.15,
    robust: options.robust ?? false,
    tailAdaptive: options.tailAdaptive ?? false,
    seed,
  });
  const { standardization, rows } = prepared;
  // NLL in original units = NLL in u-space + Σ log scale_j.
  const logScaleSum = standardization.scale.reduce((sum, s) => sum + Math.log(s), 0);
  const architecture = { ...DEFAULT_ARCHITECTURE, ...options.architecture };
  const initial = initFlow(standardization, architecture, prepared.base, seed);
  const trainer = chooseTrainer(initial, options.trainer);
  const engine = await createEngine(trainer, { initial, data: prepared, adam: { ...DEFAULT_ADAM, clipNorm: options.clipNorm ?? DEFAULT_ADAM.clipNorm } }, logger);
  try {
    logger?.info('flow training started', { trainer, backend: engine.backend, dim: standardization.features.length, rows, dropped: prepared.dropped, kind: architecture.kind, base: prepared.base.kind });
    const random = seededRandom(seed + 1);
    const order = Int32Array.from({ length: rows.train }, (_, i) => i);
    const totalSteps = maxEpochs * Math.ceil(rows.train / batchSize);
    let step = 0;
    const nextRate = () => cosineLearningRate(learningRate, step++, totalSteps);
    const epochs: TrainingEpoch[] = [];
    let best = { epoch: 0, nll: (await engine.validationNll()) + logScaleSum };
    engine.keepBest();
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const epochStart = performance.now();
      shuffleInPlace(order, random);
      const trainNll = (await engine.epoch(order, batchSize, nextRate)) / rows.train + logScaleSum;
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const validationNll = (await engine.validationNll()) + logScaleSum;
      const seconds = (performance.now() - epochStart) / 1000;
      epochs.push({ epoch, trainNll, validationNll, seconds });
      if (validationNll < best.nll - minImprovement) {
        best = { epoch, nll: validationNll };
        engine.keepBest();
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
    engine.restoreBest();
    const model = engine.model();
    const seconds = (performance.now() - started) / 1000;
    logger?.info('flow training finished', { trainer, epochs: epochs.length, bestEpoch: best.epoch, validationNll: best.nll, seconds });
    return { model, epochs, bestEpoch: best.epoch, seconds, trainer, backend: engine.backend, dropped: prepared.dropped, rows };
  } finally {
    await engine.dispose();
  }
}
