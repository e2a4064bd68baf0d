/** Small statistics over series of per-window values, shared by the fit-time calibrations. */
import { at } from '../indexing.js';

/** Pooled lag-1 autocorrelation of several series (each in time order); 0 when too short. */
export function lag1Autocorrelation(series: readonly (readonly number[])[]): number {
  let num = 0;
  let den = 0;
  for (const raw of series) {
    const s = raw.filter(Number.isFinite);
    if (s.length < 3) continue;
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    for (const x of s) den += (x - mean) ** 2;
    for (const [i, x] of s.entries()) if (i > 0) num += (x - mean) * (at(s, i - 1, 'series') - mean);
  }
  return den > 0 ? Math.max(-1, Math.min(1, num / den)) : 0;
}

/** The q-quantile (nearest rank, from above) of the finite values; 0 when there are none. */
export function upperQuantile(values: readonly number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return at(sorted, Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)), 'sorted values');
}
