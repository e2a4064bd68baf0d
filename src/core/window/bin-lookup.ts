/**
 * Fast bin lookup for the hot path: a guide table over the reference's range points each of 1,024
 * equal cells at the first bin its start can fall in, so finding a value's bin is one multiply and
 * a step or two along the edges instead of a binary search. Same answers as `binIndex` (tested).
 */
import { binIndex } from '../reference/feature-reference.js';

const CELLS = 1024;

/** A feature's edges with their guide table (none when the edges are too few to need one). */
export interface BinGuide {
  edges: readonly number[];
  lo: number;
  hi: number;
  scale: number;
  start: Int32Array | null;
}

const guides = new WeakMap<readonly number[], BinGuide>();

/** The guide of `edges`, built on first use and kept as long as the edges are. */
export function binGuide(edges: readonly number[]): BinGuide {
  let g = guides.get(edges);
  if (g !== undefined) return g;
  // No edges (a categorical feature's empty guide): no range, binIndex decides.
  const lo = edges[0] ?? Number.NaN;
  const hi = edges[edges.length - 1] ?? Number.NaN;
  g = { edges, lo, hi, scale: Number.NaN, start: null };
  if (edges.length > 16 && hi > lo && Number.isFinite(hi - lo)) {
    g.scale = CELLS / (hi - lo);
    g.start = new Int32Array(CELLS + 1);
    for (let c = 0; c <= CELLS; c++) g.start[c] = binIndex(edges, Math.min(hi, lo + c / g.scale));
  }
  guides.set(edges, g);
  return g;
}

/** The bin of x on the guide's edges (layout of bundle-types.ts); x must not be NaN. */
export function guidedBin(g: BinGuide, x: number): number {
  const { edges, start } = g;
  if (start === null || x <= g.lo || x >= g.hi) return binIndex(edges, x);
  // One cell back, so rounding in the cell index can never start past the answer.
  const cell = Math.floor((x - g.lo) * g.scale);
  // Per event: checked inline, not through at() (see summary.ts).
  let k = start[cell > 0 ? cell - 1 : 0];
  if (k === undefined) throw new RangeError(`lookupBin: cell ${cell} outside the guide's ${start.length}`);
  // The first edge above x ends the walk; past the last edge, k is the bin above every edge.
  for (let edge = edges[k]; edge !== undefined && edge <= x; edge = edges[k]) k++;
  return k;
}

/** The bin of x on `edges`; x must not be NaN. */
export function lookupBin(edges: readonly number[], x: number): number {
  return guidedBin(binGuide(edges), x);
}
