/**
 * A fresh, seeded flow: alternating checkerboard couplings (even indices condition the odd ones,
 * then the reverse), conditioner weights drawn Glorot-uniform and the output layer set to zero, so
 * every coupling starts as the identity map and training starts from the base density.
 */
import { seededRandom } from '../random.js';
import type { Activation, BaseDistribution, Conditioner, CouplingLayer, DenseLayer, FlowModel, Standardization } from './flow-spec.js';

export interface FlowArchitecture {
  kind: 'affine' | 'spline';
  /** Number of coupling layers. */
  layers: number;
  /** Width of each hidden layer of the conditioner. */
  hidden: number;
  /** Number of hidden layers of the conditioner. */
  depth: number;
  activation: Activation;
  /** Affine: bound of the log-scale. */
  scaleBound: number;
  /** Spline: bins K and tail bound B. */
  bins: number;
  tailBound: number;
}

export const DEFAULT_ARCHITECTURE: FlowArchitecture = {
  kind: 'affine',
  layers: 6,
  hidden: 128,
  depth: 2,
  activation: 'tanh',
  scaleBound: 3,
  bins: 8,
  tailBound: 3,
};

export function initFlow(standardization: Standardization, architecture: FlowArchitecture, base: BaseDistribution, seed: number): FlowModel {
  const dim = standardization.features.length;
  if (dim < 2) throw new Error(`a coupling flow needs at least 2 inputs, got ${dim}`);
  const random = seededRandom(seed);
  const layers: CouplingLayer[] = [];
  for (let l = 0; l < architecture.layers; l++) {
    const parity = l % 2;
    const identity = range(dim).filter((i) => i % 2 === parity);
    const transformed = range(dim).filter((i) => i % 2 !== parity);
    const perDim = architecture.kind === 'affine' ? 2 : 3 * architecture.bins - 1;
    const conditioner = initConditioner(identity.length, architecture.hidden, architecture.depth, transformed.length * perDim, random);
    layers.push(
      architecture.kind === 'affine'
        ? { kind: 'affine', identity, transformed, conditioner, scaleBound: architecture.scaleBound }
        : { kind: 'spline', identity, transformed, conditioner, bins: architecture.bins, tailBound: architecture.tailBound },
    );
  }
  return { dim, standardization, activation: architecture.activation, layers, base };
}

function initConditioner(inputs: number, hidden: number, depth: number, outputs: number, random: () => number): Conditioner {
  const layers: DenseLayer[] = [];
  let width = inputs;
  for (let k = 0; k < depth; k++) {
    layers.push(glorot(width, hidden, random));
    width = hidden;
  }
  return { hidden: layers, output: { inputs: width, outputs, weights: new Array<number>(width * outputs).fill(0), bias: new Array<number>(outputs).fill(0) } };
}

function glorot(inputs: number, outputs: number, random: () => number): DenseLayer {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const weights = Array.from({ length: inputs * outputs }, () => Math.fround((2 * random() - 1) * limit));
  return { inputs, outputs, weights, bias: new Array<number>(outputs).fill(0) };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
