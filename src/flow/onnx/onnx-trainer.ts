/**
 * The ONNX Runtime training engine for affine coupling flows. Two sessions built once from the
 * training graph (train-graph.ts): one gives a batch's log p and the gradient of its summed NLL
 * with respect to every weight, the other log p alone (validation). The weights live in one flat
 * float32 vector fed as graph inputs, so every step runs the same sessions; Adam, clipping and the
 * schedule run in TypeScript (src/core/flow/adam.ts). One intra-op thread: one core, and the
 * same floating-point order on every run, so a seed gives the same model.
 */
import { at } from '../../core/indexing.js';
import * as ort from 'onnxruntime-node';
import { FlatAdam } from '../../core/flow/adam.js';
import type { FlowModel } from '../../core/flow/flow-spec.js';
import type { TrainingEngine, TrainingEngineInput } from '../training-engine.js';
import { gradientName, packParameters, parameterLayout, unpackParameters, type ParameterLayout } from './flow-parameters.js';
import { buildTrainingGraph, TRAIN_GRAPH_NAMES, trainingColumnOrder } from './train-graph.js';

/** Rows per validation run (ORT's [rows, hidden] intermediates stay in cache). */
const VALIDATION_BATCH = 1024;

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** Row-major rows with their columns reordered: out[:, k] = rows[:, order[k]]. */
function reorderColumns(rows: Float32Array, dim: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length);
  for (let base = 0; base < rows.length; base += dim) {
    order.forEach((j, k) => {
      out[base + k] = at(rows, base + j, 'training rows');
    });
  }
  return out;
}

const tensor = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

/** Graph inputs (or gradient outputs) viewing slices of one flat vector. */
function slotTensors(layout: ParameterLayout, flat: Float32Array, name: (slot: ParameterLayout['slots'][number]) => string): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const slot of layout.slots) out[name(slot)] = tensor(flat.subarray(slot.offset, slot.offset + slot.size), slot.dims);
  return out;
}

/** Feeds and fetches per batch size (full batches and one remainder in steady state), over fixed buffers. */
export class BatchBuffers {
  private readonly cache = new Map<number, { u: ort.Tensor; logp: ort.Tensor }>();
  readonly rows: Float32Array;
  private readonly logp: Float32Array;

  constructor(
    readonly capacity: number,
    private readonly dim: number,
  ) {
    this.rows = new Float32Array(capacity * dim);
    this.logp = new Float32Array(capacity);
  }

  tensors(count: number): { u: ort.Tensor; logp: ort.Tensor } {
    let entry = this.cache.get(count);
    if (entry === undefined) {
      if (this.cache.size >= 4) this.cache.clear();
      entry = { u: tensor(this.rows.subarray(0, count * this.dim), [count, this.dim]), logp: tensor(this.logp.subarray(0, count), [count]) };
      this.cache.set(count, entry);
    }
    return entry;
  }
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (const v of Array.from(values)) total += v;
  return total;
}

/**
 * The two sessions over one flat weight vector. `params` is read by every run (update it in place);
 * `gradient` receives ∂(−Σ log p_U)/∂params of the last `gradientRun`.
 */
export class FlowTrainingSessions {
  readonly gradient: Float32Array;
  private readonly paramFeeds: Record<string, ort.Tensor>;
  private readonly gradientFetches: Record<string, ort.Tensor>;

  private constructor(
    readonly layout: ParameterLayout,
    readonly params: Float32Array,
    private readonly gradientSession: ort.InferenceSession,
    private readonly logpSession: ort.InferenceSession,
  ) {
    this.gradient = new Float32Array(layout.size);
    this.paramFeeds = slotTensors(layout, params, (slot) => slot.name);
    this.gradientFetches = slotTensors(layout, this.gradient, gradientName);
  }

  /** Sessions for `model`'s architecture, starting from its weights. */
  static async create(model: FlowModel): Promise<FlowTrainingSessions> {
    const layout = parameterLayout(model);
    const gradientSession = await ort.InferenceSession.create(buildTrainingGraph(model, { gradients: true }), SESSION_OPTIONS);
    const logpSession = await ort.InferenceSession.create(buildTrainingGraph(model, { gradients: false }), SESSION_OPTIONS);
    return new FlowTrainingSessions(layout, packParameters(model, layout), gradientSession, logpSession);
  }

  /**
   * log p_U of a batch (`batch.u`, columns in trainingColumnOrder) into `batch.logp`, and the
   * gradient of the batch's summed NLL into `gradient`. Returns that summed NLL.
   */
  async gradientRun(batch: { u: ort.Tensor; logp: ort.Tensor }): Promise<number> {
    await this.gradientSession.run({ [TRAIN_GRAPH_NAMES.u]: batch.u, ...this.paramFeeds }, { [TRAIN_GRAPH_NAMES.logp]: batch.logp, ...this.gradientFetches });
    return -sum(batch.logp.data as Float32Array);
  }

  /** log p_U of a batch into `batch.logp`; returns the summed NLL. */
  async logpRun(batch: { u: ort.Tensor; logp: ort.Tensor }): Promise<number> {
    await this.logpSession.run({ [TRAIN_GRAPH_NAMES.u]: batch.u, ...this.paramFeeds }, { [TRAIN_GRAPH_NAMES.logp]: batch.logp });
    return -sum(batch.logp.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.gradientSession.release();
    await this.logpSession.release();
  }
}

export async function createOnnxTrainingEngine({ initial, data, adam }: TrainingEngineInput): Promise<TrainingEngine> {
  const dim = initial.dim;
  const columns = trainingColumnOrder(initial);
  const train = reorderColumns(data.train, dim, columns);
  const validation = reorderColumns(data.validation, dim, columns);
  const sessions = await FlowTrainingSessions.create(initial);
  const { params, gradient, layout } = sessions;
  const best = params.slice();
  const optimizer = new FlatAdam(layout.size, adam);
  let batches: BatchBuffers | null = null;
  const validationBuffers = new BatchBuffers(Math.min(VALIDATION_BATCH, data.rows.validation), dim);

  return {
    backend: 'onnxruntime-cpu',
    async epoch(order, batchSize, nextRate) {
      if (batches === null || batches.capacity !== batchSize) batches = new BatchBuffers(batchSize, dim);
      const { rows } = batches;
      let nll = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        const count = Math.min(batchSize, order.length - start);
        for (let k = 0; k < count; k++) {
          const row = at(order, start + k, 'row order');
          rows.set(train.subarray(row * dim, (row + 1) * dim), k * dim);
        }
        nll += await sessions.gradientRun(batches.tensors(count));
        optimizer.step(params, gradient, 1 / count, nextRate());
      }
      return nll;
    },
    async validationNll() {
      const n = data.rows.validation;
      let nll = 0;
      for (let start = 0; start < n; start += validationBuffers.capacity) {
        const count = Math.min(validationBuffers.capacity, n - start);
        validationBuffers.rows.set(validation.subarray(start * dim, (start + count) * dim));
        nll += await sessions.logpRun(validationBuffers.tensors(count));
      }
      return nll / n;
    },
    keepBest: () => best.set(params),
    restoreBest: () => params.set(best),
    model: (): FlowModel => unpackParameters(initial, layout, params),
    dispose: () => sessions.release(),
  };
}
