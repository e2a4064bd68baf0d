/**
 * Effect sizes between a reference and a window summarised as counts: PSI, Jensen–Shannon distance
 * and the 1-Wasserstein distance on shared histogram edges, plus the reference-mass grouping used to
 * compute PSI on (roughly) deciles.
 */
import { at } from '../indexing.js';

/** Validates non-negative finite counts and returns their sum (which must be > 0). */
function total(name: string, counts: readonly number[]): number {
  let sum = 0;
  for (const c of counts) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`${name}: counts must be finite and >= 0, got ${c}`);
    sum += c;
  }
  if (sum === 0) throw new RangeError(`${name}: counts sum to 0`);
  return sum;
}

function sameLength(name: string, a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`${name}: ${a.length} vs ${b.length} bins`);
}

/**
 * Population stability index Σ (w_i − r_i)·ln(w_i / r_i) over the bins' proportions. Each proportion
 * is floored at `epsilon` (no renormalisation afterwards) so a bin empty on one side gives a large but
 * finite term instead of infinity; bins empty on both sides contribute 0.
 */
export function psi(refCounts: readonly number[], winCounts: readonly number[], epsilon = 1e-4): number {
  sameLength('psi', refCounts, winCounts);
  if (!(epsilon > 0)) throw new RangeError(`psi: epsilon must be > 0, got ${epsilon}`);
  const nRef = total('psi(ref)', refCounts);
  const nWin = total('psi(window)', winCounts);
  let sum = 0;
  for (const [i, refCount] of refCounts.entries()) {
    const r = Math.max(epsilon, refCount / nRef);
    const w = Math.max(epsilon, at(winCounts, i, 'psi window counts') / nWin);
    sum += (w - r) * Math.log(w / r);
  }
  return sum;
}

/**
 * Jensen–Shannon distance: the square root of the JS divergence in bits, so it lies in [0, 1]:
 * 0 for identical distributions, 1 for disjoint supports.
 */
export function jensenShannonDistance(aCounts: readonly number[], bCounts: readonly number[]): number {
  sameLength('jensenShannonDistance', aCounts, bCounts);
  const nA = total('jensenShannonDistance(a)', aCounts);
  const nB = total('jensenShannonDistance(b)', bCounts);
  let divergence = 0;
  for (const [i, aCount] of aCounts.entries()) {
    const p = aCount / nA;
    const q = at(bCounts, i, 'jensenShannonDistance counts') / nB;
    const mid = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log2(p / mid);
    if (q > 0) divergence += 0.5 * q * Math.log2(q / mid);
  }
  return Math.sqrt(Math.min(1, Math.max(0, divergence)));
}

/** Sums of distances to the outer edges: below = Σ(edges[0] − x) over x < edges[0], above = Σ(x − edges[E−1]) over x > edges[E−1]. */
export interface TailSums {
  below: number;
  above: number;
}

/** ∫₀¹ |d0 + (d1 − d0)t| dt for a linear function, including a sign change inside the interval. */
function absLinearMean(d0: number, d1: number): number {
  if (d0 * d1 >= 0) return (Math.abs(d0) + Math.abs(d1)) / 2;
  return (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/**
 * 1-Wasserstein distance ∫|F_ref − F_win| dx between two distributions given as histograms on shared
 * `edges` (strictly increasing, E ≥ 1 of them; counts have E + 1 entries: bin 0 is x < edges[0], bin i
 * is [edges[i−1], edges[i]), bin E is x > edges[E−1]).
 *
 * Interior bins: mass is taken as uniform within each bin, so each CDF is linear across it and the
 * integral is computed exactly for those piecewise-linear CDFs (sign changes included). This equals
 * the true distance whenever, in every bin, both samples' mass sits at the same mean position relative
 * to the bin (e.g. uniform, or all at the midpoint) and F_ref − F_win keeps one sign across the bin.
 *
 * Outer regions: below edges[0], ∫F dx = tail.below / n for each distribution, so the region adds
 * |refTail.below/nRef − winTail.below/nWin|; above edges[E−1] likewise with the `above` sums. This is
 * exact when one CDF lies above the other throughout the region — in particular when only one of the
 * two has mass there, the usual case since the edges span the reference. When both have mass there and
 * their CDFs cross, it is a lower bound (the unknown exact value is at most the sum of the two terms).
 * With E = 1 there are no interior bins and only the two outer terms remain.
 * Returns the raw distance in the units of x.
 */
export function wasserstein1Binned(
  edges: readonly number[],
  refCounts: readonly number[],
  winCounts: readonly number[],
  refTail: TailSums,
  winTail: TailSums,
): number {
  const e = edges.length;
  if (e < 1) throw new RangeError('wasserstein1Binned: need at least one edge');
  let previous = -Infinity;
  for (const edge of edges) {
    if (!Number.isFinite(edge) || !(edge > previous)) {
      throw new RangeError('wasserstein1Binned: edges must be finite and strictly increasing');
    }
    previous = edge;
  }
  if (refCounts.length !== e + 1 || winCounts.length !== e + 1) {
    throw new RangeError(`wasserstein1Binned: counts need ${e + 1} bins, got ${refCounts.length} and ${winCounts.length}`);
  }
  for (const t of [refTail.below, refTail.above, winTail.below, winTail.above]) {
    if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`wasserstein1Binned: tail sums must be finite and >= 0, got ${t}`);
  }
  const nRef = total('wasserstein1Binned(ref)', refCounts);
  const nWin = total('wasserstein1Binned(window)', winCounts);

  let distance = Math.abs(refTail.below / nRef - winTail.below / nWin);
  distance += Math.abs(refTail.above / nRef - winTail.above / nWin);
  let cumRef = at(refCounts, 0, 'wasserstein1Binned reference counts');
  let cumWin = at(winCounts, 0, 'wasserstein1Binned window counts');
  for (let i = 1; i < e; i++) {
    const before = cumRef / nRef - cumWin / nWin;
    cumRef += at(refCounts, i, 'wasserstein1Binned reference counts');
    cumWin += at(winCounts, i, 'wasserstein1Binned window counts');
    const after = cumRef / nRef - cumWin / nWin;
    const width = at(edges, i, 'wasserstein1Binned edges') - at(edges, i - 1, 'wasserstein1Binned edges');
    distance += width * absLinearMean(before, after);
  }
  return distance;
}

/**
 * Groups consecutive bins of a reference histogram into about `groups` groups of roughly equal
 * reference mass. Returns, for each bin, its group index: non-decreasing, dense (0..G−1, G ≤ groups).
 * A bin goes to the group in which the midpoint of its mass falls; the two outer bins (below/above
 * the edges) always join the first and last group. Apply the same grouping to the window.
 */
export function referenceGrouping(refCounts: readonly number[], groups: number): number[] {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`referenceGrouping: groups must be a positive integer, got ${groups}`);
  const n = total('referenceGrouping', refCounts);
  const bins = refCounts.length;
  if (bins < 3) return refCounts.map(() => 0);
  const raw = new Array<number>(bins);
  let before = 0;
  for (let i = 1; i < bins - 1; i++) {
    const c = at(refCounts, i, 'referenceGrouping counts');
    raw[i] = Math.min(groups - 1, Math.floor((groups * (before + c / 2)) / n));
    before += c;
  }
  raw[0] = at(raw, 1, 'referenceGrouping groups');
  raw[bins - 1] = at(raw, bins - 2, 'referenceGrouping groups');
  const dense = new Array<number>(bins);
  let label = 0;
  for (let i = 0; i < bins; i++) {
    if (i > 0 && raw[i] !== raw[i - 1]) label++;
    dense[i] = label;
  }
  return dense;
}

/** Sums counts per group; `grouping` is the output of referenceGrouping for the same bins. */
export function applyGrouping(counts: readonly number[], grouping: readonly number[]): number[] {
  if (counts.length !== grouping.length) throw new RangeError(`applyGrouping: ${counts.length} counts vs ${grouping.length} bins`);
  const last = grouping.at(-1);
  const size = last === undefined ? 0 : last + 1;
  const out = new Array<number>(size).fill(0);
  for (const [i, g] of grouping.entries()) {
    if (!Number.isInteger(g) || g < 0 || g >= size) throw new RangeError(`applyGrouping: bad group index ${g} at bin ${i}`);
    out[g] = at(out, g, 'applyGrouping groups') + at(counts, i, 'applyGrouping counts');
  }
  return out;
}

/** Merges a reference histogram into about `groups` groups of roughly equal mass (its own grouping). */
export function coarsenCounts(counts: readonly number[], groups: number): number[] {
  return applyGrouping(counts, referenceGrouping(counts, groups));
}
