import { logProb } from '../../../src/core/flow/flow-math.js';
import type { Activation } from '../../../src/core/flow/flow-spec.js';
import { randomFlow } from './random-flow.js';

/**
 * ∫∫ exp(log p_X(x)) dx over a grid (trapezoid rule) for 2-D flows with non-trivial weights and a
 * non-trivial standardisation (so the −Σ log scale_j term is exercised). Spline densities have
 * kinks along the knot curves, which is why their grid is finer (and their flows shorter).
 */
const CASES: Array<{ kind: 'affine' | 'spline'; activation: Activation; layers: number; half: number; steps: number }> = [
  { kind: 'affine', activation: 'tanh', layers: 4, half: 10, steps: 240 },
  { kind: 'affine', activation: 'relu', layers: 4, half: 10, steps: 240 },
  { kind: 'spline', activation: 'tanh', layers: 2, half: 8, steps: 320 },
  { kind: 'spline', activation: 'relu', layers: 2, half: 8, steps: 320 },
];

describe('flow normalisation', () => {
  it.each(CASES)('$kind/$activation: ∫ p_X = 1 within 1e-3', ({ kind, activation, layers, half, steps }) => {
    const model = randomFlow({ kind, activation, dim: 2, seed: 60, layers, spread: 0.3 });
    const { mean, scale } = model.standardization;
    const h0 = (2 * half * scale[0]!) / steps;
    const h1 = (2 * half * scale[1]!) / steps;
    const x = [0, 0];
    let total = 0;
    for (let a = 0; a <= steps; a++) {
      const wa = a === 0 || a === steps ? 0.5 : 1;
      x[0] = mean[0]! - half * scale[0]! + a * h0;
      for (let b = 0; b <= steps; b++) {
        const wb = b === 0 || b === steps ? 0.5 : 1;
        x[1] = mean[1]! - half * scale[1]! + b * h1;
        total += wa * wb * Math.exp(logProb(model, x));
      }
    }
    expect(Math.abs(total * h0 * h1 - 1)).toBeLessThan(1e-3);
  });
});
