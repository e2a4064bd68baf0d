/**
 * Non-decreasing maps from a score to an accuracy: a least-squares line, or isotonic regression
 * (pool-adjacent-violators) interpolated linearly between its fitted points and held flat beyond
 * them. Both are plain JSON; predictions are clipped to [0, 1].
 */
import { at } from '../indexing.js';

export type MonotoneMap =
  | { kind: 'linear'; intercept: number; slope: number }
  | { kind: 'isotonic'; scores: number[]; accuracies: number[] };

function checkPairs(scores: readonly number[], accuracies: readonly number[], what: string): void {
  if (scores.length !== accuracies.length) throw new RangeError(`${what}: ${scores.length} scores vs ${accuracies.length} accuracies`);
}

/** Ordinary least squares a = β0 + β1·s. */
export function fitLinearMap(scores: readonly number[], accuracies: readonly number[]): MonotoneMap {
  checkPairs(scores, accuracies, 'fitLinearMap');
  const n = scores.length;
  const meanS = scores.reduce((a, b) => a + b, 0) / n;
  const meanA = accuracies.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  scores.forEach((s, i) => {
    sxx += (s - meanS) ** 2;
    sxy += (s - meanS) * (at(accuracies, i, 'fitLinearMap: accuracies') - meanA);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { kind: 'linear', intercept: meanA - slope * meanS, slope };
}

/** Isotonic (non-decreasing) least-squares fit by pool-adjacent-violators; equal scores are pooled first. */
export function fitIsotonicMap(scores: readonly number[], accuracies: readonly number[]): MonotoneMap {
  checkPairs(scores, accuracies, 'fitIsotonicMap');
  const score = (i: number) => at(scores, i, 'fitIsotonicMap: scores');
  const order = scores.map((_, i) => i).sort((a, b) => score(a) - score(b));
  // Blocks of (mean score, mean accuracy, weight); adjacent blocks are merged while out of order.
  const blocks: Array<{ score: number; accuracy: number; weight: number }> = [];
  for (const i of order) {
    blocks.push({ score: score(i), accuracy: at(accuracies, i, 'fitIsotonicMap: accuracies'), weight: 1 });
    for (;;) {
      const previous = blocks[blocks.length - 2];
      if (previous === undefined) break;
      const last = at(blocks, blocks.length - 1, 'fitIsotonicMap: blocks');
      if (previous.score !== last.score && previous.accuracy <= last.accuracy) break;
      const weight = previous.weight + last.weight;
      blocks.splice(blocks.length - 2, 2, {
        score: (previous.score * previous.weight + last.score * last.weight) / weight,
        accuracy: (previous.accuracy * previous.weight + last.accuracy * last.weight) / weight,
        weight,
      });
    }
  }
  return { kind: 'isotonic', scores: blocks.map((b) => b.score), accuracies: blocks.map((b) => b.accuracy) };
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** An isotonic map (from a bundle, say) must pair each fitted score with an accuracy, and have at least one. */
function checkIsotonic(map: Extract<MonotoneMap, { kind: 'isotonic' }>, what: string): { scores: number[]; accuracies: number[] } {
  checkPairs(map.scores, map.accuracies, what);
  if (map.scores.length === 0) throw new RangeError(`${what}: the isotonic map has no fitted points`);
  return map;
}

export function evaluateMap(map: MonotoneMap, score: number): number {
  if (map.kind === 'linear') return clip01(map.intercept + map.slope * score);
  const { scores, accuracies } = checkIsotonic(map, 'evaluateMap');
  const s = (i: number) => at(scores, i, 'isotonic map scores');
  const a = (i: number) => at(accuracies, i, 'isotonic map accuracies');
  const last = scores.length - 1;
  if (score <= s(0)) return clip01(a(0));
  if (score >= s(last)) return clip01(a(last));
  let hi = 1;
  while (s(hi) < score) hi++;
  const w = (score - s(hi - 1)) / (s(hi) - s(hi - 1));
  return clip01(a(hi - 1) + w * (a(hi) - a(hi - 1)));
}

/** Whether the map actually increases somewhere (a flat map carries no information). */
export function mapIncreases(map: MonotoneMap): boolean {
  if (map.kind === 'linear') return map.slope > 0;
  const { accuracies } = checkIsotonic(map, 'mapIncreases');
  return at(accuracies, accuracies.length - 1) > at(accuracies, 0);
}

/** Ranks from 1, ties given their average rank. */
function ranks(values: readonly number[]): number[] {
  const value = (i: number) => at(values, i, 'ranks');
  const order = values.map((_, i) => i).sort((a, b) => value(a) - value(b));
  const sorted = (rank: number) => value(at(order, rank, 'ranks: order'));
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && sorted(end + 1) === sorted(start)) end++;
    for (let i = start; i <= end; i++) result[at(order, i, 'ranks: order')] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return result;
}

/** Spearman rank correlation (Pearson correlation of tie-averaged ranks); NaN if either side is constant. */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`spearmanCorrelation: ${x.length} vs ${y.length} values`);
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (rx.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  rx.forEach((r, i) => {
    const q = at(ry, i, 'spearmanCorrelation: ranks');
    sxy += (r - mean) * (q - mean);
    sxx += (r - mean) ** 2;
    syy += (q - mean) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
