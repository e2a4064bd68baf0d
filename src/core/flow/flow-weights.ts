/**
 * Small helpers around the plain-data `FlowModel`: parameter count, structural validation (used
 * when a bundle is loaded), and JSON round trip.
 */
import type { FlowModel } from './flow-spec.js';
import { splineParameterCount } from './rq-spline.js';

/** Trainable network parameters: every conditioner weight and bias (not the standardisation or ν). */
export function countParameters(model: FlowModel): number {
  let total = 0;
  for (const layer of model.layers) {
    for (const dense of [...layer.conditioner.hidden, layer.conditioner.output]) total += dense.weights.length + dense.bias.length;
  }
  return total;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function countNonFinite(values: unknown[]): number {
  let bad = 0;
  for (const v of values) if (typeof v !== 'number' || !Number.isFinite(v)) bad++;
  return bad;
}

/** Checks a dense layer's shape and values; returns its output width (or null when unusable). */
function checkDense(dense: unknown, where: string, expectedInputs: number | null, problems: string[]): number | null {
  if (!isObject(dense)) {
    problems.push(`${where}: missing`);
    return null;
  }
  const { inputs, outputs, weights, bias } = dense;
  if (!Number.isInteger(inputs) || (inputs as number) < 0 || !Number.isInteger(outputs) || (outputs as number) < 1) {
    problems.push(`${where}: inputs/outputs must be integers (got ${String(inputs)}, ${String(outputs)})`);
    return null;
  }
  const nIn = inputs as number;
  const nOut = outputs as number;
  if (expectedInputs !== null && nIn !== expectedInputs) problems.push(`${where}: ${nIn} inputs, expected ${expectedInputs}`);
  if (!Array.isArray(weights)) problems.push(`${where}.weights: missing`);
  else {
    if (weights.length !== nIn * nOut) problems.push(`${where}.weights: ${weights.length} values, expected ${nIn}×${nOut} = ${nIn * nOut}`);
    const bad = countNonFinite(weights);
    if (bad > 0) problems.push(`${where}.weights: ${bad} non-finite values`);
  }
  if (!Array.isArray(bias)) problems.push(`${where}.bias: missing`);
  else {
    if (bias.length !== nOut) problems.push(`${where}.bias: ${bias.length} values, expected ${nOut}`);
    const bad = countNonFinite(bias);
    if (bad > 0) problems.push(`${where}.bias: ${bad} non-finite values`);
  }
  return nOut;
}

function checkIndices(v: unknown, where: string, dim: number, problems: string[]): number[] | null {
  if (!Array.isArray(v)) {
    problems.push(`${where}: missing`);
    return null;
  }
  const bad = v.filter((i) => !Number.isInteger(i) || i < 0 || i >= dim);
  if (bad.length > 0) problems.push(`${where}: indices out of range [0, ${dim}): ${bad.slice(0, 5).join(', ')}`);
  if (new Set(v).size !== v.length) problems.push(`${where}: repeated indices`);
  return bad.length === 0 ? (v as number[]) : null;
}

function checkLayer(layer: unknown, where: string, dim: number, problems: string[]): void {
  if (!isObject(layer)) {
    problems.push(`${where}: missing`);
    return;
  }
  const identity = checkIndices(layer.identity, `${where}.identity`, dim, problems);
  const transformed = checkIndices(layer.transformed, `${where}.transformed`, dim, problems);
  if (identity && transformed) {
    const overlap = transformed.filter((i) => identity.includes(i));
    if (overlap.length > 0) problems.push(`${where}: indices both identity and transformed: ${overlap.join(', ')}`);
    if (transformed.length === 0) problems.push(`${where}: no transformed indices`);
  }
  let perDim: number | null = null;
  if (layer.kind === 'affine') {
    if (!isPositiveFinite(layer.scaleBound)) problems.push(`${where}.scaleBound: must be finite and > 0, got ${String(layer.scaleBound)}`);
    perDim = 2;
  } else if (layer.kind === 'spline') {
    const bins = layer.bins;
    if (!Number.isInteger(bins) || (bins as number) < 1 || (bins as number) >= 1000) problems.push(`${where}.bins: must be an integer in [1, 999], got ${String(bins)}`);
    else perDim = splineParameterCount(bins as number);
    if (!isPositiveFinite(layer.tailBound)) problems.push(`${where}.tailBound: must be finite and > 0, got ${String(layer.tailBound)}`);
  } else {
    problems.push(`${where}.kind: unknown coupling '${String(layer.kind)}'`);
  }
  const conditioner = layer.conditioner;
  if (!isObject(conditioner) || !Array.isArray(conditioner.hidden)) {
    problems.push(`${where}.conditioner: missing`);
    return;
  }
  let width: number | null = identity ? identity.length : null;
  conditioner.hidden.forEach((dense, k) => {
    width = checkDense(dense, `${where}.conditioner.hidden[${k}]`, width, problems);
  });
  const outputs = checkDense(conditioner.output, `${where}.conditioner.output`, width, problems);
  if (outputs !== null && transformed && perDim !== null && outputs !== transformed.length * perDim) {
    problems.push(`${where}.conditioner.output: ${outputs} outputs, expected ${transformed.length}×${perDim} = ${transformed.length * perDim}`);
  }
}

/**
 * Problems that would make the model unusable or wrong: dimension mismatches, bad indices,
 * non-finite weights, invalid standardisation or base. An empty list means the model is usable.
 * Accepts any value (e.g. freshly parsed JSON).
 */
export function checkFlowModel(model: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(model)) return ['model: not an object'];
  const dim = model.dim;
  if (!Number.isInteger(dim) || (dim as number) < 1) return [`dim: must be a positive integer, got ${String(dim)}`];
  const d = dim as number;
  const st = model.standardization;
  if (!isObject(st) || !Array.isArray(st.features) || !Array.isArray(st.mean) || !Array.isArray(st.scale)) {
    problems.push('standardization: missing features, mean or scale');
  } else {
    for (const key of ['features', 'mean', 'scale'] as const) {
      const length = (st[key] as unknown[]).length;
      if (length !== d) problems.push(`standardization.${key}: ${length} values, expected ${d}`);
    }
    if (new Set(st.features).size !== st.features.length) problems.push('standardization.features: repeated names');
    const badMean = countNonFinite(st.mean);
    if (badMean > 0) problems.push(`standardization.mean: ${badMean} non-finite values`);
    const badScale = st.scale.filter((s) => !isPositiveFinite(s)).length;
    if (badScale > 0) problems.push(`standardization.scale: ${badScale} values not finite and > 0`);
  }
  if (model.activation !== 'tanh' && model.activation !== 'relu') problems.push(`activation: unknown '${String(model.activation)}'`);
  if (!Array.isArray(model.layers)) problems.push('layers: missing');
  else model.layers.forEach((layer, l) => checkLayer(layer, `layers[${l}]`, d, problems));
  const base = model.base;
  if (!isObject(base)) problems.push('base: missing');
  else if (base.kind === 'student-t') {
    if (!Array.isArray(base.dof)) problems.push('base.dof: missing');
    else {
      if (base.dof.length !== d) problems.push(`base.dof: ${base.dof.length} values, expected ${d}`);
      const bad = base.dof.filter((v) => v !== null && !isPositiveFinite(v)).length;
      if (bad > 0) problems.push(`base.dof: ${bad} values neither null nor finite and > 0`);
    }
  } else if (base.kind !== 'normal') problems.push(`base.kind: unknown '${String(base.kind)}'`);
  return problems;
}

/** JSON text of a model; throws when `checkFlowModel` finds problems (JSON would turn NaN into null). */
export function modelToJson(model: FlowModel): string {
  const problems = checkFlowModel(model);
  if (problems.length > 0) throw new Error(`invalid flow model: ${problems.join('; ')}`);
  return JSON.stringify(model);
}

/** Parses and validates a model; throws with every problem found. */
export function modelFromJson(text: string): FlowModel {
  const parsed: unknown = JSON.parse(text);
  const problems = checkFlowModel(parsed);
  if (problems.length > 0) throw new Error(`invalid flow model: ${problems.join('; ')}`);
  return parsed as FlowModel;
}
