/**
 * The trainable weights of an affine coupling flow as one flat float32 vector, for the ONNX
 * trainer: each conditioner's hidden layers (W, b), then its output layer split into the raw-scale
 * half (W_s, b_s) and the shift half (W_t, b_t), layer by layer. Every slot is a graph input of
 * the training graph (train-graph.ts) and has a gradient output of the same shape.
 */
import { at } from '../../core/indexing.js';
import type { AffineCoupling, DenseLayer, FlowModel } from '../../core/flow/flow-spec.js';

export interface ParameterSlot {
  /** Graph input name; the gradient output is `grad_<name>`. */
  name: string;
  dims: number[];
  /** Position in the flat vector. */
  offset: number;
  size: number;
}

export interface DenseSlots {
  weights: ParameterSlot;
  bias: ParameterSlot;
}

export interface CouplingSlots {
  hidden: DenseSlots[];
  /** Output columns 0..|B|−1: the raw scales. */
  scale: DenseSlots;
  /** Output columns |B|..2|B|−1: the shifts. */
  shift: DenseSlots;
}

export interface ParameterLayout {
  layers: CouplingSlots[];
  slots: ParameterSlot[];
  size: number;
}

export const gradientName = (slot: ParameterSlot): string => `grad_${slot.name}`;

/** Why the ONNX trainer cannot train `model`, or null when it can. */
export function untrainableReason(model: FlowModel): string | null {
  if (model.layers.some((layer) => layer.kind !== 'affine')) return 'spline couplings are trained with tfjs';
  if (model.activation !== 'tanh' && model.activation !== 'relu') return `activation ${String(model.activation)} is not covered by the ONNX trainer`;
  return null;
}

function affineLayers(model: FlowModel): AffineCoupling[] {
  const reason = untrainableReason(model);
  if (reason !== null) throw new Error(`ONNX trainer: ${reason}`);
  return model.layers as AffineCoupling[];
}

export function parameterLayout(model: FlowModel): ParameterLayout {
  const slots: ParameterSlot[] = [];
  let offset = 0;
  const slot = (name: string, dims: number[]): ParameterSlot => {
    const size = dims.reduce((a, b) => a * b, 1);
    const s = { name, dims, offset, size };
    offset += size;
    slots.push(s);
    return s;
  };
  const layers = affineLayers(model).map((layer, l) => {
    const hidden = layer.conditioner.hidden.map((dense, k) => ({ weights: slot(`l${l}_h${k}_w`, [dense.inputs, dense.outputs]), bias: slot(`l${l}_h${k}_b`, [dense.outputs]) }));
    const out = layer.conditioner.output;
    const nb = layer.transformed.length;
    if (out.outputs !== 2 * nb) throw new RangeError(`layer ${l}: the conditioner outputs ${out.outputs} values, expected ${2 * nb}`);
    const half = (part: string): DenseSlots => ({ weights: slot(`l${l}_${part}_w`, [out.inputs, nb]), bias: slot(`l${l}_${part}_b`, [nb]) });
    return { hidden, scale: half('s'), shift: half('t') };
  });
  return { layers, slots, size: offset };
}

/** Columns [from, from + width) of a dense layer: weights row-major [inputs, width] and biases. */
function denseColumns(dense: DenseLayer, from: number, width: number): { weights: number[]; bias: number[] } {
  const weights: number[] = [];
  for (let i = 0; i < dense.inputs; i++) for (let j = from; j < from + width; j++) weights.push(at(dense.weights, i * dense.outputs + j, 'dense weights'));
  return { weights, bias: dense.bias.slice(from, from + width) };
}

/** The model's conditioner weights, packed in `layout` order. */
export function packParameters(model: FlowModel, layout: ParameterLayout): Float32Array {
  const flat = new Float32Array(layout.size);
  const put = (slots: DenseSlots, values: { weights: number[]; bias: number[] }) => {
    flat.set(values.weights, slots.weights.offset);
    flat.set(values.bias, slots.bias.offset);
  };
  affineLayers(model).forEach((layer, l) => {
    const slots = at(layout.layers, l, 'parameter layout');
    layer.conditioner.hidden.forEach((dense, k) => put(at(slots.hidden, k, 'hidden layer slots'), dense));
    const nb = layer.transformed.length;
    put(slots.scale, denseColumns(layer.conditioner.output, 0, nb));
    put(slots.shift, denseColumns(layer.conditioner.output, nb, nb));
  });
  return flat;
}

/** A copy of `model` with the conditioner weights taken from `flat` (as plain float32 numbers). */
export function unpackParameters(model: FlowModel, layout: ParameterLayout, flat: Float32Array): FlowModel {
  const read = (s: ParameterSlot) => Array.from(flat.subarray(s.offset, s.offset + s.size));
  return {
    ...structuredClone(model),
    layers: affineLayers(model).map((layer, l) => {
      const slots = at(layout.layers, l, 'parameter layout');
      const out = layer.conditioner.output;
      const nb = layer.transformed.length;
      const [ws, bs, wt, bt] = [read(slots.scale.weights), read(slots.scale.bias), read(slots.shift.weights), read(slots.shift.bias)];
      const weights: number[] = [];
      for (let i = 0; i < out.inputs; i++) weights.push(...ws.slice(i * nb, (i + 1) * nb), ...wt.slice(i * nb, (i + 1) * nb));
      return {
        ...structuredClone(layer),
        conditioner: {
          hidden: layer.conditioner.hidden.map((dense, k) => ({ ...dense, weights: read(at(slots.hidden, k, 'hidden layer slots').weights), bias: read(at(slots.hidden, k, 'hidden layer slots').bias) })),
          output: { ...out, weights, bias: [...bs, ...bt] },
        },
      };
    }),
  };
}
