/**
 * Adam with global gradient-norm clipping and a learning rate chosen per step (for the cosine
 * schedule), on tfjs variables: the maths of src/core/flow/adam.ts. Written out instead of
 * tf.train.adam because tfjs optimizers neither clip by global norm nor expose a settable learning rate.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ADAM, type AdamOptions } from '../../core/flow/adam.js';
import { at } from '../../core/indexing.js';

/**
 * Adam state per variable. (One flattened vector would need fewer kernels, but slicing it back
 * into variables is slow on tfjs-wasm, whose Slice copies its whole input.)
 */
export class ClippedAdam {
  private readonly first: tf.Variable[];
  private readonly second: tf.Variable[];
  private steps = 0;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly options: AdamOptions = DEFAULT_ADAM,
  ) {
    this.first = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.second = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * One update of every variable towards a lower `loss()`; returns the loss before the update
   * (the caller disposes it). `learningRate` applies to this step only.
   */
  step(loss: () => tf.Scalar, learningRate: number): tf.Scalar {
    this.steps += 1;
    const { beta1, beta2, epsilon, clipNorm } = this.options;
    const { value, grads } = tf.variableGrads(loss, this.variables);
    tf.tidy(() => {
      const gradients = this.variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
      // Clipping factor f = clip / max(‖g‖, clip), folded into the moment updates:
      // m ← β1·m + (1−β1)·f·g and v ← β2·v + (1−β2)·f²·g².
      const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
      const factor = Number.isFinite(clipNorm) ? tf.div(clipNorm, tf.maximum(norm, clipNorm)) : tf.scalar(1);
      const c1 = tf.mul(factor, 1 - beta1);
      const c2 = tf.mul(tf.square(factor), 1 - beta2);
      const correctedRate = (learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
      this.variables.forEach((v, i) => {
        const g = at(gradients, i, 'gradients');
        const first = at(this.first, i, 'Adam first moments');
        const second = at(this.second, i, 'Adam second moments');
        const m = tf.add(tf.mul(first, beta1), tf.mul(g, c1));
        const s = tf.add(tf.mul(second, beta2), tf.mul(tf.square(g), c2));
        first.assign(m);
        second.assign(s);
        v.assign(tf.sub(v, tf.mul(tf.div(m, tf.add(tf.sqrt(s), epsilon)), correctedRate)));
      });
    });
    tf.dispose(grads);
    return value;
  }

  dispose(): void {
    tf.dispose([...this.first, ...this.second]);
  }
}
