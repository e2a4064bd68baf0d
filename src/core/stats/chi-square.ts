/**
 * Pearson chi-square: the distribution's survival function and the 2×K homogeneity test used to compare
 * a window's category counts with the reference's.
 */
import { regularizedGammaQ } from './special.js';
import { normalScoreFromLogTail, SCORE_FLOOR } from './normal.js';
import { at } from '../indexing.js';

/** P(X > x) for X ~ χ²(df), df > 0. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chiSquareSurvival: df must be > 0, got ${df}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

const NO_TEST: ChiSquareResult = { statistic: 0, df: 0, pValue: 1 };

/**
 * Chi-square test of homogeneity (no continuity correction) for the 2×K table whose rows are the
 * reference counts `a` and the window counts `b` over the same categories. Columns empty in both rows
 * are dropped; df = kept columns − 1. Expected counts come from the pooled table, so a category that
 * only the window has still has a positive expectation and simply adds to the statistic.
 * With fewer than two kept columns, or an empty row, there is nothing to test: {0, 0, 1}.
 */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): ChiSquareResult {
  if (a.length !== b.length) throw new RangeError(`chiSquareHomogeneity: ${a.length} vs ${b.length} categories`);
  const cols: Array<[number, number]> = [];
  let rowA = 0;
  let rowB = 0;
  for (const [k, x] of a.entries()) {
    const y = at(b, k, 'chiSquareHomogeneity window counts');
    if (!(x >= 0 && y >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(`chiSquareHomogeneity: counts must be finite and >= 0 (category ${k}: ${x}, ${y})`);
    }
    if (x === 0 && y === 0) continue;
    cols.push([x, y]);
    rowA += x;
    rowB += y;
  }
  if (cols.length < 2 || rowA === 0 || rowB === 0) return { ...NO_TEST };
  const total = rowA + rowB;
  let statistic = 0;
  for (const [x, y] of cols) {
    const col = x + y;
    const expA = (rowA * col) / total;
    const expB = (rowB * col) / total;
    statistic += ((x - expA) * (x - expA)) / expA + ((y - expB) * (y - expB)) / expB;
  }
  const df = cols.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/**
 * A chi-square test's evidence as a normal score Φ⁻¹(1 − p), given its p-value; once p underflows,
 * Wilson–Hilferty's cube-root normal approximation of the statistic, so evidence never saturates.
 */
export function chiSquareScore(statistic: number, df: number, p: number): number {
  if (p > 1e-290) return Math.max(SCORE_FLOOR, normalScoreFromLogTail(Math.log(p)));
  const v = 2 / (9 * df);
  return (Math.cbrt(statistic / df) - (1 - v)) / Math.sqrt(v);
}
