/**
 * The conditional Fisher divergence (docs/algorithms.md#conditional-shift): closed-form Gaussian cases, identical
 * models, and agreement between the row-wise and the sufficient-statistics forms.
 */
import { inverseSpd } from '../../../src/core/localize/dense.js';
import {
  fisherFromScoreDifferences,
  gaussianFisherExpectation,
  gaussianFisherFromStats,
  gaussianScoreDifference,
  referenceScore,
  scoreDifferenceSeeds,
} from '../../../src/core/localize/fisher.js';
import { addPoints, createLatentStats, latentMoments } from '../../../src/core/localize/latent-stats.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { expectClose } from '../stats/close.js';

const SIGMA = [1, 0.5, 0.5, 1];

describe('closed-form Gaussian cases of docs/algorithms.md#conditional-shift', () => {
  it('mean shift μ_q = (1, 0) with Σ = [[1, .5], [.5, 1]] gives S = (16/9, 4/9) = δ²(Σ⁻¹e_0)²', () => {
    const s = gaussianFisherExpectation({ mean: [0, 0], cov: SIGMA }, { mean: [1, 0], cov: SIGMA });
    expectClose(s[0]!, 16 / 9, 1e-14, 'S_0');
    expectClose(s[1]!, 4 / 9, 1e-14, 'S_1');
    expect(s[0]!.toFixed(3)).toBe('1.778');
    expect(s[1]!.toFixed(3)).toBe('0.444');
  });

  it('1-D variance change N(0, 1) vs N(0, 4) gives (1/σ_q² − 1)²(1 + σ_q²)/2 = 1.40625', () => {
    const s = gaussianFisherExpectation({ mean: [0], cov: [1] }, { mean: [0], cov: [4] });
    expect(s[0]).toBe(1.40625);
  });

  it('a mean shift reaches the Markov-blanket neighbour: S_k = δ²(Σ⁻¹)_kj² (docs/algorithms.md#conditional-shift)', () => {
    const cov = [2, 0.6, 0.3, 0.6, 1, 0.4, 0.3, 0.4, 1.5];
    const precision = inverseSpd(Float64Array.from(cov), 3);
    const delta = 0.7;
    const s = gaussianFisherExpectation({ mean: [0, 0, 0], cov }, { mean: [0, delta, 0], cov });
    for (let k = 0; k < 3; k++) expectClose(s[k]!, delta ** 2 * precision[k * 3 + 1]! ** 2, 1e-12, `S_${k}`);
  });

  it('identical models give S ≡ 0', () => {
    const p = { mean: [0.3, -1, 2], cov: [2, 0.6, 0.3, 0.6, 1, 0.4, 0.3, 0.4, 1.5] };
    expect(Array.from(gaussianFisherExpectation(p, p))).toEqual([0, 0, 0]);
  });
});

/** n rows of N(mean, LLᵀ) for a fixed lower-triangular L (d = 3). */
function gaussianRows(n: number, seed: number): Float64Array {
  const normal = gaussian(seededRandom(seed));
  const L = [1.2, 0, 0, 0.5, 0.8, 0, -0.3, 0.4, 0.6];
  const mean = [1, -2, 0.5];
  const out = new Float64Array(n * 3);
  for (let r = 0; r < n; r++) {
    const e = [normal(), normal(), normal()];
    for (let i = 0; i < 3; i++) {
      let v = mean[i]!;
      for (let k = 0; k <= i; k++) v += L[i * 3 + k]! * e[k]!;
      out[r * 3 + i] = v;
    }
  }
  return out;
}

describe('statistics at a window’s rows', () => {
  const d = 3;
  const reference = latentMoments((() => {
    const s = createLatentStats(d);
    addPoints(s, gaussianRows(5000, 1), 5000);
    return s;
  })());

  it('the Gaussian variant from sufficient statistics equals the mean of g² over the rows', () => {
    const n = 400;
    const rows = gaussianRows(n, 2);
    for (let r = 0; r < n; r++) rows[r * d + 1]! += 0.3 * rows[r * d]!; // a conditional change
    const stats = createLatentStats(d);
    addPoints(stats, rows, n);
    const window = latentMoments(stats);
    const scale = [2, 0.5, 3];
    const fromStats = gaussianFisherFromStats(reference, window, stats, scale);
    const g = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      const gr = gaussianScoreDifference(rows.subarray(r * d, (r + 1) * d), reference, window);
      for (let j = 0; j < d; j++) g[r * d + j] = gr[j]! / scale[j]!;
    }
    const fromRows = fisherFromScoreDifferences(g, n, d);
    for (let j = 0; j < d; j++) expectClose(fromStats[j]!, fromRows[j]!, 1e-9, `S_${j}`);
  });

  it('the latent seeds are v = Σ_w⁻¹(z − μ_w) − z for the standard normal base', () => {
    const n = 50;
    const z = gaussianRows(n, 3);
    const stats = createLatentStats(d);
    addPoints(stats, z, n);
    const window = latentMoments(stats);
    const v = scoreDifferenceSeeds(z, n, window, { kind: 'base', base: { kind: 'normal' } }, new Float64Array(n * d));
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        let expected = -z[r * d + i]!;
        for (let k = 0; k < d; k++) expected += window.precision[i * d + k]! * (z[r * d + k]! - window.mean[k]!);
        expectClose(v[r * d + i]!, expected, 1e-12);
      }
    }
  });

  it('identical models give S ≡ 0: a latent reference equal to the window model gives v ≡ 0', () => {
    const n = 200;
    const z = gaussianRows(n, 4);
    const stats = createLatentStats(d);
    addPoints(stats, z, n);
    const window = latentMoments(stats);
    const same = { kind: 'gaussian' as const, mean: Array.from(window.mean), precision: Array.from(window.precision) };
    const v = scoreDifferenceSeeds(z, n, window, same, new Float64Array(n * d));
    expect(Math.max(...v.map(Math.abs))).toBeLessThan(1e-12);
    expect(Array.from(gaussianFisherFromStats(window, window, stats))).toEqual([0, 0, 0]);
  });

  it('the Gaussian latent reference score is −P(z − μ)', () => {
    const ref = { kind: 'gaussian' as const, mean: [1, 2], precision: [2, 0.5, 0.5, 1] };
    expect(Array.from(referenceScore(ref, Float64Array.from([2, 2]), 2))).toEqual([-2, -0.5]);
  });
});
