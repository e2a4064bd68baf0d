/** Test helpers: seeded flows with non-trivial weights, and a small log-determinant. */
import { initFlow, type FlowArchitecture } from '../../../src/core/flow/init-flow.js';
import type { Activation, BaseDistribution, FlowModel } from '../../../src/core/flow/flow-spec.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

export interface RandomFlowOptions {
  kind: 'affine' | 'spline';
  activation: Activation;
  dim: number;
  seed: number;
  base?: BaseDistribution;
  layers?: number;
  hidden?: number;
  depth?: number;
  /** Standard deviation of the perturbation of the output layers (and of the hidden biases). */
  spread?: number;
  bins?: number;
  tailBound?: number;
  scaleBound?: number;
}

/**
 * An `initFlow` model (identity maps) whose conditioner output layers and hidden biases are then
 * perturbed with seeded normal draws (rounded to float32, as a bundle stores them), with a
 * non-trivial standardisation.
 */
export function randomFlow(options: RandomFlowOptions): FlowModel {
  const { dim, seed } = options;
  const architecture: FlowArchitecture = {
    kind: options.kind,
    layers: options.layers ?? 4,
    hidden: options.hidden ?? 8,
    depth: options.depth ?? 2,
    activation: options.activation,
    scaleBound: options.scaleBound ?? 3,
    bins: options.bins ?? 5,
    tailBound: options.tailBound ?? 3,
  };
  const standardization = {
    features: Array.from({ length: dim }, (_, j) => `f${j}`),
    mean: Array.from({ length: dim }, (_, j) => 0.5 * j - 0.7),
    scale: Array.from({ length: dim }, (_, j) => 0.6 + 0.45 * j),
  };
  const model = initFlow(standardization, architecture, options.base ?? { kind: 'normal' }, seed);
  const normal = gaussian(seededRandom(seed + 1000));
  const spread = options.spread ?? 0.5;
  for (const layer of model.layers) {
    const { output, hidden } = layer.conditioner;
    output.weights = output.weights.map(() => Math.fround(spread * normal()));
    output.bias = output.bias.map(() => Math.fround(spread * normal()));
    for (const dense of hidden) dense.bias = dense.bias.map(() => Math.fround(0.3 * normal()));
  }
  return model;
}

/** log|det A| by Gaussian elimination with partial pivoting (A is n×n, row-major arrays). */
export function logAbsDet(a: number[][]): number {
  const m = a.map((row) => row.slice());
  const n = m.length;
  let total = 0;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    total += Math.log(Math.abs(m[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return total;
}

/** `count` rows of `dim` draws of spread·N(0, 1) (seeded). */
export function randomRows(count: number, dim: number, seed: number, spread = 1): Float64Array[] {
  const normal = gaussian(seededRandom(seed));
  return Array.from({ length: count }, () => Float64Array.from({ length: dim }, () => spread * normal()));
}
