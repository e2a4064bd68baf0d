/** Seeded sampling primitives for building synthetic shifted sets (Gamma, Dirichlet, weighted draws). */
import { at } from '../indexing.js';
import { gaussian } from '../random.js';

/** Gamma(shape, 1) draw (Marsaglia–Tsang; shapes below 1 use the u^(1/shape) boost). */
export function gammaDraw(shape: number, random: () => number, normal: () => number): number {
  if (!(shape > 0)) throw new RangeError(`gammaDraw: shape must be positive, got ${shape}`);
  if (shape < 1) return gammaDraw(shape + 1, random, normal) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Dirichlet(α, …, α) draw over `k` categories. */
export function symmetricDirichlet(k: number, alpha: number, random: () => number): number[] {
  const normal = gaussian(random);
  const g = Array.from({ length: k }, () => gammaDraw(alpha, random, normal));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / total);
}

/** A uniformly random direction in R^k. */
export function randomUnitVector(k: number, random: () => number): number[] {
  const normal = gaussian(random);
  for (;;) {
    const u = Array.from({ length: k }, () => normal());
    const norm = Math.hypot(...u);
    if (norm > 1e-12) return u.map((v) => v / norm);
  }
}

/** Draws `count` indices with replacement, with probability proportional to `weights`. */
export function weightedIndices(weights: readonly number[], count: number, random: () => number): number[] {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cumulative.push(total);
  }
  if (!(total > 0)) throw new RangeError('weightedIndices: weights must have a positive, finite sum');
  return Array.from({ length: count }, () => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at(cumulative, mid, 'weightedIndices') > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  });
}
