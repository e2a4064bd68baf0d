/**
 * Monotone rational-quadratic spline with identity tails (docs/algorithms.md#flow-model), in float64.
 *
 * A spline has K bins on [−B, B]. It is built from 3K − 1 unconstrained parameters
 *   θ = (θ^w_1..K, θ^h_1..K, θ^d_1..K−1)
 * read from `theta[offset …]`: width and height logits go through a softmax with a floor of 1e-3
 * per bin, the interior knot derivatives are 1e-3 + softplus(θ^d), and the two boundary
 * derivatives are exactly 1, so the map is C¹ where it joins the identity tails outside ±B.
 *
 * Besides the map and its inverse this module gives the derivatives the analytic score needs:
 * dy/dx, d(log dy/dx)/dx, and the exact gradients of y and log dy/dx with respect to θ (a
 * hand-written reverse pass through the bin formula and the knot construction).
 */

import { outOfRange } from '../indexing.js';

// Module-level aliases of the few globals used on the hot path. Under Jest (vm contexts) every
// global lookup such as `Math.exp` or `new Float64Array` costs about a microsecond, which made
// this per-row oracle ~10× slower in tests; local bindings avoid that and are harmless elsewhere.
const { abs, exp, log, log1p, max, min, sqrt } = Math;
const { isFinite, isInteger } = Number;
const Vector = Float64Array;

export const MIN_BIN_WIDTH = 1e-3;
export const MIN_BIN_HEIGHT = 1e-3;
export const MIN_DERIVATIVE = 1e-3;

/** The knots of one spline: abscissae `x`, ordinates `y` and derivatives `d`, each of length K + 1. */
export interface SplineKnots {
  bins: number;
  tailBound: number;
  x: Float64Array;
  y: Float64Array;
  d: Float64Array;
}

/** Number of unconstrained parameters of a spline with `bins` bins (linear tails). */
export function splineParameterCount(bins: number): number {
  return 3 * bins - 1;
}

/** log(1 + e^v) without overflow. */
export function softplus(v: number): number {
  return max(v, 0) + log1p(exp(-abs(v)));
}

/** 1 / (1 + e^−v), the derivative of softplus, without overflow. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + exp(-v));
  const e = exp(v);
  return e / (1 + e);
}

// Checked reads for this hot path (see indexing.ts for why not `at`).
const param = (theta: ArrayLike<number>, i: number): number => theta[i] ?? outOfRange('spline parameters', i, theta);
const knot = (values: Float64Array, k: number): number => values[k] ?? outOfRange('spline knots', k, values);

/** Softmax of `theta[offset … offset+n)` (max-subtracted). */
function softmax(theta: ArrayLike<number>, offset: number, n: number): Float64Array {
  let largest = -Infinity;
  for (let i = 0; i < n; i++) largest = max(largest, param(theta, offset + i));
  const p = new Vector(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = exp(param(theta, offset + i) - largest);
    p[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) p[i] = knot(p, i) / sum;
  return p;
}

/**
 * Knot positions from softmax probabilities: x⁽⁰⁾ = −B, x⁽ᵏ⁾ = −B + 2B·Σ_{i<k} ŵ_i with
 * ŵ = m + (1 − K·m)·p, and x⁽ᴷ⁾ = B exactly.
 */
function knotPositions(p: Float64Array, minimum: number, bound: number): Float64Array {
  const bins = p.length;
  const knots = new Vector(bins + 1);
  knots[0] = -bound;
  let cumulative = 0;
  for (let k = 1; k < bins; k++) {
    cumulative += minimum + (1 - bins * minimum) * knot(p, k - 1);
    knots[k] = -bound + 2 * bound * cumulative;
  }
  knots[bins] = bound;
  return knots;
}

function checkSplineShape(bins: number, tailBound: number): void {
  if (!isInteger(bins) || bins < 1 || bins * MIN_BIN_WIDTH >= 1) throw new RangeError(`spline: bins must be an integer in [1, 999], got ${bins}`);
  if (!(tailBound > 0) || !isFinite(tailBound)) throw new RangeError(`spline: tailBound must be finite and > 0, got ${tailBound}`);
}

/** The knots of the spline whose 3K − 1 parameters start at `theta[offset]`. */
export function splineKnots(theta: ArrayLike<number>, offset: number, bins: number, tailBound: number): SplineKnots {
  checkSplineShape(bins, tailBound);
  if (offset < 0 || offset + splineParameterCount(bins) > theta.length) {
    throw new RangeError(`spline: parameters ${offset}..${offset + splineParameterCount(bins)} out of range (length ${theta.length})`);
  }
  const x = knotPositions(softmax(theta, offset, bins), MIN_BIN_WIDTH, tailBound);
  const y = knotPositions(softmax(theta, offset + bins, bins), MIN_BIN_HEIGHT, tailBound);
  const d = new Vector(bins + 1);
  d[0] = 1;
  d[bins] = 1;
  for (let k = 1; k < bins; k++) d[k] = MIN_DERIVATIVE + softplus(param(theta, offset + 2 * bins + k - 1));
  return { bins, tailBound, x, y, d };
}

/** Count the knots ≤ v, minus 1, clipped to [0, K − 1]. */
function findBin(knots: Float64Array, v: number): number {
  const bins = knots.length - 1;
  let count = 0;
  for (let k = 0; k <= bins; k++) if (knot(knots, k) <= v) count++;
  return min(max(count - 1, 0), bins - 1);
}

const inside = (v: number, bound: number) => v >= -bound && v <= bound;

/** The quantities of the bin formula for input x in bin k. */
interface BinState {
  k: number;
  w: number;
  h: number;
  s: number;
  xi: number;
  q: number; // ξ(1 − ξ)
  den: number;
  p: number; // s ξ² + δ_k ξ(1 − ξ)
  n: number; // δ_{k+1} ξ² + 2 s ξ(1 − ξ) + δ_k (1 − ξ)²
  y: number;
  logDeriv: number;
}

/** The two knots that bound bin k: abscissae, ordinates and derivatives. */
function binKnots(knots: SplineKnots, k: number): { xk: number; xk1: number; yk: number; yk1: number; dk: number; dk1: number } {
  return {
    xk: knot(knots.x, k),
    xk1: knot(knots.x, k + 1),
    yk: knot(knots.y, k),
    yk1: knot(knots.y, k + 1),
    dk: knot(knots.d, k),
    dk1: knot(knots.d, k + 1),
  };
}

function binState(x: number, knots: SplineKnots, k: number): BinState {
  const { xk, xk1, yk, yk1, dk, dk1 } = binKnots(knots, k);
  const w = xk1 - xk;
  const h = yk1 - yk;
  const s = h / w;
  const xi = (x - xk) / w;
  const q = xi * (1 - xi);
  const den = s + (dk1 + dk - 2 * s) * q;
  const p = s * xi * xi + dk * q;
  const n = dk1 * xi * xi + 2 * s * q + dk * (1 - xi) * (1 - xi);
  return { k, w, h, s, xi, q, den, p, n, y: yk + (h * p) / den, logDeriv: 2 * log(s) + log(n) - 2 * log(den) };
}

/** y = g(x) and log g'(x). Identity (log-derivative 0) outside [−B, B]. */
export function rqForward(x: number, knots: SplineKnots): { y: number; logDeriv: number } {
  if (!inside(x, knots.tailBound)) return { y: x, logDeriv: 0 };
  const state = binState(x, knots, findBin(knots.x, x));
  return { y: state.y, logDeriv: state.logDeriv };
}

/**
 * x = g⁻¹(y) and its log-derivative log dx/dy = −log g'(x). Identity outside [−B, B]. Uses the
 * cancellation-free root ξ = 2c / (−b − √(b² − 4ac)) with the discriminant clamped at 0.
 */
export function rqInverse(y: number, knots: SplineKnots): { x: number; logDeriv: number } {
  if (!inside(y, knots.tailBound)) return { x: y, logDeriv: 0 };
  const { xk, xk1, yk, yk1, dk, dk1 } = binKnots(knots, findBin(knots.y, y));
  const w = xk1 - xk;
  const h = yk1 - yk;
  const s = h / w;
  const r = y - yk;
  const c1 = dk1 + dk - 2 * s;
  const a = h * (s - dk) + r * c1;
  const b = h * dk - r * c1;
  const c = -s * r;
  const discriminant = max(b * b - 4 * a * c, 0);
  const xi = (2 * c) / (-b - sqrt(discriminant));
  const x = xk + xi * w;
  // log g'(x) from ξ directly (the same expression as the forward pass).
  const q = xi * (1 - xi);
  const den = s + c1 * q;
  const n = dk1 * xi * xi + 2 * s * q + dk * (1 - xi) * (1 - xi);
  return { x, logDeriv: -(2 * log(s) + log(n) - 2 * log(den)) };
}

/** Partial derivatives with respect to the bin's seven inputs. */
interface BinPartials {
  x: number;
  xk: number;
  xk1: number;
  yk: number;
  yk1: number;
  dk: number;
  dk1: number;
}

/**
 * Reverse pass through the bin formula: the gradient of ȳ·y + ℓ̄·log g' with respect to
 * (x, x⁽ᵏ⁾, x⁽ᵏ⁺¹⁾, y⁽ᵏ⁾, y⁽ᵏ⁺¹⁾, δ⁽ᵏ⁾, δ⁽ᵏ⁺¹⁾).
 */
function binBackward(st: BinState, knots: SplineKnots, yBar: number, logBar: number): BinPartials {
  const { k, w, h, s, xi, q, den, p, n } = st;
  const dk = knot(knots.d, k);
  const dk1 = knot(knots.d, k + 1);
  // y = y_k + h·p/den ;  L = 2 log s + log n − 2 log den
  let ykBar = yBar;
  let hBar = (yBar * p) / den;
  const pBar = (yBar * h) / den;
  const denBar = (-yBar * h * p) / (den * den) - (2 * logBar) / den;
  let sBar = (2 * logBar) / s;
  const nBar = logBar / n;
  let qBar = 0;
  let xiBar = 0;
  let dkBar = 0;
  let dk1Bar = 0;
  // n = δ_{k+1} ξ² + 2 s q + δ_k (1 − ξ)²
  dk1Bar += nBar * xi * xi;
  sBar += nBar * 2 * q;
  qBar += nBar * 2 * s;
  dkBar += nBar * (1 - xi) * (1 - xi);
  xiBar += nBar * (2 * dk1 * xi - 2 * dk * (1 - xi));
  // p = s ξ² + δ_k q
  sBar += pBar * xi * xi;
  xiBar += pBar * 2 * s * xi;
  dkBar += pBar * q;
  qBar += pBar * dk;
  // den = s + (δ_{k+1} + δ_k − 2s) q
  sBar += denBar * (1 - 2 * q);
  dk1Bar += denBar * q;
  dkBar += denBar * q;
  qBar += denBar * (dk1 + dk - 2 * s);
  // q = ξ(1 − ξ)
  xiBar += qBar * (1 - 2 * xi);
  // ξ = (x − x_k)/w ;  s = h/w ;  w = x_{k+1} − x_k ;  h = y_{k+1} − y_k
  const xBar = xiBar / w;
  let xkBar = -xiBar / w;
  let wBar = (-xiBar * xi) / w;
  hBar += sBar / w;
  wBar += (-sBar * s) / w;
  ykBar -= hBar;
  const yk1Bar = hBar;
  xkBar -= wBar;
  const xk1Bar = wBar;
  return { x: xBar, xk: xkBar, xk1: xk1Bar, yk: ykBar, yk1: yk1Bar, dk: dkBar, dk1: dk1Bar };
}

/**
 * Adds to `gradTheta[offset + …]` the gradient with respect to the logits of knots built by
 * `knotPositions`, given the gradient `kBar` of interior knot k (1 ≤ k ≤ K − 1) and `k1Bar` of
 * knot k + 1. Knot i depends on θ_m through 2B(1 − K·m)·p_m·(1[m < i] − P_i), P_i = Σ_{j<i} p_j.
 */
function knotsBackward(p: Float64Array, minimum: number, bound: number, bars: [number, number][], gradTheta: Float64Array, offset: number): void {
  const bins = p.length;
  const factor = 2 * bound * (1 - bins * minimum);
  for (const [i, bar] of bars) {
    if (i <= 0 || i >= bins || bar === 0) continue; // the end knots are constants
    let below = 0;
    for (let j = 0; j < i; j++) below += knot(p, j);
    for (let m = 0; m < bins; m++) gradTheta[offset + m] = knot(gradTheta, offset + m) + bar * factor * knot(p, m) * ((m < i ? 1 : 0) - below);
  }
}

/** g(x), log g'(x) and their derivatives with respect to x and to the 3K − 1 parameters θ. */
export interface SplineDerivatives {
  y: number;
  logDeriv: number;
  /** dy/dx = g'(x) = exp(logDeriv). */
  dydx: number;
  /** d(log g'(x))/dx. */
  dLogDerivDx: number;
  /** ∂y/∂θ, length 3K − 1 (zero in the tails). */
  dyDtheta: Float64Array;
  /** ∂(log g'(x))/∂θ, length 3K − 1 (zero in the tails). */
  dLogDerivDtheta: Float64Array;
}

function thetaGradient(theta: ArrayLike<number>, offset: number, knots: SplineKnots, k: number, partials: BinPartials): Float64Array {
  const bins = knots.bins;
  const grad = new Vector(splineParameterCount(bins));
  knotsBackward(softmax(theta, offset, bins), MIN_BIN_WIDTH, knots.tailBound, [[k, partials.xk], [k + 1, partials.xk1]], grad, 0);
  knotsBackward(softmax(theta, offset + bins, bins), MIN_BIN_HEIGHT, knots.tailBound, [[k, partials.yk], [k + 1, partials.yk1]], grad, bins);
  // δ⁽ʲ⁾ = m_d + softplus(θ^d_j) for interior j; δ⁽⁰⁾ and δ⁽ᴷ⁾ are constants.
  if (k >= 1) grad[2 * bins + k - 1] = knot(grad, 2 * bins + k - 1) + partials.dk * sigmoid(param(theta, offset + 2 * bins + k - 1));
  if (k + 1 <= bins - 1) grad[2 * bins + k] = knot(grad, 2 * bins + k) + partials.dk1 * sigmoid(param(theta, offset + 2 * bins + k));
  return grad;
}

/**
 * The spline with parameters `theta[offset …]` at x, with every derivative the analytic score needs.
 * Exact (two reverse passes), not finite differences.
 */
export function rqDerivatives(x: number, theta: ArrayLike<number>, offset: number, bins: number, tailBound: number): SplineDerivatives {
  const knots = splineKnots(theta, offset, bins, tailBound);
  const count = splineParameterCount(bins);
  if (!inside(x, tailBound)) {
    return { y: x, logDeriv: 0, dydx: 1, dLogDerivDx: 0, dyDtheta: new Vector(count), dLogDerivDtheta: new Vector(count) };
  }
  const state = binState(x, knots, findBin(knots.x, x));
  const ofY = binBackward(state, knots, 1, 0);
  const ofLog = binBackward(state, knots, 0, 1);
  return {
    y: state.y,
    logDeriv: state.logDeriv,
    dydx: ofY.x,
    dLogDerivDx: ofLog.x,
    dyDtheta: thetaGradient(theta, offset, knots, state.k, ofY),
    dLogDerivDtheta: thetaGradient(theta, offset, knots, state.k, ofLog),
  };
}
