/**
 * Non-decreasing maps from a score to an accuracy: a least-squares line, or isotonic regression
 * (pool-adjacent-violators) interpolated linearly between its fitted points and held flat beyond
 * them. Both are plain JSON; predictions are clipped to [0, 1].
 */

export type MonotoneMap =
  | { kind: 'linear'; intercept: number; slope: number }
  | { kind: 'isotonic'; scores: number[]; accuracies: number[] };

/** Ordinary least squares a = β0 + β1·s. */
export function fitLinearMap(scores: readonly number[], accuracies: readonly number[]): MonotoneMap {
  const n = scores.length;
  const meanS = scores.reduce((a, b) => a + b, 0) / n;
  const meanA = accuracies.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  scores.forEach((s, i) => {
    sxx += (s - meanS) ** 2;
    sxy += (s - meanS) * (accuracies[i]! - meanA);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { kind: 'linear', intercept: meanA - slope * meanS, slope };
}

/** Isotonic (non-decreasing) least-squares fit by pool-adjacent-violators; equal scores are pooled first. */
export function fitIsotonicMap(scores: readonly number[], accuracies: readonly number[]): MonotoneMap {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Blocks of (mean score, mean accuracy, weight); adjacent blocks are merged while out of order.
  const blocks: Array<{ score: number; accuracy: number; weight: number }> = [];
  for (const i of order) {
    blocks.push({ score: scores[i]!, accuracy: accuracies[i]!, weight: 1 });
    for (;;) {
      const last = blocks[blocks.length - 1]!;
      const previous = blocks[blocks.length - 2];
      if (previous === undefined) break;
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

export function evaluateMap(map: MonotoneMap, score: number): number {
  if (map.kind === 'linear') return clip01(map.intercept + map.slope * score);
  const { scores, accuracies } = map;
  const last = scores.length - 1;
  if (score <= scores[0]!) return clip01(accuracies[0]!);
  if (score >= scores[last]!) return clip01(accuracies[last]!);
  let hi = 1;
  while (scores[hi]! < score) hi++;
  const w = (score - scores[hi - 1]!) / (scores[hi]! - scores[hi - 1]!);
  return clip01(accuracies[hi - 1]! + w * (accuracies[hi]! - accuracies[hi - 1]!));
}

/** Whether the map actually increases somewhere (a flat map carries no information). */
export function mapIncreases(map: MonotoneMap): boolean {
  if (map.kind === 'linear') return map.slope > 0;
  return map.accuracies[map.accuracies.length - 1]! > map.accuracies[0]!;
}

/** Ranks from 1, ties given their average rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    for (let i = start; i <= end; i++) result[order[i]!] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return result;
}

/** Spearman rank correlation (Pearson correlation of tie-averaged ranks); NaN if either side is constant. */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (rx.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  rx.forEach((r, i) => {
    sxy += (r - mean) * (ry[i]! - mean);
    sxx += (r - mean) ** 2;
    syy += (ry[i]! - mean) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
