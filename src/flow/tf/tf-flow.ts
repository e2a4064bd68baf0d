/**
 * A `FlowModel` (src/core/flow/flow-spec.ts) as tfjs variables: batched log-density and score in
 * float32, the maths of the float64 reference (src/core/flow/flow-math.ts). Direction: data to
 * noise, z = f(u) with u = (x − mean)/scale, and
 *   log p_X(x) = log p_Z(f(u)) + Σ_layers log|det| − Σ_j log scale_j.
 * Only the conditioner weights are variables; standardization, masks and base are constants.
 */
import * as tf from '@tensorflow/tfjs';
import type { CouplingLayer, DenseLayer, FlowModel } from '../../core/flow/flow-spec.js';
import { at } from '../../core/indexing.js';
import { baseLogDensity, columnPermutation, disposeClosure, mlp, tanh, type DenseVariables } from './tf-ops.js';
import { rqSplineForward } from './tf-spline.js';

interface LayerVariables {
  hidden: DenseVariables[];
  output: DenseVariables;
  /** Reorders the previous layer's output columns into [identity, transformed]; null: already so. */
  arrange: ((x: tf.Tensor2D) => tf.Tensor2D) | null;
}

/**
 * Gather taking columns ordered as `current` (original indices) to the order `wanted`; null when
 * they agree. Consecutive couplings share one gather this way instead of a split and a merge each.
 */
function reorder(current: readonly number[], wanted: readonly number[]): ((x: tf.Tensor2D) => tf.Tensor2D) | null {
  const positions = wanted.map((j) => current.indexOf(j));
  return positions.every((p, i) => p === i) ? null : columnPermutation(positions);
}

function denseVariables(layer: DenseLayer): DenseVariables {
  if (layer.weights.length !== layer.inputs * layer.outputs || layer.bias.length !== layer.outputs) {
    throw new RangeError(`dense layer ${layer.inputs}×${layer.outputs}: ${layer.weights.length} weights, ${layer.bias.length} biases`);
  }
  return tf.tidy(() => ({
    weights: tf.variable(tf.tensor2d(layer.weights, [layer.inputs, layer.outputs], 'float32')),
    bias: tf.variable(tf.tensor1d(layer.bias, 'float32')),
  }));
}

const float32 = (t: tf.Tensor): number[] => Array.from(t.dataSync());

export class TfFlow {
  readonly dim: number;
  private readonly layers: LayerVariables[];
  private readonly base: (z: tf.Tensor2D) => tf.Tensor1D;
  private readonly mean: tf.Tensor1D;
  private readonly inverseScale: tf.Tensor1D;
  private readonly logScaleSum: number;
  private readonly model: FlowModel;
  /** Back to the original column order after the last coupling; null: already so. */
  private readonly finalOrder: ((x: tf.Tensor2D) => tf.Tensor2D) | null;

  /** Copies `model`'s weights into fresh variables (the model itself is never modified). */
  constructor(model: FlowModel) {
    this.model = structuredClone(model);
    const { dim, standardization } = model;
    if (standardization.features.length !== dim || standardization.mean.length !== dim || standardization.scale.length !== dim) {
      throw new RangeError(`flow: dim ${dim} but standardization has ${standardization.features.length} features`);
    }
    this.dim = dim;
    this.mean = tf.keep(tf.tensor1d(standardization.mean, 'float32'));
    this.inverseScale = tf.keep(tf.tensor1d(standardization.scale.map((s) => 1 / s), 'float32'));
    this.logScaleSum = standardization.scale.reduce((sum, s) => sum + Math.log(s), 0);
    this.base = baseLogDensity(model.base, dim);
    const natural = Array.from({ length: dim }, (_, j) => j);
    let order = natural;
    this.layers = model.layers.map((layer) => {
      const wanted = [...layer.identity, ...layer.transformed];
      if (wanted.length !== dim || [...wanted].sort((a, b) => a - b).some((j, i) => j !== i)) {
        throw new RangeError(`coupling: identity and transformed must partition 0..${dim - 1}, got [${layer.identity}] / [${layer.transformed}]`);
      }
      const arrange = reorder(order, wanted);
      order = wanted;
      return { hidden: layer.conditioner.hidden.map(denseVariables), output: denseVariables(layer.conditioner.output), arrange };
    });
    this.finalOrder = reorder(order, natural);
  }

  /** Every trainable variable, in a fixed order (layer by layer: hidden W, b …, output W, b). */
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [...l.hidden.flatMap((d) => [d.weights, d.bias]), l.output.weights, l.output.bias]);
  }

  /** log p_U(u) per row for standardised inputs u: [n, dim]. */
  logProbStandardized(u: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      let z = u;
      let logDet: tf.Tensor1D = tf.zeros([u.shape[0]]);
      this.model.layers.forEach((spec, l) => {
        const out = this.coupling(spec, at(this.layers, l, 'layer variables'), z);
        z = out.z;
        logDet = tf.add(logDet, out.logDet);
      });
      return tf.add(this.base(this.finalOrder ? this.finalOrder(z) : z), logDet) as tf.Tensor1D;
    });
  }

  private coupling(spec: CouplingLayer, vars: LayerVariables, u: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    const n = u.shape[0];
    const a = spec.identity.length;
    const b = spec.transformed.length;
    const parted = vars.arrange ? vars.arrange(u) : u;
    const uA = tf.slice(parted, [0, 0], [n, a]);
    const uB = tf.slice(parted, [0, a], [n, b]);
    const params = mlp(uA, vars.hidden, vars.output, this.model.activation);
    let zB: tf.Tensor2D;
    let logDet: tf.Tensor1D;
    if (spec.kind === 'affine') {
      const raw = tf.slice(params, [0, 0], [n, b]);
      const shift = tf.slice(params, [0, b], [n, b]);
      const s = tf.mul(tanh(tf.div(raw, spec.scaleBound)), spec.scaleBound);
      zB = tf.add(tf.mul(uB, tf.exp(s)), shift);
      logDet = tf.sum(s, 1);
    } else {
      const { y, logDeriv } = rqSplineForward(uB, params, spec.bins, spec.tailBound);
      zB = y;
      logDet = tf.sum(logDeriv, 1);
    }
    // Left in the order [identity, transformed]; the next layer (or the end) reorders.
    return { z: tf.concat([uA, zB], 1), logDet };
  }

  /** u = (x − mean)/scale on the device (float32). */
  standardize(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.sub(x, this.mean), this.inverseScale));
  }

  /** log p_X(x) per row, x: [n, dim] in original units. */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sub(this.logProbStandardized(this.standardize(x)), this.logScaleSum));
  }

  /** ∇_x log p_X(x) per row (reverse-mode autodiff through the whole flow; rows are independent). */
  score(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(this.logProb(input as tf.Tensor2D)))(x) as tf.Tensor2D);
  }

  /** ∇_u log p_U(u) per row, for standardised inputs. */
  scoreStandardized(u: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(this.logProbStandardized(input as tf.Tensor2D)))(u) as tf.Tensor2D);
  }

  /** Copies of the current variable values (kept; release with tf.dispose). */
  snapshot(): tf.Tensor[] {
    return this.variables.map((v) => tf.keep(v.clone()));
  }

  /** Assigns values taken by `snapshot`. */
  restore(values: readonly tf.Tensor[]): void {
    const vars = this.variables;
    if (values.length !== vars.length) throw new RangeError(`restore: ${values.length} tensors for ${vars.length} variables`);
    vars.forEach((v, i) => v.assign(at(values, i, 'restored tensors')));
  }

  /** The model with the current variable values as plain (float32-representable) numbers. */
  toModel(): FlowModel {
    const dense = (spec: DenseLayer, vars: DenseVariables): DenseLayer => ({ ...spec, weights: float32(vars.weights), bias: float32(vars.bias) });
    return {
      ...this.model,
      layers: this.model.layers.map((spec, l) => {
        const vars = at(this.layers, l, 'layer variables');
        return {
          ...spec,
          conditioner: {
            hidden: spec.conditioner.hidden.map((h, k) => dense(h, at(vars.hidden, k, 'hidden layer variables'))),
            output: dense(spec.conditioner.output, vars.output),
          },
        };
      }),
    };
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
    this.layers.forEach((l) => disposeClosure(l.arrange));
    disposeClosure(this.finalOrder);
    disposeClosure(this.base);
    this.mean.dispose();
    this.inverseScale.dispose();
  }
}
