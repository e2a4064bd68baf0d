/** Shared fixtures for the tfjs flow tests: seeded random-weight models and data. */
import type { BaseDistribution, FlowModel, Standardization } from '../../../src/core/flow/flow-spec.js';
import { DEFAULT_ARCHITECTURE, initFlow, type FlowArchitecture } from '../../../src/core/flow/init-flow.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

/** initFlow, then every output layer (zero at init) and hidden bias drawn N(0, σ²), float32-rounded. */
export function randomFlow(dim: number, architecture: Partial<FlowArchitecture>, base: BaseDistribution, seed: number, sigma = 0.3): FlowModel {
  const normal = gaussian(seededRandom(seed + 1000));
  const standardization: Standardization = {
    features: Array.from({ length: dim }, (_, j) => `f${j}`),
    mean: Array.from({ length: dim }, (_, j) => 0.5 * j - 1),
    scale: Array.from({ length: dim }, (_, j) => 0.5 + 0.25 * j),
  };
  const model = initFlow(standardization, { ...DEFAULT_ARCHITECTURE, ...architecture }, base, seed);
  const draw = (n: number) => Array.from({ length: n }, () => Math.fround(sigma * normal()));
  for (const layer of model.layers) {
    const { output, hidden } = layer.conditioner;
    output.weights = draw(output.weights.length);
    output.bias = draw(output.bias.length);
    for (const h of hidden) h.bias = draw(h.bias.length);
  }
  return model;
}

/** n rows in original units around the model's standardisation (u ~ 1.5·N(0,1), some beyond ±3). */
export function randomRows(model: FlowModel, n: number, seed: number): number[][] {
  const normal = gaussian(seededRandom(seed));
  const { mean, scale } = model.standardization;
  return Array.from({ length: n }, () => mean.map((m, j) => m + scale[j]! * 1.5 * normal()));
}

/** max_i |a_i − b_i| / max(1, |b_i|). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}
