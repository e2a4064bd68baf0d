/**
 * Dequantisation of integer-valued flow inputs: uniform noise on (−0.5, 0.5), seeded, added to the
 * listed columns of row-major rows. The same noise law at fit and at serve time keeps the window
 * log-likelihoods comparable with the reference's (docs/algorithms.md#flow-model).
 */
import { seededRandom } from '../random.js';

export function dequantizeRows(rows: Float32Array, dim: number, columns: readonly number[], seed: number): Float32Array {
  if (columns.length === 0) return rows;
  const random = seededRandom(seed);
  const n = rows.length / dim;
  for (let i = 0; i < n; i++) for (const j of columns) rows[i * dim + j]! += random() - 0.5;
  return rows;
}

/** A window's seed from its id, so a replayed window gets the same noise and the same verdict. */
export function windowSeed(windowId: string): number {
  let h = 2166136261;
  for (let i = 0; i < windowId.length; i++) h = Math.imul(h ^ windowId.charCodeAt(i), 16777619) >>> 0;
  return h;
}
