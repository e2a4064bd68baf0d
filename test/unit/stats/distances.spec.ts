import {
  applyGrouping,
  coarsenCounts,
  jensenShannonDistance,
  psi,
  referenceGrouping,
  wasserstein1Binned,
  type TailSums,
} from '../../../src/core/stats/distances.js';
import { expectClose } from './close.js';

// Reference values: scipy 1.17.1 where stated, otherwise computed by hand as shown.

/** Histogram in the bundle layout (bin 0: x < e0, bin i: [e(i−1), e(i)), last interior bin also takes x == e(E−1), bin E: x > e(E−1)). */
function histogram(edges: readonly number[], xs: readonly number[]): { counts: number[]; tail: TailSums } {
  const e = edges.length;
  const counts = new Array<number>(e + 1).fill(0);
  const tail = { below: 0, above: 0 };
  for (const x of xs) {
    if (x < edges[0]!) {
      counts[0]!++;
      tail.below += edges[0]! - x;
    } else if (x > edges[e - 1]!) {
      counts[e]!++;
      tail.above += x - edges[e - 1]!;
    } else if (x === edges[e - 1]) {
      counts[Math.max(e - 1, 1)]!++;
    } else {
      let lo = 0; // number of edges <= x
      let hi = e;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      counts[lo]!++;
    }
  }
  return { counts, tail };
}

describe('psi', () => {
  it('matches a hand computation', () => {
    // r = (.5, .3, .2), w = (.3, .3, .4):
    // (.3−.5)·ln(.3/.5) + 0 + (.4−.2)·ln(.4/.2) = 0.1021651… + 0.1386294… = 0.2407945608651872
    expectClose(psi([50, 30, 20], [30, 30, 40]), 0.2407945608651872, 1e-14);
  });
  it('floors empty proportions at epsilon', () => {
    // r = (1, 0 → 1e-4), w = (.9, .1): (.9−1)·ln(.9) + (.1−1e-4)·ln(.1/1e-4) = 0.7006208039360982
    expectClose(psi([100, 0], [90, 10]), 0.7006208039360982, 1e-14);
    // with epsilon = 1e-2: (.9−1)·ln(.9) + (.1−.01)·ln(10) = 0.01053605… + 0.20723265… = 0.21776871…
    expectClose(psi([100, 0], [90, 10], 1e-2), -0.1 * Math.log(0.9) + 0.09 * Math.log(10), 1e-14);
  });
  it('is 0 for proportional histograms and rejects bad input', () => {
    expect(psi([1, 2, 3, 0], [2, 4, 6, 0])).toBeCloseTo(0, 15);
    expect(() => psi([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => psi([0, 0], [1, 2])).toThrow(RangeError);
  });
});

describe('jensenShannonDistance', () => {
  it('matches a hand computation and scipy', () => {
    // p = (.5, .5), q = (1, 0), m = (.75, .25): JSD = ½[.5·log2(.5/.75) + .5·log2(.5/.25)] + ½·log2(1/.75)
    //   = ½·0.2075187… + ½·0.4150374… = 0.3112781…; distance = √JSD = 0.5579230…
    // scipy.spatial.distance.jensenshannon([1,1], [1,0], base=2) = 0.5579230452841438
    expectClose(jensenShannonDistance([1, 1], [1, 0]), 0.5579230452841438, 1e-14);
    // scipy.spatial.distance.jensenshannon([10,20,30,40], [25,25,25,25], base=2)
    expectClose(jensenShannonDistance([10, 20, 30, 40], [25, 25, 25, 25]), 0.20050332253142814, 1e-13);
  });
  it('is 0 for identical and 1 for disjoint distributions', () => {
    expect(jensenShannonDistance([3, 5, 0, 2], [6, 10, 0, 4])).toBeCloseTo(0, 7);
    expect(jensenShannonDistance([1, 0, 0], [0, 2, 3])).toBe(1);
  });
});

describe('wasserstein1Binned', () => {
  const zero: TailSums = { below: 0, above: 0 };

  it('is exact for mass at bin midpoints when one CDF dominates (plus an above-range tail)', () => {
    // ref at midpoints 0.5×3, 1.5×5, 2.5×4, 3.5×2, 4.5×1; window 1.5, 2.5×3, 3.5×4, 4.5×4, 6.0, 7.5
    // scipy.stats.wasserstein_distance(ref, win) = 1.85952380952381
    const edges = [0, 1, 2, 3, 4, 5];
    const w = wasserstein1Binned(edges, [0, 3, 5, 4, 2, 1, 0], [0, 0, 1, 3, 4, 4, 2], zero, { below: 0, above: 3.5 });
    expectClose(w, 1.85952380952381, 1e-13);
  });
  it('is exact when F_ref − F_win changes sign only at edges', () => {
    // ref 0.5, 0.5, 3.5, 3.5; window 0.5, 1.5, 2.5, 3.5: differences at edges 0, .25, 0, −.25, 0
    // scipy.stats.wasserstein_distance([0.5,0.5,3.5,3.5], [0.5,1.5,2.5,3.5]) = 0.5
    expectClose(wasserstein1Binned([0, 1, 2, 3, 4], [0, 2, 0, 0, 2, 0], [0, 1, 1, 1, 1, 0], zero, zero), 0.5, 1e-14);
  });
  it('is exact for a below-range tail only the window has', () => {
    // ref 1.5×2, 2.5×3, 3.5; window −2, −0.5, 0.5×2, 1.5×2, 2.5 (below tail = 2 + 0.5)
    // scipy.stats.wasserstein_distance(ref, win) = 1.7619047619047619
    const w = wasserstein1Binned([0, 1, 2, 3, 4], [0, 0, 2, 3, 1, 0], [2, 2, 2, 1, 0, 0], zero, { below: 2.5, above: 0 });
    expectClose(w, 1.7619047619047619, 1e-13);
  });
  it('integrates a sign change inside a bin exactly for uniform-within-bin mass', () => {
    // edges 0, 1, 2; ref: ½ uniform on [0,1), ½ at 3 (above tail 1); window: all uniform on [1,2).
    // F_ref − F_win at edges: 0, .5, −.5. Bin [0,1]: ∫ 0→.5 = .25; bin [1,2]: .5→−.5 crosses at 1.5,
    // ∫ = (.25 + .25)/(2·1) = .25; above: |1/2 − 0| = .5. Total 1.0.
    expectClose(wasserstein1Binned([0, 1, 2], [0, 1, 0, 1], [0, 0, 2, 0], { below: 0, above: 1 }, zero), 1, 1e-14);
  });
  it('handles a single edge (point-mass reference)', () => {
    // ref 5, 5, 5, 5; window 3, 5, 5, 8 (below tail 2, above tail 3)
    // scipy.stats.wasserstein_distance([5,5,5,5], [3,5,5,8]) = 1.25
    expectClose(wasserstein1Binned([5], [0, 4], [1, 3], zero, { below: 2, above: 3 }), 1.25, 1e-14);
  });
  it('approximates the sample distance on continuous data with fine quantile bins', () => {
    // ref_i = −ln(1 − frac((i+1)·0.6180339887498949)), i < 2000;
    // win_j = 0.2 + 1.3·(−ln(1 − frac((j+1)·0.7548776662466927))), j < 1500;
    // edges = sorted(ref)[round(k·1999/200)], k = 0..200.
    // scipy.stats.wasserstein_distance(ref, win) = 0.49850586777406153; the binned value (same formula in
    // Python) is 0.50269555…, 0.84% above, from spreading mass uniformly within bins: allow 2%.
    const ref = Array.from({ length: 2000 }, (_, i) => -Math.log(1 - (((i + 1) * 0.6180339887498949) % 1)));
    const win = Array.from({ length: 1500 }, (_, j) => 0.2 + 1.3 * -Math.log(1 - (((j + 1) * 0.7548776662466927) % 1)));
    const sorted = [...ref].sort((a, b) => a - b);
    const edges = Array.from({ length: 201 }, (_, k) => sorted[Math.round((k * 1999) / 200)]!);
    const r = histogram(edges, ref);
    const w = histogram(edges, win);
    const d = wasserstein1Binned(edges, r.counts, w.counts, r.tail, w.tail);
    expectClose(d, 0.5026955561314503, 1e-9);
    expectClose(d, 0.49850586777406153, 0.02);
  });
  it('is 0 for identical histograms, symmetric, and rejects bad input', () => {
    const edges = [0, 1, 2];
    expect(wasserstein1Binned(edges, [1, 2, 3, 4], [2, 4, 6, 8], { below: 1, above: 2 }, { below: 2, above: 4 })).toBeCloseTo(0, 14);
    const ab = wasserstein1Binned(edges, [0, 2, 1, 0], [1, 0, 3, 1], zero, { below: 0.5, above: 2 });
    const ba = wasserstein1Binned(edges, [1, 0, 3, 1], [0, 2, 1, 0], { below: 0.5, above: 2 }, zero);
    expectClose(ab, ba, 1e-15);
    expect(() => wasserstein1Binned([], [1], [1], zero, zero)).toThrow(RangeError);
    expect(() => wasserstein1Binned([1, 1], [1, 1, 1], [1, 1, 1], zero, zero)).toThrow(RangeError);
    expect(() => wasserstein1Binned([0, 1], [1, 1], [1, 1], zero, zero)).toThrow(RangeError);
    expect(() => wasserstein1Binned([0, 1], [1, 1, 1], [0, 0, 0], zero, zero)).toThrow(RangeError);
  });
});

describe('reference grouping', () => {
  it('splits equal bins into equal groups and merges the outer bins into the end groups', () => {
    const ref = [0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0];
    const grouping = referenceGrouping(ref, 5);
    expect(grouping).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
    expect(applyGrouping(ref, grouping)).toEqual([20, 20, 20, 20, 20]);
    expect(applyGrouping([3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7], grouping)).toEqual([5, 2, 2, 2, 9]);
  });
  it('keeps a heavy bin whole and numbers the groups densely', () => {
    // mass midpoints ×10/100: 0.25, 3.5, 6.75, 7.25, 7.75, 8.5, 9.5 → groups 0, 3, 6, 7, 7, 8, 9 → dense
    const ref = [0, 5, 60, 5, 5, 5, 10, 10, 0];
    expect(referenceGrouping(ref, 10)).toEqual([0, 0, 1, 2, 3, 3, 4, 5, 5]);
    expect(coarsenCounts(ref, 10)).toEqual([5, 60, 5, 10, 10, 10]);
    expect(coarsenCounts(ref, 4)).toEqual([5, 60, 10, 25]); // midpoints ×4/100: 0.1, 1.4, 2.7, 2.9, 3.1, 3.4, 3.8
  });
  it('handles degenerate inputs', () => {
    expect(referenceGrouping([4, 6], 10)).toEqual([0, 0]);
    expect(referenceGrouping([0, 7, 0], 10)).toEqual([0, 0, 0]);
    expect(() => referenceGrouping([1, 2, 3], 0)).toThrow(RangeError);
    expect(() => referenceGrouping([0, 0, 0], 3)).toThrow(RangeError);
    expect(() => applyGrouping([1, 2], [0])).toThrow(RangeError);
  });
});
