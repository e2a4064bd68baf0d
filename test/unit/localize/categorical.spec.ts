/**
 * The conditional test of a categorical feature given the numeric ones: the reference classifier,
 * the score statistic under H0, under a marginal-preserving shuffle and under a pure shift of the
 * numeric features, and mergeability.
 */
import {
  addCategoricalRow,
  categoricalPoolTerms,
  categoricalReplicateStatistic,
  categoricalStatistic,
  createCategoricalStats,
  fitCategoricalModel,
  levelIndexer,
  mergeCategoricalStats,
  OTHER_LEVEL,
  type CategoricalModel,
  type CategoricalScoreStats,
} from '../../../src/core/localize/categorical.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

const D = 3;
const LEVELS = ['red', 'green', 'blue'];
/** True logits: level 0 is the baseline. */
const TRUE = [
  [0, 0, 0, 0],
  [0.3, 1.2, -0.5, 0],
  [-0.2, -0.8, 0, 0.9],
];

function sample(n: number, seed: number, shift = 0): { points: Float64Array; values: string[] } {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const points = new Float64Array(n * D);
  const values: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let m = 0; m < D; m++) points[r * D + m] = normal() + (m === 0 ? shift : 0);
    const logits = TRUE.map((w) => w[0]! + w[1]! * points[r * D]! + w[2]! * points[r * D + 1]! + w[3]! * points[r * D + 2]!);
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const total = e.reduce((a, b) => a + b, 0);
    let u = random() * total;
    let k = 0;
    while (u > e[k]! && k < 2) u -= e[k++]!;
    values.push(LEVELS[k]!);
  }
  return { points, values };
}

function windowStatistic(model: CategoricalModel, points: Float64Array, values: readonly (string | null)[], from = 0, to = values.length): CategoricalScoreStats {
  const stats = createCategoricalStats(model);
  const index = levelIndexer(model);
  for (let r = from; r < to; r++) addCategoricalRow(model, stats, points, r * D, index(values[r] ?? null));
  return stats;
}

describe('categorical conditional test', () => {
  const ref = sample(6000, 1);
  const model = fitCategoricalModel('colour', ref.points, D, ref.values)!;

  it('fits the reference classifier p̂(c | z) (multinomial logistic, penalised Newton)', () => {
    expect(model.levels.slice().sort()).toEqual([...LEVELS].sort());
    const base = model.levels[0]!;
    // Differences of logit weights between levels are identified; compare them with the truth.
    const w = (level: string) => model.weights.slice(model.levels.indexOf(level) * (D + 1), (model.levels.indexOf(level) + 1) * (D + 1));
    const truth = (level: string) => TRUE[LEVELS.indexOf(level)]!;
    for (const level of model.levels) {
      const fitted = w(level).map((v, m) => v - w(base)[m]!);
      const expected = truth(level).map((v, m) => v - truth(base)[m]!);
      fitted.forEach((v, m) => expect(Math.abs(v - expected[m]!)).toBeLessThan(0.15));
    }
  });

  it('is ≈ 1 under H0, also when the numeric features shift (it conditions on them)', () => {
    const stats: number[] = [];
    const shifted: number[] = [];
    for (let w = 0; w < 40; w++) {
      const clean = sample(500, 100 + w);
      stats.push(categoricalStatistic(windowStatistic(model, clean.points, clean.values)));
      const moved = sample(500, 200 + w, 1); // z_0 shifted by one sd, p(c | z) unchanged
      shifted.push(categoricalStatistic(windowStatistic(model, moved.points, moved.values)));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(stats)).toBeGreaterThan(0.7);
    expect(mean(stats)).toBeLessThan(1.4);
    expect(mean(shifted)).toBeLessThan(1.6);
  });

  it('grows with a marginal-preserving shuffle of the category among the rows', () => {
    const w = sample(500, 300);
    const before = categoricalStatistic(windowStatistic(model, w.points, w.values));
    const shuffled = [...w.values];
    const random = seededRandom(4);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
    }
    const after = categoricalStatistic(windowStatistic(model, w.points, shuffled));
    expect(after).toBeGreaterThan(10 * before);
    expect(after).toBeGreaterThan(10);
  });

  it('merges panes exactly and skips missing and unseen levels', () => {
    const w = sample(300, 400);
    const values: (string | null)[] = [...w.values];
    values[3] = null;
    values[7] = 'purple';
    const whole = windowStatistic(model, w.points, values);
    const merged = mergeCategoricalStats(windowStatistic(model, w.points, values, 120), windowStatistic(model, w.points, values, 0, 120));
    expect(merged.n).toBe(whole.n);
    expect(whole.skipped).toBe(2);
    merged.score.forEach((v, i) => expect(Math.abs(v - whole.score[i]!)).toBeLessThan(1e-9));
    expect(categoricalStatistic(merged)).toBeCloseTo(categoricalStatistic(whole), 9);
  });

  it('null replicates: summed per-row terms, and the linearised refit on a reference resample', () => {
    const index = levelIndexer(model);
    const codes = Int32Array.from(ref.values, (v) => index(v));
    const terms = categoricalPoolTerms(model, ref.points, codes);
    const window = Int32Array.from({ length: 400 }, (_, k) => (k * 7) % 6000);
    const direct = createCategoricalStats(model);
    for (const i of window) addCategoricalRow(model, direct, ref.points, i * D, codes[i]!);
    expect(categoricalReplicateStatistic(terms, window, null)).toBeCloseTo(categoricalStatistic(direct), 9);
    // The whole pool as the resample: a refit on it changes nothing.
    const everything = Int32Array.from({ length: 6000 }, (_, i) => i);
    expect(categoricalReplicateStatistic(terms, window, everything)).toBeCloseTo(categoricalStatistic(direct), 9);
    // The fitted classifier's score over its own rows is ≈ 0 (penalised ML equations).
    const scale = Math.sqrt(terms.variance.reduce((a, b) => a + b, 0));
    for (let m = 0; m < terms.width; m++) expect(Math.abs(terms.total[m]!)).toBeLessThan(0.05 * scale);
  });

  it('lumps rare levels into "other" and needs two levels', () => {
    const values = ref.values.map((v, i) => (i % 500 === 0 ? `rare${i}` : v));
    const m = fitCategoricalModel('colour', ref.points, D, values)!;
    expect(m.other).toBe(true);
    expect(m.levels[m.levels.length - 1]).toBe(OTHER_LEVEL);
    const index = levelIndexer(m);
    expect(index('rare500')).toBe(m.levels.length - 1);
    expect(index('never-seen')).toBe(-1); // never seen at fit: skipped (the marginal test reports it)
    expect(index(OTHER_LEVEL)).toBe(-1);
    expect(fitCategoricalModel('one', ref.points, D, ref.values.map(() => 'x'))).toBeNull();
  });
});
