/**
 * Building blocks of the tfjs flow: column permutations with a gradient every backend can run,
 * the conditioner MLP, and the base log-density. Every function is pure tensor maths, so callers
 * decide about tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { logGamma } from '../../core/stats/gamma.js';
import type { Activation, BaseDistribution } from '../../core/flow/flow-spec.js';

/** inverse[perm[i]] = i. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length).fill(-1);
  perm.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= perm.length || inverse[p] !== -1) throw new RangeError(`not a permutation of 0..${perm.length - 1}: [${perm.join(', ')}]`);
    inverse[p] = i;
  });
  return inverse;
}

/**
 * Column permutation y[:, i] = x[:, perm[i]] as `tf.gather` on axis 1. The gradient of a
 * permutation is the gather with the inverse permutation; declaring it with `tf.customGrad` avoids
 * tf.gather's own gradient, which needs an UnsortedSegmentSum kernel the WASM backend lacks.
 */
export function columnPermutation(perm: readonly number[]): (x: tf.Tensor2D) => tf.Tensor2D {
  const backward = tf.tensor1d(inversePermutation(perm), 'int32'); // also validates perm
  const forward = tf.tensor1d([...perm], 'int32');
  // The index tensors live as long as the flow (disposed with it through `keep`).
  tf.keep(forward);
  tf.keep(backward);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.gather(inputs[0] as tf.Tensor, forward, 1),
    gradFunc: (dy: tf.Tensor) => tf.gather(dy, backward, 1),
  }));
  const apply = (x: tf.Tensor2D) => op(x) as tf.Tensor2D;
  return Object.assign(apply, { dispose: () => (forward.dispose(), backward.dispose()) });
}

/**
 * tanh. On the WASM backend as 2·sigmoid(2x) − 1: its Tanh kernel is scalar code, several times
 * slower than its vectorised Sigmoid (absolute error of the rewrite ~1e-7, float32 round-off).
 */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (tf.getBackend() !== 'wasm') return tf.tanh(x);
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1)) as T;
}

export interface DenseVariables {
  weights: tf.Variable; // [inputs, outputs]
  bias: tf.Variable; // [outputs]
}

/**
 * y = x·W + b with a hand-written gradient that transposes explicitly: tfjs-wasm runs matMul with
 * a transpose flag (what the built-in gradient uses) on a slow path, ~10× slower than a transpose
 * followed by a plain matMul.
 */
const denseOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  (args[3] as tf.GradSaveFunc)([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
});

export function dense(x: tf.Tensor2D, layer: DenseVariables): tf.Tensor2D {
  return denseOp(x, layer.weights, layer.bias) as tf.Tensor2D;
}

/** `hidden` layers each followed by the activation, then the linear output layer. */
export function mlp(x: tf.Tensor2D, hidden: readonly DenseVariables[], output: DenseVariables, activation: Activation): tf.Tensor2D {
  let h = x;
  for (const layer of hidden) h = activation === 'relu' ? tf.relu(dense(h, layer)) : tanh(dense(h, layer));
  return dense(h, output);
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log p_Z(z) per row, z: [n, d]. Standard normal dimensions: −½z² − ½log 2π. Student-t dimensions
 * (fixed ν): lgamma((ν+1)/2) − lgamma(ν/2) − ½log(νπ) − ((ν+1)/2)·log1p(z²/ν), the constants
 * evaluated in float64 on the host.
 */
export function baseLogDensity(base: BaseDistribution, dim: number): (z: tf.Tensor2D) => tf.Tensor1D {
  const dof = base.kind === 'student-t' ? base.dof : new Array<number | null>(dim).fill(null);
  if (dof.length !== dim) throw new RangeError(`base: ${dof.length} degrees of freedom for ${dim} dimensions`);
  const heavy = dof.map((nu) => nu !== null);
  if (!heavy.some(Boolean)) return (z) => tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 1)), dim * HALF_LOG_2PI) as tf.Tensor1D;
  const constant = dof.reduce<number>(
    (sum, nu) => sum + (nu === null ? -HALF_LOG_2PI : logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI)),
    0,
  );
  for (const nu of dof) if (nu !== null && !(nu > 0 && Number.isFinite(nu))) throw new RangeError(`base: degrees of freedom must be finite and > 0, got ${nu}`);
  // Per dimension: normal → −½z²; Student-t → −((ν+1)/2)·log1p(z²/ν). Placeholders keep both finite.
  const normalMask = tf.keep(tf.tensor1d(heavy.map((h) => (h ? 0 : 1))));
  const tMask = tf.keep(tf.tensor1d(heavy.map((h) => (h ? 1 : 0))));
  const inverseNu = tf.keep(tf.tensor1d(dof.map((nu) => (nu === null ? 1 : 1 / nu))));
  const halfNuPlusOne = tf.keep(tf.tensor1d(dof.map((nu) => (nu === null ? 0 : (nu + 1) / 2))));
  const density = (z: tf.Tensor2D) => {
    const z2 = tf.square(z);
    const normal = tf.mul(tf.mul(z2, -0.5), normalMask);
    const t = tf.mul(tf.neg(tf.mul(tf.log1p(tf.mul(z2, inverseNu)), halfNuPlusOne)), tMask);
    return tf.add(tf.sum(tf.add(normal, t), 1), constant) as tf.Tensor1D;
  };
  return Object.assign(density, { dispose: () => [normalMask, tMask, inverseNu, halfNuPlusOne].forEach((t) => t.dispose()) });
}

/** Optional clean-up of constants held by the closures above. */
export function disposeClosure(f: unknown): void {
  const candidate = f as { dispose?: () => void } | null | undefined;
  if (typeof candidate?.dispose === 'function') candidate.dispose();
}
