/**
 * Adam with global gradient-norm clipping and a learning rate chosen per step (docs/algorithms.md#flow-training), the
 * schedule they share, and a plain-array implementation for trainers that compute gradients
 * outside tfjs. The tfjs trainer (src/flow/tf/adam.ts) runs the same maths on tensors.
 */

import { outOfRange } from '../indexing.js';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Rescale the gradient when its global L2 norm exceeds this (Infinity: no clipping). */
  clipNorm: number;
}

export const DEFAULT_ADAM: AdamOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 5 };

/** lr·½(1 + cos(π·step/total)): from lr at step 0 to 0 at step `total`. */
export function cosineLearningRate(lr: number, step: number, total: number): number {
  if (total <= 0) return lr;
  return 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(step / total, 1)));
}

/**
 * Adam over one flat float32 parameter vector. The moments are float64; the parameters stay
 * float32, as the flow stores them and as the tfjs trainer keeps them.
 */
export class FlatAdam {
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private steps = 0;

  constructor(
    readonly size: number,
    private readonly options: AdamOptions = DEFAULT_ADAM,
  ) {
    this.first = new Float64Array(size);
    this.second = new Float64Array(size);
  }

  /**
   * One update of `params` in place along the gradient `gradScale·gradient` (e.g. the gradient of a
   * batch's summed loss with gradScale = 1/batch size: the gradient of its mean). Clipping factor
   * f = clip / max(‖g‖, clip), folded into the moment updates: m ← β1·m + (1−β1)·f·g and
   * v ← β2·v + (1−β2)·f²·g². Returns the gradient's global norm before clipping.
   */
  step(params: Float32Array, gradient: Float32Array, gradScale: number, learningRate: number): number {
    const { size, first, second } = this;
    if (params.length !== size || gradient.length !== size) throw new RangeError(`Adam over ${size} parameters got ${params.length} parameters and ${gradient.length} gradients`);
    this.steps += 1;
    const { beta1, beta2, epsilon, clipNorm } = this.options;
    let squares = 0;
    for (let i = 0; i < size; i++) {
      const g = gradient[i] ?? outOfRange('Adam gradient', i, gradient);
      squares += g * g;
    }
    const norm = Math.abs(gradScale) * Math.sqrt(squares);
    const factor = gradScale * (Number.isFinite(clipNorm) ? clipNorm / Math.max(norm, clipNorm) : 1);
    const c1 = (1 - beta1) * factor;
    const c2 = (1 - beta2) * factor * factor;
    const rate = (learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
    // Plain loops over the float32 vectors: V8 does not inline a typed array's forEach callback.
    for (let i = 0; i < size; i++) {
      const g = gradient[i] ?? outOfRange('Adam gradient', i, gradient);
      const m = beta1 * (first[i] ?? outOfRange('Adam first moments', i, first)) + c1 * g;
      const v = beta2 * (second[i] ?? outOfRange('Adam second moments', i, second)) + c2 * g * g;
      first[i] = m;
      second[i] = v;
      params[i] = (params[i] ?? outOfRange('Adam parameters', i, params)) - (rate * m) / (Math.sqrt(v) + epsilon);
    }
    return norm;
  }
}
