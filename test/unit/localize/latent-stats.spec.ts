/**
 * Latent sufficient statistics: merge laws, snapshots, the ridge rule, and pane invariance of the
 * statistic S (Gaussian closed form and the flow's latent-Gaussian statistic through the float64
 * flow maths).
 */
import { latent, vjp } from '../../../src/core/flow/flow-math.js';
import { fisherFromScoreDifferences, gaussianFisherFromStats, scoreDifferenceSeeds } from '../../../src/core/localize/fisher.js';
import {
  addPoint,
  addPoints,
  createLatentStats,
  defaultRidge,
  latentMoments,
  mergeInto,
  mergeLatentStats,
  restoreLatentStats,
  snapshotLatentStats,
  type LatentStats,
} from '../../../src/core/localize/latent-stats.js';
import { randomFlow, randomRows } from '../flow/random-flow.js';

function statsOf(rows: Float64Array[], from = 0, to = rows.length): LatentStats {
  const s = createLatentStats(rows[0]!.length);
  for (let r = from; r < to; r++) addPoint(s, rows[r]!);
  return s;
}

function expectStatsClose(a: LatentStats, b: LatentStats, tol = 1e-10): void {
  expect(a.n).toBe(b.n);
  a.sum.forEach((v, i) => expect(Math.abs(v - b.sum[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
  a.sumOuter.forEach((v, i) => expect(Math.abs(v - b.sumOuter[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

describe('latent statistics', () => {
  const rows = randomRows(300, 4, 11);

  it('merge is commutative, associative and equal to one pass', () => {
    const a = statsOf(rows, 0, 70);
    const b = statsOf(rows, 70, 200);
    const c = statsOf(rows, 200);
    const whole = statsOf(rows);
    expectStatsClose(mergeLatentStats(a, b), mergeLatentStats(b, a), 0);
    expectStatsClose(mergeLatentStats(mergeLatentStats(a, b), c), mergeLatentStats(a, mergeLatentStats(b, c)));
    expectStatsClose(mergeLatentStats(mergeLatentStats(a, b), c), whole);
  });

  it('snapshot → JSON → restore round-trips exactly', () => {
    const s = statsOf(rows);
    const back = restoreLatentStats(JSON.parse(JSON.stringify(snapshotLatentStats(s))));
    expectStatsClose(back, s, 0);
    addPoint(back, rows[0]!);
    expect(back.n).toBe(s.n + 1);
  });

  it('moments: mean, sample covariance and the ridge rule of docs/algorithms.md#conditional-shift', () => {
    const s = statsOf(rows);
    const m = latentMoments(s, { ridge: 0 });
    const d = 4;
    for (let i = 0; i < d; i++) {
      const mean = rows.reduce((acc, r) => acc + r[i]!, 0) / rows.length;
      expect(Math.abs(m.mean[i]! - mean)).toBeLessThan(1e-12);
      for (let j = 0; j < d; j++) {
        const meanJ = rows.reduce((acc, r) => acc + r[j]!, 0) / rows.length;
        const cov = rows.reduce((acc, r) => acc + (r[i]! - mean) * (r[j]! - meanJ), 0) / (rows.length - 1);
        expect(Math.abs(m.cov[i * d + j]! - cov)).toBeLessThan(1e-12);
      }
    }
    expect(latentMoments(s).ridge).toBe(1e-5); // n = 300 ≥ 5d
    const small = statsOf(rows, 0, 15); // n = 15 < 5d = 20
    const trace = [0, 1, 2, 3].reduce((acc, i) => acc + latentMoments(small, { ridge: 0 }).cov[i * 4 + i]!, 0);
    expect(latentMoments(small).ridge).toBeCloseTo((1e-3 * trace) / 4, 15);
    expect(defaultRidge(19, 4, 8)).toBe(2e-3);
    expect(defaultRidge(20, 4, 8)).toBe(1e-5);
  });
});

describe('the statistic does not depend on how the window was split into panes', () => {
  const d = 4;
  const n = 240;
  const split = [0, 17, 100, 101, 240];

  it('Gaussian variant: S from merged pane statistics equals S from one pass', () => {
    const rows = randomRows(n, d, 5);
    const reference = latentMoments(statsOf(randomRows(2000, d, 6)));
    const whole = statsOf(rows);
    const panes = createLatentStats(d);
    for (let p = split.length - 2; p >= 0; p--) mergeInto(panes, statsOf(rows, split[p], split[p + 1])); // merged out of order
    const a = gaussianFisherFromStats(reference, latentMoments(whole), whole);
    const b = gaussianFisherFromStats(reference, latentMoments(panes), panes);
    a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThanOrEqual(1e-10 * v));
  });

  it('flow latent-Gaussian statistic (float64 flow maths): pane-merged equals one pass', () => {
    const model = randomFlow({ kind: 'affine', activation: 'tanh', dim: d, seed: 3 });
    const x = randomRows(n, d, 8, 1.5);
    const z = x.map((row) => latent(model, row));
    const flat = new Float64Array(n * d);
    z.forEach((row, r) => flat.set(row, r * d));
    const statistic = (stats: LatentStats): Float64Array => {
      const v = scoreDifferenceSeeds(flat, n, latentMoments(stats), { kind: 'base', base: model.base }, new Float64Array(n * d));
      const g = new Float64Array(n * d);
      for (let r = 0; r < n; r++) g.set(vjp(model, x[r]!, v.subarray(r * d, (r + 1) * d)), r * d);
      return fisherFromScoreDifferences(g, n, d);
    };
    const whole = createLatentStats(d);
    addPoints(whole, flat, n);
    const panes = [1, 3, 0, 2].map((p) => statsOf(z, split[p], split[p + 1])).reduce((acc, s) => mergeLatentStats(acc, s));
    const a = statistic(whole);
    const b = statistic(panes);
    a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThanOrEqual(1e-9 * v));
  });
});
