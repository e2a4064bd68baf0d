/**
 * A conditional test for a categorical feature c given the numeric features [ours].
 *
 * The flow models only the numeric features, so the score statistic (fisher.ts) has nothing to say
 * about c. The marginal χ² test of c stays; this adds H0_c: q(c | x) = p(c | x), the categorical
 * analogue of the numeric conditional test, which catches a category that is still drawn with the right frequencies but no
 * longer matches the rest of the row (a join against the wrong table, a stale lookup, a shuffled
 * column).
 *
 * Design: a score test of a fixed reference classifier.
 * - Fit time: a multinomial logistic regression of c on h = (1, z), with z the flow's latent point
 *   (or the standardised numeric features in the Gaussian variant), by penalised Newton on the
 *   reference rows. Levels rarer than `minCount` share an "other" level.
 * - Window: with p̂_i = p̂(· | z_i) and y_i the one-hot level, the score of the logistic model at the
 *   reference fit, U_km = Σ_i (y_ik − p̂_ik)·h_im, has conditional mean 0 under H0_c whatever the
 *   distribution of z in the window, because E[y_ik − p̂_ik | z_i] = 0. Its conditional variance is
 *   V_km = Σ_i p̂_ik(1 − p̂_ik)·h_im². The statistic is T = mean_{k,m} U_km²/V_km (≈ 1 under H0).
 *   U, V and n are sums of per-row terms of a fixed model: panes and partitions merge exactly, and
 *   there is no second pass.
 * - Calibration: the same bootstrap null as the numeric statistics (null.ts), so correlations
 *   between the K(d+1) terms and the classifier's residual misfit are accounted for. The
 *   classifier is fitted on the null's pool, and each replicate emulates refitting it on the
 *   replicate's reference resample by one linearised Newton step: the window's score becomes
 *   U − (W/N)·(U_resample − U_pool), because a refit moves θ by I_N⁻¹(U_resample − U_pool) and the
 *   window's score responds through I_W ≈ (W/N)·I_N. Without it, windows scored by a classifier
 *   fitted on their own rows look too well explained (measured: 15% false alarms at α = 0.05).
 *
 * Power: U_k,m/n → −ρ·Cov(p̂_k(z), z_m) when a share ρ of the rows get a category unrelated to z
 * (intercept terms stay ≈ 0: the marginal is intact), so T − 1 grows like n·ρ²·(dependence of c on
 * z)², the Rao score test's local power. It has no power against changes that the reference
 * classifier cannot express (a level whose link to z is not captured by a linear logit in z), nor
 * when c carries no information about the numeric features in the reference (then H0_c is just the
 * marginal test). Because it conditions on z, a pure shift of the numeric features leaves it quiet
 * to the extent that the logistic model is well specified; misspecification shows up as a bias that
 * grows with the size of the numeric shift.
 */

import { outOfRange } from '../indexing.js';

export interface CategoricalModel {
  feature: string;
  /** Modelled levels; when `other` is true the last one is "other", the lumped rare levels. */
  levels: string[];
  other: boolean;
  /**
   * The reference levels lumped into "other" (rare ones), or null when there were more than
   * MAX_LISTED_LUMPED of them: then every level that is not modelled counts as "other". A level
   * listed nowhere was never seen in the reference: its rows are skipped here (the marginal test
   * reports new categories).
   */
  lumped: string[] | null;
  /** Covariate dimension d (h = (1, z) has d + 1 entries). */
  dim: number;
  /** K×(d+1) row-major logit weights; level 0's row is all zeros (the baseline). */
  weights: number[];
  /** Reference rows the model was fitted on. */
  rows: number;
}

export const OTHER_LEVEL = '__other__';
export const MAX_LISTED_LUMPED = 1000;

export interface CategoricalFitOptions {
  /** Levels with fewer reference rows share an "other" level. Default max(20, 0.5% of the rows). */
  minCount?: number;
  /** At most this many modelled levels (the most frequent; the rest go to "other"). Default 12. */
  maxLevels?: number;
  /** L2 penalty on the slopes (not the intercepts). Default 1. */
  penalty?: number;
  maxIterations?: number;
}

/**
 * Fits p̂(c | z) on `n` reference rows: `points` row-major (n × dim), `values` the level of each row
 * (null = missing, skipped). Returns null when fewer than two levels are left.
 */
export function fitCategoricalModel(feature: string, points: ArrayLike<number>, dim: number, values: readonly (string | null)[], options: CategoricalFitOptions = {}): CategoricalModel | null {
  const n = values.length;
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const minCount = options.minCount ?? Math.max(20, Math.ceil(0.005 * n));
  const maxLevels = options.maxLevels ?? 12;
  const frequent = [...counts.entries()].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const keep = frequent.slice(0, frequent.length > maxLevels ? maxLevels - 1 : maxLevels).map(([level]) => level);
  const other = keep.length < counts.size;
  const levels = other ? [...keep, OTHER_LEVEL] : keep;
  if (levels.length < 2) return null;
  const lumpedLevels = [...counts.keys()].filter((level) => !keep.includes(level));
  const lumped = lumpedLevels.length <= MAX_LISTED_LUMPED ? lumpedLevels : null;
  const model: CategoricalModel = { feature, levels, other, lumped, dim, weights: new Array<number>(levels.length * (dim + 1)).fill(0), rows: 0 };
  const index = levelIndexer(model);
  const codes = Int32Array.from(values, (v) => index(v));
  model.rows = codes.filter((c) => c >= 0).length;
  newtonFit(model, points, codes, options.penalty ?? 1, options.maxIterations ?? 30);
  return model;
}

/** Maps a raw value to the model's level index: lumped levels to "other"; null and never-seen levels to −1. */
export function levelIndexer(model: CategoricalModel): (value: string | null) => number {
  const map = new Map<string, number>();
  model.levels.forEach((level, i) => {
    if (!(model.other && i === model.levels.length - 1)) map.set(level, i);
  });
  const otherIndex = model.other ? model.levels.length - 1 : -1;
  if (model.lumped !== null) for (const level of model.lumped) map.set(level, otherIndex);
  const unknown = model.lumped === null ? otherIndex : -1;
  return (value) => (value === null ? -1 : (map.get(value) ?? unknown));
}

/** Class probabilities for one point (h = (1, z[offset..offset+d))). */
function probabilities(model: CategoricalModel, points: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
  const { dim: d, weights } = model;
  const K = model.levels.length;
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    const row = k * (d + 1);
    let logit = weights[row] ?? outOfRange('weights', row, weights);
    for (let m = 0; m < d; m++) logit += (weights[row + 1 + m] ?? outOfRange('weights', row + 1 + m, weights)) * (points[offset + m] ?? outOfRange('points', offset + m, points));
    out[k] = logit;
    if (logit > max) max = logit;
  }
  let total = 0;
  for (let k = 0; k < K; k++) total += out[k] = Math.exp((out[k] ?? outOfRange('logits', k, out)) - max);
  for (let k = 0; k < K; k++) out[k] = (out[k] ?? outOfRange('probabilities', k, out)) / total;
  return out;
}

/** Penalised maximum likelihood by Newton's method with step halving; level 0 is the baseline. */
function newtonFit(model: CategoricalModel, points: ArrayLike<number>, codes: Int32Array, penalty: number, maxIterations: number): void {
  const d = model.dim;
  const K = model.levels.length;
  const h = d + 1;
  const P = (K - 1) * h;
  const p = new Float64Array(K);
  const objective = (): number => {
    let ll = 0;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i] ?? outOfRange('level codes', i, codes);
      if (c < 0) continue;
      probabilities(model, points, i * d, p);
      ll += Math.log(Math.max(p[c] ?? outOfRange('class probabilities', c, p), 1e-300));
    }
    for (let k = 1; k < K; k++) for (let m = 1; m < h; m++) ll -= 0.5 * penalty * (model.weights[k * h + m] ?? outOfRange('weights', k * h + m, model.weights)) ** 2;
    return ll;
  };
  let current = objective();
  const x = new Float64Array(h);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const grad = new Float64Array(P);
    const hess = new Float64Array(P * P); // negative Hessian (positive definite)
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i] ?? outOfRange('level codes', i, codes);
      if (c < 0) continue;
      probabilities(model, points, i * d, p);
      x[0] = 1;
      for (let m = 0; m < d; m++) x[m + 1] = points[i * d + m] ?? outOfRange('points', i * d + m, points);
      for (let k = 1; k < K; k++) {
        const pk = p[k] ?? outOfRange('class probabilities', k, p);
        const r = (c === k ? 1 : 0) - pk;
        const gk = (k - 1) * h;
        for (let m = 0; m < h; m++) grad[gk + m] = (grad[gk + m] ?? outOfRange('gradient', gk + m, grad)) + r * (x[m] ?? outOfRange('covariates h', m, x));
        for (let l = k; l < K; l++) {
          const w = (k === l ? pk : 0) - pk * (p[l] ?? outOfRange('class probabilities', l, p));
          if (w === 0) continue;
          const gl = (l - 1) * h;
          for (let m = 0; m < h; m++) {
            const wm = w * (x[m] ?? outOfRange('covariates h', m, x));
            const row = (gk + m) * P + gl;
            for (let q = 0; q < h; q++) hess[row + q] = (hess[row + q] ?? outOfRange('Hessian', row + q, hess)) + wm * (x[q] ?? outOfRange('covariates h', q, x));
          }
        }
      }
    }
    for (let k = 1; k < K; k++) {
      for (let m = 1; m < h; m++) {
        const a = (k - 1) * h + m;
        grad[a] = (grad[a] ?? outOfRange('gradient', a, grad)) - (penalty * (model.weights[k * h + m] ?? outOfRange('weights', k * h + m, model.weights)));
        hess[a * P + a] = (hess[a * P + a] ?? outOfRange('Hessian', a * P + a, hess)) + penalty;
      }
      const intercept = (k - 1) * h * P + (k - 1) * h;
      hess[intercept] = (hess[intercept] ?? outOfRange('Hessian', intercept, hess)) + 1e-8; // intercepts: keep it positive definite
    }
    // Only the blocks (k, l ≥ k) were accumulated; mirror them into the lower blocks.
    for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) if (Math.floor(b / h) < Math.floor(a / h)) hess[a * P + b] = hess[b * P + a] ?? outOfRange('Hessian', b * P + a, hess);
    const step = solveSpd(hess, grad, P);
    const before = model.weights.slice();
    let scale = 1;
    let accepted = false;
    for (let halving = 0; halving < 20; halving++) {
      for (let k = 1; k < K; k++) for (let m = 0; m < h; m++) model.weights[k * h + m] = (before[k * h + m] ?? outOfRange('weights', k * h + m, before)) + scale * (step[(k - 1) * h + m] ?? outOfRange('Newton step', (k - 1) * h + m, step));
      const next = objective();
      if (next >= current - 1e-12) {
        accepted = true;
        const gain = next - current;
        current = next;
        if (gain < 1e-9 * Math.max(1, Math.abs(current))) return;
        break;
      }
      scale /= 2;
    }
    if (!accepted) {
      model.weights = before;
      return;
    }
  }
}

function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] ?? outOfRange('matrix', i * n + j, a);
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] ?? outOfRange('Cholesky factor', i * n + k, l)) * (l[j * n + k] ?? outOfRange('Cholesky factor', j * n + k, l));
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(sum, 1e-300));
      else l[i * n + j] = sum / (l[j * n + j] ?? outOfRange('Cholesky factor', j * n + j, l));
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? outOfRange('right-hand side', i, b);
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? outOfRange('Cholesky factor', i * n + k, l)) * (y[k] ?? outOfRange('forward solution', k, y));
    y[i] = sum / (l[i * n + i] ?? outOfRange('Cholesky factor', i * n + i, l));
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] ?? outOfRange('forward solution', i, y);
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? outOfRange('Cholesky factor', k * n + i, l)) * (x[k] ?? outOfRange('solution', k, x));
    x[i] = sum / (l[i * n + i] ?? outOfRange('Cholesky factor', i * n + i, l));
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Window statistics (mergeable)

export interface CategoricalScoreStats {
  /** Rows with a modelled level. */
  n: number;
  /** Rows skipped: missing value or a level never seen in the reference (the marginal test's job). */
  skipped: number;
  /** U, K×(d+1) row-major. */
  score: Float64Array;
  /** V, K×(d+1) row-major. */
  variance: Float64Array;
}

export function createCategoricalStats(model: CategoricalModel): CategoricalScoreStats {
  const size = model.levels.length * (model.dim + 1);
  return { n: 0, skipped: 0, score: new Float64Array(size), variance: new Float64Array(size) };
}

/** Adds one row: its point z (at `offset` in `points`) and its level index (−1: skipped). */
export function addCategoricalRow(model: CategoricalModel, stats: CategoricalScoreStats, points: ArrayLike<number>, offset: number, level: number, scratch = new Float64Array(model.levels.length)): void {
  if (level < 0) {
    stats.skipped++;
    return;
  }
  const d = model.dim;
  const K = model.levels.length;
  const p = probabilities(model, points, offset, scratch);
  for (let k = 0; k < K; k++) {
    const pk = p[k] ?? outOfRange('class probabilities', k, p);
    const r = (k === level ? 1 : 0) - pk;
    const w = pk * (1 - pk);
    const row = k * (d + 1);
    stats.score[row] = (stats.score[row] ?? outOfRange('score U', row, stats.score)) + r;
    stats.variance[row] = (stats.variance[row] ?? outOfRange('variance V', row, stats.variance)) + w;
    for (let m = 0; m < d; m++) {
      const x = points[offset + m] ?? outOfRange('points', offset + m, points);
      stats.score[row + 1 + m] = (stats.score[row + 1 + m] ?? outOfRange('score U', row + 1 + m, stats.score)) + r * x;
      stats.variance[row + 1 + m] = (stats.variance[row + 1 + m] ?? outOfRange('variance V', row + 1 + m, stats.variance)) + w * x * x;
    }
  }
  stats.n++;
}

export function mergeCategoricalStats(a: Readonly<CategoricalScoreStats>, b: Readonly<CategoricalScoreStats>): CategoricalScoreStats {
  if (a.score.length !== b.score.length) throw new RangeError('cannot merge categorical statistics of different models');
  return {
    n: a.n + b.n,
    skipped: a.skipped + b.skipped,
    score: a.score.map((v, i) => v + (b.score[i] ?? outOfRange('score U', i, b.score))),
    variance: a.variance.map((v, i) => v + (b.variance[i] ?? outOfRange('variance V', i, b.variance))),
  };
}

/** T = mean over terms with V > 0 of U²/V; NaN when the window has no modelled rows. */
export function categoricalStatistic(stats: Readonly<CategoricalScoreStats>): number {
  let total = 0;
  let terms = 0;
  for (let i = 0; i < stats.score.length; i++) {
    const v = stats.variance[i] ?? outOfRange('variance V', i, stats.variance);
    if (v > 1e-12) {
      const u = stats.score[i] ?? outOfRange('score U', i, stats.score);
      total += (u * u) / v;
      terms++;
    }
  }
  return terms > 0 ? total / terms : NaN;
}

// ---------------------------------------------------------------------------------------------
// Fit-time null (null.ts callback): per-row terms of the pool, summed per replicate

/** Per-row score and variance terms of the pool rows (row-major, K(d+1) each) and the score total. */
export interface CategoricalPoolTerms {
  rows: number;
  width: number;
  score: Float64Array;
  variance: Float64Array;
  total: Float64Array;
}

export function categoricalPoolTerms(model: CategoricalModel, points: ArrayLike<number>, levels: Int32Array): CategoricalPoolTerms {
  const width = model.levels.length * (model.dim + 1);
  const n = levels.length;
  const score = new Float64Array(n * width);
  const variance = new Float64Array(n * width);
  const total = new Float64Array(width);
  const one = createCategoricalStats(model);
  const scratch = new Float64Array(model.levels.length);
  for (let r = 0; r < n; r++) {
    one.score.fill(0);
    one.variance.fill(0);
    addCategoricalRow(model, one, points, r * model.dim, levels[r] ?? outOfRange('pool levels', r, levels), scratch);
    score.set(one.score, r * width);
    variance.set(one.variance, r * width);
    for (let k = 0; k < width; k++) total[k] = (total[k] ?? outOfRange('score total', k, total)) + (one.score[k] ?? outOfRange('row score terms', k, one.score));
  }
  return { rows: n, width, score, variance, total };
}

/**
 * T of one null replicate: the window's rows `window` of the pool, with the linearised refit on
 * the reference resample `resample` (null: the classifier kept as fitted).
 */
export function categoricalReplicateStatistic(terms: CategoricalPoolTerms, window: ArrayLike<number>, resample: ArrayLike<number> | null): number {
  const { width } = terms;
  const u = new Float64Array(width);
  const v = new Float64Array(width);
  for (let k = 0; k < window.length; k++) {
    const o = (window[k] ?? outOfRange('window rows', k, window)) * width;
    for (let m = 0; m < width; m++) {
      u[m] = (u[m] ?? outOfRange('window score', m, u)) + (terms.score[o + m] ?? outOfRange('pool score terms', o + m, terms.score));
      v[m] = (v[m] ?? outOfRange('window variance', m, v)) + (terms.variance[o + m] ?? outOfRange('pool variance terms', o + m, terms.variance));
    }
  }
  if (resample !== null && resample.length > 0) {
    const shift = new Float64Array(width);
    for (let k = 0; k < resample.length; k++) {
      const o = (resample[k] ?? outOfRange('resample rows', k, resample)) * width;
      for (let m = 0; m < width; m++) shift[m] = (shift[m] ?? outOfRange('resample score', m, shift)) + (terms.score[o + m] ?? outOfRange('pool score terms', o + m, terms.score));
    }
    const factor = window.length / resample.length;
    for (let m = 0; m < width; m++) u[m] = (u[m] ?? outOfRange('window score', m, u)) - (factor * ((shift[m] ?? outOfRange('resample score', m, shift)) - ((terms.total[m] ?? outOfRange('pool score total', m, terms.total)) * resample.length) / terms.rows));
  }
  return categoricalStatistic({ n: window.length, skipped: 0, score: u, variance: v });
}
