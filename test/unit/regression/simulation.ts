import { gaussian, seededRandom } from '../../../src/core/random.js';

/**
 * docs/algorithms.md#target-shift setup: x = y + N(0, 0.5²), source y ~ N(0, 1), target y ~ N(δ, 1); true ω(y) = exp(δy − δ²/2).
 * The x-summary handed to ReTaSA is the source-optimal prediction E_s[y | x] = 0.8·x (docs/algorithms.md#target-shift). Each
 * target window has its own seed, so a test's data does not depend on which tests ran before it.
 */
export function regressionShiftSample(seed: number, n = 800, m = 800) {
  const normal = gaussian(seededRandom(seed));
  const sourceY = Array.from({ length: n }, () => normal());
  const sourceX = sourceY.map((y) => y + 0.5 * normal());
  const targetX = (delta: number, windowSeed: number, size = m) => {
    const draw = gaussian(seededRandom(seed * 1000 + windowSeed));
    return Array.from({ length: size }, () => delta + draw() + 0.5 * draw());
  };
  return { sourceY, sourceX, predict: (x: readonly number[]) => x.map((v) => 0.8 * v), targetX };
}

export const trueWeight = (delta: number, y: number) => Math.exp(delta * y - (delta * delta) / 2);

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
