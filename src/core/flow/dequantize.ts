/**
 * Dequantisation of integer-valued flow inputs: uniform noise on (−0.5, 0.5), seeded, added to the
 * listed columns of row-major rows. The same noise law at fit and at serve time keeps the window
 * log-likelihoods comparable with the reference's (docs/algorithms.md#flow-model).
 */
import { outOfRange } from '../indexing.js';
import { seededRandom } from '../random.js';

export function dequantizeRows(rows: Float32Array, dim: number, columns: readonly number[], seed: number): Float32Array {
  if (columns.length === 0) return rows;
  const random = seededRandom(seed);
  const n = rows.length / dim;
  const bad = columns.filter((j) => !Number.isInteger(j) || j < 0 || j >= dim);
  if (bad.length > 0) throw new RangeError(`dequantize: columns ${bad.join(', ')} out of range [0, ${dim})`);
  for (let i = 0; i < n; i++) {
    for (const j of columns) {
      const k = i * dim + j;
      rows[k] = (rows[k] ?? outOfRange('dequantized rows', k, rows)) + (random() - 0.5);
    }
  }
  return rows;
}

/** A window's seed from its id, so a replayed window gets the same noise and the same verdict. */
export function windowSeed(windowId: string): number {
  let h = 2166136261;
  for (let i = 0; i < windowId.length; i++) h = Math.imul(h ^ windowId.charCodeAt(i), 16777619) >>> 0;
  return h;
}
