/**
 * Float64 reference implementation of the coupling flow described by `FlowModel`, one row at a time.
 * It is the oracle the tfjs and ONNX scorers are tested against, so it is written for clarity:
 * every layer is a small explicit function, and the gradients are a hand-written reverse pass.
 *
 * Direction: z = f(u), u = (x − mean)/scale, and
 *   log p_X(x) = log p_Z(z) + log|det ∂f/∂u| − Σ_j log scale_j.
 */
import { at, outOfRange } from '../indexing.js';
import { baseLogProb, baseScore } from './base-density.js';
import type { Activation, AffineCoupling, Conditioner, CouplingLayer, DenseLayer, FlowModel, SplineCoupling } from './flow-spec.js';
import { rqDerivatives, rqForward, rqInverse, splineKnots, splineParameterCount } from './rq-spline.js';
import { logScaleSum, standardizeRow } from './standardize.js';

// Module-level aliases of the few globals used on the hot path. Under Jest (vm contexts) every
// global lookup such as `Math.exp` or `new Float64Array` costs about a microsecond, which made
// this per-row oracle ~10× slower in tests; local bindings avoid that and are harmless elsewhere.
const { exp, max, tanh } = Math;
const Vector = Float64Array;

// Reads in the loops below are checked as `v[i] ?? outOfRange(…)` (see indexing.ts): a bad shape
// fails naming the array. `checkFlowModel` has checked every shape when the model was loaded.
// Loops over typed arrays stay plain `for` loops: V8 does not inline Float64Array's map/forEach
// callbacks as it does Array's, and they made this oracle up to 2× slower.

/** `f(v[i])` for each element, into a new vector. */
function mapVector(v: Float64Array, f: (x: number, i: number) => number): Float64Array {
  const out = new Vector(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f(v[i] ?? outOfRange('vector', i, v), i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conditioner MLP

/** y = x·W + b. */
function dense(layer: DenseLayer, x: Float64Array): Float64Array {
  const { inputs, outputs, weights, bias } = layer;
  const y = new Vector(outputs);
  for (let o = 0; o < outputs; o++) y[o] = bias[o] ?? outOfRange('dense bias', o, bias);
  // Row by row (weights read in memory order): column by column measured 2× slower.
  for (let i = 0; i < inputs; i++) {
    const xi = x[i] ?? outOfRange('dense input', i, x);
    const row = i * outputs;
    for (let o = 0; o < outputs; o++) y[o] = (y[o] ?? outOfRange('dense output', o, y)) + xi * (weights[row + o] ?? outOfRange('dense weights', row + o, weights));
  }
  return y;
}

/** x̄ = ȳ·Wᵀ. */
function denseBackward(layer: DenseLayer, yBar: Float64Array): Float64Array {
  const { inputs, outputs, weights } = layer;
  const xBar = new Vector(inputs);
  for (let i = 0; i < inputs; i++) {
    const row = i * outputs;
    let sum = 0;
    for (let o = 0; o < outputs; o++) sum += (yBar[o] ?? outOfRange('dense output gradient', o, yBar)) * (weights[row + o] ?? outOfRange('dense weights', row + o, weights));
    xBar[i] = sum;
  }
  return xBar;
}

function activate(activation: Activation, v: number): number {
  return activation === 'tanh' ? tanh(v) : max(v, 0);
}

/** d act/d pre, written in terms of the activation's output `a` (tanh) or its input `pre` (relu). */
function activationSlope(activation: Activation, pre: number, a: number): number {
  return activation === 'tanh' ? 1 - a * a : pre > 0 ? 1 : 0;
}

interface ConditionerTrace {
  /** Pre-activations of each hidden layer. */
  pre: Float64Array[];
  /** Activations of each hidden layer. */
  post: Float64Array[];
  output: Float64Array;
}

function conditionerForward(conditioner: Conditioner, activation: Activation, input: Float64Array): ConditionerTrace {
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [];
  let h = input;
  for (const layer of conditioner.hidden) {
    const p = dense(layer, h);
    const a = mapVector(p, (v) => activate(activation, v));
    pre.push(p);
    post.push(a);
    h = a;
  }
  return { pre, post, output: dense(conditioner.output, h) };
}

/** Gradient with respect to the conditioner's input, given the gradient of its output. */
function conditionerBackward(conditioner: Conditioner, activation: Activation, trace: ConditionerTrace, outputBar: Float64Array): Float64Array {
  let bar = denseBackward(conditioner.output, outputBar);
  for (let l = conditioner.hidden.length - 1; l >= 0; l--) {
    const pre = at(trace.pre, l, 'conditioner pre-activations');
    const post = at(trace.post, l, 'conditioner activations');
    const preBar = mapVector(bar, (b, o) => b * activationSlope(activation, pre[o] ?? outOfRange('pre-activation', o, pre), post[o] ?? outOfRange('activation', o, post)));
    bar = denseBackward(at(conditioner.hidden, l, 'conditioner hidden layers'), preBar);
  }
  return bar;
}

function gather(v: ArrayLike<number>, indices: number[]): Float64Array {
  const out = new Vector(indices.length);
  indices.forEach((i, j) => {
    out[j] = v[i] ?? outOfRange('coupling identity input', i, v);
  });
  return out;
}

/** A float64 copy (faster than Float64Array.from, which goes through the iterator protocol). */
function copy(v: ArrayLike<number>): Float64Array {
  const out = new Vector(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] ?? outOfRange('vector', j, v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Coupling layers: forward, inverse, reverse pass

/** s = bound·tanh(raw/bound). */
function boundedScale(raw: number, bound: number): number {
  return bound * tanh(raw / bound);
}

function couplingForward(layer: CouplingLayer, activation: Activation, u: Float64Array): { z: Float64Array; logDet: number } {
  const z = copy(u);
  const params = conditionerForward(layer.conditioner, activation, gather(u, layer.identity)).output;
  let logDet = 0;
  if (layer.kind === 'affine') {
    const m = layer.transformed.length;
    layer.transformed.forEach((i, j) => {
      const s = boundedScale(params[j] ?? outOfRange('affine raw scales', j, params), layer.scaleBound);
      z[i] = (u[i] ?? outOfRange('affine input', i, u)) * exp(s) + (params[m + j] ?? outOfRange('affine shifts', m + j, params));
      logDet += s;
    });
  } else {
    const perDim = splineParameterCount(layer.bins);
    layer.transformed.forEach((i, j) => {
      const { y, logDeriv } = rqForward(u[i] ?? outOfRange('spline input', i, u), splineKnots(params, j * perDim, layer.bins, layer.tailBound));
      z[i] = y;
      logDet += logDeriv;
    });
  }
  return { z, logDet };
}

function couplingInverse(layer: CouplingLayer, activation: Activation, z: Float64Array): Float64Array {
  const u = copy(z);
  const params = conditionerForward(layer.conditioner, activation, gather(z, layer.identity)).output;
  if (layer.kind === 'affine') {
    const m = layer.transformed.length;
    layer.transformed.forEach((i, j) => {
      const shift = params[m + j] ?? outOfRange('affine shifts', m + j, params);
      const raw = params[j] ?? outOfRange('affine raw scales', j, params);
      u[i] = ((z[i] ?? outOfRange('affine output', i, z)) - shift) * exp(-boundedScale(raw, layer.scaleBound));
    });
  } else {
    const perDim = splineParameterCount(layer.bins);
    layer.transformed.forEach((i, j) => {
      u[i] = rqInverse(z[i] ?? outOfRange('spline output', i, z), splineKnots(params, j * perDim, layer.bins, layer.tailBound)).x;
    });
  }
  return u;
}

/**
 * Reverse pass of one coupling layer at input u: given zBar = ∂J/∂z and logDetBar = ∂J/∂logDet,
 * returns ∂J/∂u.
 */
function couplingBackward(layer: CouplingLayer, activation: Activation, u: Float64Array, zBar: Float64Array, logDetBar: number): Float64Array {
  const trace = conditionerForward(layer.conditioner, activation, gather(u, layer.identity));
  const params = trace.output;
  const paramsBar = new Vector(params.length);
  // Identity part passes its gradient straight through; the transformed part is overwritten below.
  const uBar = copy(zBar);
  if (layer.kind === 'affine') affineBackward(layer, u, params, zBar, logDetBar, uBar, paramsBar);
  else splineBackward(layer, u, params, zBar, logDetBar, uBar, paramsBar);
  const identityBar = conditionerBackward(layer.conditioner, activation, trace, paramsBar);
  layer.identity.forEach((i, j) => {
    uBar[i] = (uBar[i] ?? outOfRange('input gradient', i, uBar)) + (identityBar[j] ?? outOfRange('identity gradient', j, identityBar));
  });
  return uBar;
}

function affineBackward(layer: AffineCoupling, u: Float64Array, params: Float64Array, zBar: Float64Array, logDetBar: number, uBar: Float64Array, paramsBar: Float64Array): void {
  const m = layer.transformed.length;
  const bound = layer.scaleBound;
  layer.transformed.forEach((i, j) => {
    // z_i = u_i·e^s + t, s = bound·tanh(raw/bound), logDet += s
    const th = tanh((params[j] ?? outOfRange('affine raw scales', j, params)) / bound);
    const scale = exp(bound * th);
    const zBarI = zBar[i] ?? outOfRange('output gradient', i, zBar);
    uBar[i] = zBarI * scale;
    const sBar = zBarI * (u[i] ?? outOfRange('affine input', i, u)) * scale + logDetBar;
    paramsBar[j] = sBar * (1 - th * th);
    paramsBar[m + j] = zBarI;
  });
}

function splineBackward(layer: SplineCoupling, u: Float64Array, params: Float64Array, zBar: Float64Array, logDetBar: number, uBar: Float64Array, paramsBar: Float64Array): void {
  const perDim = splineParameterCount(layer.bins);
  layer.transformed.forEach((i, j) => {
    const g = rqDerivatives(u[i] ?? outOfRange('spline input', i, u), params, j * perDim, layer.bins, layer.tailBound);
    const zBarI = zBar[i] ?? outOfRange('output gradient', i, zBar);
    uBar[i] = zBarI * g.dydx + logDetBar * g.dLogDerivDx;
    for (let p = 0; p < perDim; p++) {
      const dy = g.dyDtheta[p] ?? outOfRange('spline value gradient', p, g.dyDtheta);
      paramsBar[j * perDim + p] = zBarI * dy + logDetBar * (g.dLogDerivDtheta[p] ?? outOfRange('spline log-derivative gradient', p, g.dLogDerivDtheta));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The whole flow

function checkRow(model: FlowModel, v: ArrayLike<number>, what: string): void {
  if (v.length !== model.dim) throw new RangeError(`${what}: got ${v.length} values, the flow has ${model.dim} inputs`);
}

/** z = f(u) and log|det ∂f/∂u| for a standardised row u. */
export function forward(model: FlowModel, u: ArrayLike<number>): { z: Float64Array; logDet: number } {
  checkRow(model, u, 'forward');
  let z: Float64Array = copy(u);
  let logDet = 0;
  for (const layer of model.layers) {
    const out = couplingForward(layer, model.activation, z);
    z = out.z;
    logDet += out.logDet;
  }
  return { z, logDet };
}

/** u = f⁻¹(z), standardised units. */
export function inverse(model: FlowModel, z: ArrayLike<number>): Float64Array {
  checkRow(model, z, 'inverse');
  let u: Float64Array = copy(z);
  for (let l = model.layers.length - 1; l >= 0; l--) u = couplingInverse(at(model.layers, l, 'layers'), model.activation, u);
  return u;
}

/** log p_U(u) = log p_Z(f(u)) + log|det ∂f/∂u|, for a standardised row. */
export function logProbStandardized(model: FlowModel, u: ArrayLike<number>): number {
  const { z, logDet } = forward(model, u);
  return baseLogProb(model.base, z) + logDet;
}

/** log p_X(x) for a row in original units (the standardisation's feature order). */
export function logProb(model: FlowModel, x: ArrayLike<number>): number {
  checkRow(model, x, 'logProb');
  return logProbStandardized(model, standardizeRow(model.standardization, x)) - logScaleSum(model.standardization);
}

/** z for a row in original units. */
export function latent(model: FlowModel, x: ArrayLike<number>): Float64Array {
  checkRow(model, x, 'latent');
  return forward(model, standardizeRow(model.standardization, x)).z;
}

/** The inputs of every layer (the last entry is z). */
function layerInputs(model: FlowModel, u: Float64Array): Float64Array[] {
  const inputs = [u];
  let z = u;
  for (const layer of model.layers) {
    z = couplingForward(layer, model.activation, z).z;
    inputs.push(z);
  }
  return inputs;
}

/** Reverse pass through all layers: ∂J/∂u given ∂J/∂z (as a function of z) and ∂J/∂logDet. */
function backward(model: FlowModel, u: Float64Array, zBarOf: (z: Float64Array) => Float64Array, logDetBar: number): Float64Array {
  const inputs = layerInputs(model, u);
  let bar = zBarOf(at(inputs, model.layers.length, 'layer inputs'));
  for (let l = model.layers.length - 1; l >= 0; l--) bar = couplingBackward(at(model.layers, l, 'layers'), model.activation, at(inputs, l, 'layer inputs'), bar, logDetBar);
  return bar;
}

/** ∇_u log p_U(u), standardised units. */
export function scoreStandardized(model: FlowModel, u: ArrayLike<number>): Float64Array {
  checkRow(model, u, 'score');
  return backward(model, copy(u), (z) => baseScore(model.base, z), 1);
}

/** ∇_x log p_X(x) in original units: the standardised score divided by scale_j. */
export function score(model: FlowModel, x: ArrayLike<number>): Float64Array {
  checkRow(model, x, 'score');
  const g = scoreStandardized(model, standardizeRow(model.standardization, x));
  return divideByScale(g, model.standardization.scale);
}

/** g_j / scale_j in place: a standardised gradient in original units. */
function divideByScale(g: Float64Array, scale: number[]): Float64Array {
  for (let j = 0; j < g.length; j++) g[j] = (g[j] ?? outOfRange('gradient', j, g)) / (scale[j] ?? outOfRange('standardization scale', j, scale));
  return g;
}

/** (∂z/∂u)ᵀ v, standardised units. */
export function vjpStandardized(model: FlowModel, u: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  checkRow(model, u, 'vjp');
  checkRow(model, v, 'vjp');
  return backward(model, copy(u), () => copy(v), 0);
}

/** (∂z/∂x)ᵀ v in original units, for a row x in original units. */
export function vjp(model: FlowModel, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  checkRow(model, x, 'vjp');
  const g = vjpStandardized(model, standardizeRow(model.standardization, x), v);
  return divideByScale(g, model.standardization.scale);
}
