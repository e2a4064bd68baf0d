/** Seeded subsampling that caps how many points the O(n²)/O(n³) kernel estimators see. */
import { at } from '../indexing.js';

/** Up to `max` distinct indices out of n, uniformly at random (partial Fisher–Yates), in ascending order. */
export function randomSubsample(n: number, max: number, random: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (n - i));
    const drawn = at(all, j, 'randomSubsample');
    all[j] = at(all, i, 'randomSubsample');
    all[i] = drawn;
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

/**
 * Up to `max` indices stratified on the values' quantiles: sort the values, cut them into `max`
 * groups of (nearly) equal count, and draw one index at random from each group. Ascending order.
 */
export function stratifiedSubsample(values: ArrayLike<number>, max: number, random: () => number): number[] {
  const n = values.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => at(values, a, 'stratifiedSubsample') - at(values, b, 'stratifiedSubsample'));
  const picked: number[] = [];
  for (let s = 0; s < max; s++) {
    const lo = Math.floor((s * n) / max);
    const hi = Math.floor(((s + 1) * n) / max);
    picked.push(at(order, lo + Math.floor(random() * (hi - lo)), 'stratifiedSubsample'));
  }
  return picked.sort((a, b) => a - b);
}
