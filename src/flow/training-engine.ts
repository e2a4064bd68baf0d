/**
 * What the flow's training loop (train-flow.ts) needs from a backend: Adam steps over batches of
 * standardised rows, the validation NLL, and the best weights kept aside. Two implementations:
 * tfjs (tf/tf-trainer.ts, the reference, every architecture) and ONNX Runtime
 * (onnx/onnx-trainer.ts, affine couplings, several times faster on one core).
 */
import type { AdamOptions } from '../core/flow/adam.js';
import type { FlowModel } from '../core/flow/flow-spec.js';

export type FlowTrainerName = 'onnx' | 'tfjs';

/** The standardised splits (prepareTrainingData): row-major [rows, model.dim], float32. */
export interface TrainingRows {
  train: Float32Array;
  validation: Float32Array;
  rows: { train: number; validation: number };
}

export interface TrainingEngine {
  /** The runtime that computes, for logs and the bundle (e.g. 'wasm', 'onnxruntime-cpu'). */
  readonly backend: string;
  /**
   * One epoch: an Adam step per batch of `batchSize` training rows taken in `order` (the last batch
   * may be smaller), each on the mean u-space NLL of its batch at the learning rate `nextRate()`.
   * Returns the sum over the epoch's rows of their u-space NLL, each taken before its batch's step.
   */
  epoch(order: Int32Array, batchSize: number, nextRate: () => number): Promise<number>;
  /** Mean u-space NLL of the validation rows under the current weights. */
  validationNll(): Promise<number>;
  /** Keeps a copy of the current weights (replacing the one kept before). */
  keepBest(): void;
  /** Sets the weights back to the copy kept last. */
  restoreBest(): void;
  /** The current weights as a plain model. */
  model(): FlowModel;
  dispose(): Promise<void>;
}

export interface TrainingEngineInput {
  /** The initial flow (initFlow); its weights are copied, never modified. */
  initial: FlowModel;
  data: TrainingRows;
  adam: AdamOptions;
}
