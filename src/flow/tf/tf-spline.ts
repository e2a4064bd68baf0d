/**
 * Rational-quadratic spline with identity tails (docs/algorithms.md#flow-model) as batched tfjs maths, the same
 * construction as the float64 reference in src/core/flow/rq-spline.ts: softmax widths and heights
 * with a 1e-3 floor per bin, end knots exactly ±B, interior derivatives 1e-3 + softplus, boundary
 * derivatives exactly 1. The bin is chosen by counting knots ≤ x (clipped to [0, K−1]) and its
 * quantities are picked with one-hot masks, so the gradient only flows through the bin formula.
 */
import * as tf from '@tensorflow/tfjs';
import { MIN_BIN_HEIGHT, MIN_BIN_WIDTH, MIN_DERIVATIVE } from '../../core/flow/rq-spline.js';

/** Knot positions [n, m, K+1] from logits [n, m, K]: −B, −B + 2B·Σ_{i<k} ŵ_i, …, B. */
function knots(logits: tf.Tensor3D, minimum: number, bound: number): tf.Tensor3D {
  const [n, m, bins] = logits.shape;
  const widths = tf.add(minimum, tf.mul(1 - bins * minimum, tf.softmax(logits)));
  const cumulative = tf.slice(tf.cumsum(widths, 2), [0, 0, 0], [n, m, bins - 1]);
  const interior = tf.sub(tf.mul(cumulative, 2 * bound), bound);
  return tf.concat([tf.fill([n, m, 1], -bound), interior, tf.fill([n, m, 1], bound)], 2) as tf.Tensor3D;
}

/** Σ over the last axis of t·mask: the entry the one-hot mask selects. */
const pick = (t: tf.Tensor, mask: tf.Tensor) => tf.sum(tf.mul(t, mask), -1);

/**
 * y = g(x) and log g'(x) element-wise. x: [n, m]; theta: [n, m·(3K−1)], dimension-major
 * (K width logits, K height logits, K−1 derivative pre-activations per dimension).
 */
export function rqSplineForward(x: tf.Tensor2D, theta: tf.Tensor2D, bins: number, bound: number): { y: tf.Tensor2D; logDeriv: tf.Tensor2D } {
  const [n, m] = x.shape;
  const params = tf.reshape(theta, [n, m, 3 * bins - 1]) as tf.Tensor3D;
  const xKnots = knots(tf.slice(params, [0, 0, 0], [n, m, bins]), MIN_BIN_WIDTH, bound);
  const yKnots = knots(tf.slice(params, [0, 0, bins], [n, m, bins]), MIN_BIN_HEIGHT, bound);
  const ones = tf.ones([n, m, 1]);
  const interiorD = tf.add(MIN_DERIVATIVE, tf.softplus(tf.slice(params, [0, 0, 2 * bins], [n, m, bins - 1])));
  const derivs = tf.concat([ones, interiorD, ones], 2);

  const clipped = tf.clipByValue(x, -bound, bound);
  const xExpanded = tf.expandDims(clipped, 2);
  const count = tf.sum(tf.cast(tf.greaterEqual(xExpanded, xKnots), 'int32'), 2);
  const bin = tf.cast(tf.clipByValue(tf.sub(count, 1), 0, bins - 1), 'int32') as tf.Tensor2D;
  const at = tf.oneHot(bin, bins + 1);
  const next = tf.oneHot(tf.add(bin, tf.scalar(1, 'int32')) as tf.Tensor2D, bins + 1);

  const xk = pick(xKnots, at);
  const w = tf.sub(pick(xKnots, next), xk);
  const yk = pick(yKnots, at);
  const h = tf.sub(pick(yKnots, next), yk);
  const dk = pick(derivs, at);
  const dk1 = pick(derivs, next);

  const s = tf.div(h, w);
  const xi = tf.div(tf.sub(clipped, xk), w);
  const oneMinusXi = tf.sub(1, xi);
  const q = tf.mul(xi, oneMinusXi);
  const xi2 = tf.square(xi);
  const den = tf.add(s, tf.mul(tf.sub(tf.add(dk1, dk), tf.mul(2, s)), q));
  const numerator = tf.add(tf.mul(s, xi2), tf.mul(dk, q));
  const y = tf.add(yk, tf.div(tf.mul(h, numerator), den));
  const slope = tf.add(tf.add(tf.mul(dk1, xi2), tf.mul(tf.mul(2, s), q)), tf.mul(dk, tf.square(oneMinusXi)));
  const logDeriv = tf.sub(tf.add(tf.mul(2, tf.log(s)), tf.log(slope)), tf.mul(2, tf.log(den)));

  // |x| ≤ B, written with GreaterEqual: the only comparison tfjs can differentiate through (to zero).
  const inside = tf.greaterEqual(bound, tf.abs(x));
  return {
    y: tf.where(inside, y, x) as tf.Tensor2D,
    logDeriv: tf.where(inside, logDeriv, tf.zerosLike(x)) as tf.Tensor2D,
  };
}
