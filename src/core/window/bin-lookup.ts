/**
 * Fast bin lookup for the hot path: a guide table over the reference's range points each of 1,024
 * equal cells at the first bin its start can fall in, so finding a value's bin is one multiply and
 * a step or two along the edges instead of a binary search. Same answers as `binIndex` (tested).
 */
import { binIndex } from '../reference/feature-reference.js';
import { at } from '../indexing.js';

const CELLS = 1024;

interface Guide {
  lo: number;
  hi: number;
  scale: number;
  start: Int32Array;
}

const guides = new WeakMap<readonly number[], Guide | null>();

function guideFor(edges: readonly number[]): Guide | null {
  let g = guides.get(edges);
  if (g !== undefined) return g;
  const lo = at(edges, 0, 'bin edges');
  const hi = at(edges, edges.length - 1, 'bin edges');
  g = null;
  if (edges.length > 16 && hi > lo && Number.isFinite(hi - lo)) {
    const scale = CELLS / (hi - lo);
    const start = new Int32Array(CELLS + 1);
    for (let c = 0; c <= CELLS; c++) start[c] = binIndex(edges, Math.min(hi, lo + c / scale));
    g = { lo, hi, scale, start };
  }
  guides.set(edges, g);
  return g;
}

/** The bin of x on `edges` (layout of bundle-types.ts); x must not be NaN. */
export function lookupBin(edges: readonly number[], x: number): number {
  const g = guideFor(edges);
  if (g === null || x <= g.lo || x >= g.hi) return binIndex(edges, x);
  // One cell back, so rounding in the cell index can never start past the answer.
  const cell = Math.floor((x - g.lo) * g.scale);
  // Per event: checked inline, not through at() (see summary.ts).
  let k = g.start[cell > 0 ? cell - 1 : 0];
  if (k === undefined) throw new RangeError(`lookupBin: cell ${cell} outside the guide's ${g.start.length}`);
  // The first edge above x ends the walk; past the last edge, k is the bin above every edge.
  for (let edge = edges[k]; edge !== undefined && edge <= x; edge = edges[k]) k++;
  return k;
}
