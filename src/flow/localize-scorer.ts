/**
 * Feature-shift localisation (docs/algorithms.md#conditional-shift): which features of a window shifted, by the conditional
 * Fisher divergence S_j of src/core/localize/fisher.ts, calibrated by the fit-time null of
 * src/core/localize/null.ts.
 *
 * Two methods, one interface:
 * - 'flow' (default when the bundle has a flow): q̂ = N(f(x); μ_w, Σ_w)·|det ∂f/∂x| in the flow's
 *   latent space, p̂ = N(f(x); μ_r, Σ_r)·|det ∂f/∂x| with (μ_r, Σ_r) fitted to the hold-out rows'
 *   latent points (or, latentReference 'base', the flow's own base density). Per window: pass 1
 *   gives z = f(x) (ONNX 'latent+vjp' with v = 0), the window's latent statistics give (μ_w, Σ_w),
 *   pass 2 gives g_i = Jᵀ v_i with v_i = ∇z log p̂_Z(z_i) + Σ_w⁻¹(z_i − μ_w); S_j = mean_i g_ij².
 *   Backends: ONNX Runtime (fast, float32) or the float64 oracle of flow-math.ts (slow; spline
 *   flows, or no ORT).
 * - 'gaussian' (no flow): p̂ = N(μ_p, Σ_p) on the reference, q̂ = N(μ_q, Σ_q) on the window, in the
 *   reference's standardised units; S_j comes from the window's sufficient statistics alone.
 *
 * Usage:
 *   fit:    const bundle = await fitFeatureLocalization({ ... })         // plain JSON
 *   serve:  const localizer = await FeatureLocalizer.create(bundle, flowModel)
 *           const result = await localizer.testWindow(rows, n, { windowId, marginalPValues, onset })
 *           await localizer.release()
 */
import { outOfRange } from '../core/indexing.js';
import type { FlowModel } from '../core/flow/flow-spec.js';
import type { TimeNull } from '../core/detect/time-null.js';
import { latent as latent64, vjp as vjp64 } from '../core/flow/flow-math.js';
import {
  addCategoricalRow,
  categoricalPoolTerms,
  categoricalReplicateStatistic,
  categoricalStatistic,
  createCategoricalStats,
  fitCategoricalModel,
  levelIndexer,
  type CategoricalModel,
  type CategoricalPoolTerms,
} from '../core/localize/categorical.js';
import { gaussianFisherFromStats, trimmedFisherFromScoreDifferences, scoreDifferenceSeeds, type LatentReference } from '../core/localize/fisher.js';
import { addIndexedPoints, addPoints, createLatentStats, latentMoments, type LatentStats } from '../core/localize/latent-stats.js';
import { localizeWindow, updateOnset, type FeatureTestKind, type OnsetState, type OnsetUpdate, type WindowLocalization } from '../core/localize/localize.js';
import { calibrateNull, DEFAULT_REPLICATES, type NullDistribution, type NullSampling } from '../core/localize/null.js';
import type { LocalizationBackend, LocalizationBundle, LocalizationMethod } from '../core/localize/localization-bundle.js';
import { OnnxFlowScorer, OnnxFlowUnsupportedError } from './onnx/onnx-scorer.js';

export interface LocalizationFitInput {
  /** Numeric feature names, in the rows' column order (the flow's standardization.features when there is a flow). */
  features: string[];
  /** The trained reference flow; null or absent: the Gaussian method. */
  flow?: FlowModel | null;
  /**
   * Reference rows the flow was trained on (row-major float32 in `features` order). Used only with
   * pool 'all' (the Gaussian method's default when they are given).
   */
  reference?: { rows: Float32Array; n: number };
  /**
   * Held-out reference rows, never used to train the flow (e.g. the flow bundle's calibration
   * split). In time order for sampling 'blocks'.
   */
  holdout: { rows: Float32Array; n: number };
  /**
   * Categorical features: their values on the hold-out rows and (pool 'all') the reference rows,
   * same row order. Their classifiers p̂(c | z) are fitted on the pool.
   */
  categorical?: { feature: string; reference?: readonly (string | null)[]; holdout: readonly (string | null)[] }[];
  /** Window sizes served (one null each). */
  windowSizes: number[];
  /** Default 0.05. */
  alpha?: number;
  /** B per window size; default DEFAULT_REPLICATES (2000). */
  replicates?: number;
  /** Default 'bootstrap'; 'blocks' for autocorrelated or seasonal streams (rows in time order). */
  sampling?: NullSampling;
  seed?: number;
  /**
   * The rows p̂ (and the categorical classifiers) are fitted on and the null's replicates are drawn
   * from: 'holdout' (default for the flow: latent points the flow never trained on; the flow's own
   * training rows would look too well explained, 43% false alarms in docs/benchmarks.md, "Feature localization") or 'all' (reference
   * and hold-out rows together; the Gaussian method's default when reference rows are given).
   */
  pool?: 'holdout' | 'all';
  /**
   * Flow method: p̂_Z is a Gaussian fitted to the pool's latent points ('fitted', default; refitted
   * in every replicate, a two-sample null) or the flow's base density ('base': the flow exactly as
   * trained; its residual misfit then sits in the statistic and the null is one-sample, which
   * docs/benchmarks.md shows to be poorly calibrated).
   */
  latentReference?: 'base' | 'fitted';
  backend?: LocalizationBackend;
  onProgress?: (done: number, total: number) => void;
}

// ---------------------------------------------------------------------------------------------
// The two passes through the flow

/** z = f(x) and g = (∂z/∂x)ᵀ v for row-major float32 rows. */
export interface LatentPasses {
  readonly backend: LocalizationBackend;
  latent(rows: Float32Array, n: number): Promise<Float32Array>;
  vjp(rows: Float32Array, v: Float32Array, n: number): Promise<Float32Array>;
  release(): Promise<void>;
}

class OnnxPasses implements LatentPasses {
  readonly backend = 'onnx';
  private zeros = new Float32Array(0);
  constructor(private readonly scorer: OnnxFlowScorer) {}
  async latent(rows: Float32Array, n: number): Promise<Float32Array> {
    const size = n * this.scorer.dim;
    if (this.zeros.length < size) this.zeros = new Float32Array(size);
    return (await this.scorer.latentAndVjp(rows, this.zeros, n)).z;
  }
  async vjp(rows: Float32Array, v: Float32Array, n: number): Promise<Float32Array> {
    return (await this.scorer.latentAndVjp(rows, v, n)).vjp;
  }
  release(): Promise<void> {
    return this.scorer.release();
  }
}

class Float64Passes implements LatentPasses {
  readonly backend = 'float64';
  constructor(private readonly model: FlowModel) {}
  async latent(rows: Float32Array, n: number): Promise<Float32Array> {
    const d = this.model.dim;
    const z = new Float32Array(n * d);
    for (let r = 0; r < n; r++) z.set(latent64(this.model, rows.subarray(r * d, (r + 1) * d)), r * d);
    return z;
  }
  async vjp(rows: Float32Array, v: Float32Array, n: number): Promise<Float32Array> {
    const d = this.model.dim;
    const g = new Float32Array(n * d);
    for (let r = 0; r < n; r++) g.set(vjp64(this.model, rows.subarray(r * d, (r + 1) * d), v.subarray(r * d, (r + 1) * d)), r * d);
    return g;
  }
  async release(): Promise<void> {}
}

/**
 * The flow's two passes on the backend asked for ('onnx' by default). ONNX falls back to float64
 * when the export does not cover the flow (spline couplings); `backend` says which one runs.
 */
export async function createLatentPasses(model: FlowModel, backend: LocalizationBackend = 'onnx', threads = 1): Promise<LatentPasses> {
  if (backend === 'float64') return new Float64Passes(model);
  try {
    return new OnnxPasses(await OnnxFlowScorer.create(model, { outputs: 'latent+vjp', threads }));
  } catch (error) {
    if (error instanceof OnnxFlowUnsupportedError) return new Float64Passes(model);
    throw error;
  }
}

/**
 * g_i = Jᵀ(∇z log p̂_Z(z_i) + Σ_w⁻¹(z_i − μ_w)) for n rows, given their latent points and the
 * window's latent statistics (which may come from merged panes). Original units.
 */
export async function scoreDifferenceRows(passes: LatentPasses, rows: Float32Array, z: ArrayLike<number>, n: number, stats: Readonly<LatentStats>, reference: LatentReference): Promise<Float32Array> {
  const seeds = scoreDifferenceSeeds(z, n, latentMoments(stats), reference);
  return passes.vjp(rows, seeds, n);
}

// ---------------------------------------------------------------------------------------------
// Statistics of one window (shared by the null and by serving)

interface Engine {
  readonly d: number;
  /** The points the window model lives on: z (flow) or u (Gaussian), row-major. */
  points(rows: Float32Array, n: number): Promise<Float32Array | Float64Array>;
  /** S_j, given the rows, their points, the points' statistics and p̂. */
  fisher(rows: Float32Array, points: ArrayLike<number>, n: number, stats: LatentStats, reference: LatentReference): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Share of rows trimmed from the flow variant's S_j (see trimmedFisherFromScoreDifferences). */
const FLOW_TRIM = 0.02;

function flowEngine(passes: LatentPasses, d: number): Engine {
  return {
    d,
    points: (rows, n) => passes.latent(rows, n),
    async fisher(rows, points, n, stats, reference) {
      return trimmedFisherFromScoreDifferences(await scoreDifferenceRows(passes, rows, points, n, stats, reference), n, d, FLOW_TRIM);
    },
    release: () => passes.release(),
  };
}

/** u = (x − mean)/scale, row-major float64. */
function standardize(rows: Float32Array, n: number, d: number, { mean, scale }: { mean: number[]; scale: number[] }): Float64Array {
  const u = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) u[r * d + j] = ((rows[r * d + j] ?? outOfRange('rows', r * d + j, rows)) - (mean[j] ?? outOfRange('standardization mean', j, mean))) / (scale[j] ?? outOfRange('standardization scale', j, scale));
  return u;
}

function gaussianEngine(standardization: { mean: number[]; scale: number[] }, d: number): Engine {
  const { scale } = standardization;
  return {
    d,
    points: async (rows, n) => standardize(rows, n, d, standardization),
    async fisher(_rows, _points, _n, stats, reference) {
      if (reference.kind !== 'gaussian') throw new Error('the Gaussian method needs a Gaussian reference');
      return gaussianFisherFromStats(reference, latentMoments(stats), stats, scale);
    },
    release: async () => {},
  };
}

/** The window's statistic vector [S_1..S_d, T_1..T_c]. */
async function windowStatistics(
  engine: Engine,
  reference: LatentReference,
  categorical: readonly CategoricalModel[],
  rows: Float32Array,
  points: ArrayLike<number>,
  n: number,
  stats: LatentStats,
  levels: readonly Int32Array[],
): Promise<Float64Array> {
  const s = await engine.fisher(rows, points, n, stats, reference);
  const out = new Float64Array(engine.d + categorical.length);
  out.set(s);
  categorical.forEach((model, c) => {
    const cs = createCategoricalStats(model);
    const scratch = new Float64Array(model.levels.length);
    const codes = levels[c] ?? outOfRange('categorical levels', c, levels);
    for (let r = 0; r < n; r++) addCategoricalRow(model, cs, points, r * engine.d, codes[r] ?? outOfRange('level codes', r, codes), scratch);
    out[engine.d + c] = categoricalStatistic(cs);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fit

function standardizationOf(rows: Float32Array, n: number, d: number): { mean: number[]; scale: number[] } {
  const value = (r: number, j: number): number => rows[r * d + j] ?? outOfRange('reference rows', r * d + j, rows);
  const mean = Array.from({ length: d }, (_, j) => {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += value(r, j);
    return sum / n;
  });
  const scale = mean.map((m, j) => {
    let squares = 0;
    for (let r = 0; r < n; r++) squares += (value(r, j) - m) ** 2;
    return Math.sqrt(squares / Math.max(1, n - 1)) || 1;
  });
  return { mean, scale };
}

function statsOf(points: ArrayLike<number>, n: number, d: number): LatentStats {
  const stats = createLatentStats(d);
  addPoints(stats, points, n);
  return stats;
}

function gaussianReference(stats: LatentStats): LatentReference {
  const m = latentMoments(stats, { ridge: 1e-5 });
  return { kind: 'gaussian', mean: Array.from(m.mean), precision: Array.from(m.precision) };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Fits everything the serve path needs and calibrates one null per window size. Plain JSON out. */
export async function fitFeatureLocalization(input: LocalizationFitInput): Promise<LocalizationBundle> {
  const started = performance.now();
  const d = input.features.length;
  const flow = input.flow ?? null;
  if (flow !== null && flow.dim !== d) throw new RangeError(`the flow has ${flow.dim} inputs, ${d} features were given`);
  const ref = input.reference ? { rows: input.reference.rows.subarray(0, input.reference.n * d), n: input.reference.n } : { rows: new Float32Array(0), n: 0 };
  const holdout = { rows: input.holdout.rows.subarray(0, input.holdout.n * d), n: input.holdout.n };
  if (ref.rows.length < ref.n * d || holdout.rows.length < holdout.n * d) throw new RangeError('reference or hold-out rows are shorter than n × features');
  const method: LocalizationMethod = flow ? 'flow' : 'gaussian';
  const alpha = input.alpha ?? 0.05;
  const poolKind = input.pool ?? (flow || !input.reference ? 'holdout' : 'all');
  if (poolKind === 'all' && !input.reference) throw new RangeError("pool 'all' needs the reference rows");
  const pool = poolKind === 'all' ? { rows: concat(ref.rows, holdout.rows), n: ref.n + holdout.n } : holdout;
  const fitted = !flow || (input.latentReference ?? 'fitted') === 'fitted';

  let engine: Engine;
  let backend: LocalizationBundle['fit']['backend'] = 'closed-form';
  let standardization = { mean: new Array<number>(d).fill(0), scale: new Array<number>(d).fill(1) };
  if (flow) {
    const passes = await createLatentPasses(flow, input.backend ?? 'onnx');
    backend = passes.backend;
    engine = flowEngine(passes, d);
  } else {
    standardization = standardizationOf(pool.rows, pool.n, d);
    engine = gaussianEngine(standardization, d);
  }
  try {
    const poolPoints = await engine.points(pool.rows, pool.n);
    const reference: LatentReference = fitted ? gaussianReference(statsOf(poolPoints, pool.n, d)) : { kind: 'base', base: flow!.base };

    // Categorical classifiers are fitted on the pool too, so every replicate can emulate their refit.
    const categorical: CategoricalModel[] = [];
    const terms: CategoricalPoolTerms[] = [];
    for (const c of input.categorical ?? []) {
      const values = poolKind === 'all' ? [...(c.reference ?? []), ...c.holdout] : c.holdout;
      if (values.length !== pool.n) throw new RangeError(`categorical ${c.feature}: ${values.length} values for ${pool.n} pool rows`);
      const model = fitCategoricalModel(c.feature, poolPoints, d, values);
      if (model === null) continue; // fewer than two levels: nothing to condition
      categorical.push(model);
      const index = levelIndexer(model);
      terms.push(categoricalPoolTerms(model, poolPoints, Int32Array.from(values, (v) => index(v))));
    }

    const replicates = input.replicates ?? DEFAULT_REPLICATES;
    const sizes = [...new Set(input.windowSizes)].sort((a, b) => a - b);
    const nulls: NullDistribution[] = [];
    let done = 0;
    for (const [s, W] of sizes.entries()) {
      const rows = new Float32Array(W * d);
      const points = new Float64Array(W * d);
      const options = {
        windowSize: W,
        replicates,
        ...(input.sampling ? { sampling: input.sampling } : {}),
        referenceSize: fitted ? pool.n : 0,
        seed: (input.seed ?? 0) + 7919 * s,
        onReplicate: () => input.onProgress?.(++done, replicates * sizes.length),
      };
      nulls.push(
        await calibrateNull(pool.n, options, async (window, resample) => {
          // Two-sample: p̂ refitted on the reference resample, as the serve-time p̂ was fitted on the pool.
          let replicateReference = reference;
          if (resample) {
            const refStats = createLatentStats(d);
            addIndexedPoints(refStats, poolPoints, resample);
            replicateReference = gaussianReference(refStats);
          }
          const stats = createLatentStats(d);
          addIndexedPoints(stats, poolPoints, window);
          for (let k = 0; k < W; k++) {
            const i = window[k] ?? outOfRange('replicate window', k, window);
            for (let j = 0; j < d; j++) {
              rows[k * d + j] = pool.rows[i * d + j] ?? outOfRange('pool rows', i * d + j, pool.rows);
              points[k * d + j] = poolPoints[i * d + j] ?? outOfRange('pool latent points', i * d + j, poolPoints);
            }
          }
          const out = new Float64Array(d + categorical.length);
          out.set(await engine.fisher(rows, points, W, stats, replicateReference));
          terms.forEach((t, c) => (out[d + c] = categoricalReplicateStatistic(t, window, resample)));
          return out;
        }),
      );
    }
    return {
      stateVersion: 1,
      method,
      features: [...input.features],
      standardization,
      reference,
      categorical,
      alpha,
      nulls,
      fit: { referenceRows: ref.n, holdoutRows: holdout.n, pool: poolKind, poolRows: pool.n, backend, seconds: (performance.now() - started) / 1000 },
    };
  } finally {
    await engine.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Serve

export interface WindowStatistics {
  /** Names in the statistics' order: numeric features, then categorical ones. */
  features: string[];
  kinds: FeatureTestKind[];
  /** [S_1..S_d, T_1..T_c]. */
  statistics: Float64Array;
  /** The window's latent statistics (flow: z; Gaussian: standardised u). */
  latent: LatentStats;
  /** Categorical rows skipped (missing or unseen level), per categorical feature. */
  skipped: Record<string, number>;
}

export interface TestWindowOptions {
  /** Values of each categorical feature on the window's rows (row order). Missing features: their statistic is NaN (p = 1). */
  categories?: Record<string, readonly (string | null)[]>;
  /** Marginal-test p-values by feature name (KS, χ²); BH then runs over both families. */
  marginalPValues?: Record<string, number | null | undefined>;
  /** BH level; the bundle's alpha by default. */
  alpha?: number;
  /** Time-series variant: the run state, updated in place, with the window's id. */
  onset?: { state: OnsetState; windowId: string };
  /** Time-ordered nulls of the statistics' z (see localizeWindow). */
  timeNulls?: readonly (TimeNull | undefined)[];
  /**
   * Flow method: the rows' latent points z = f(x) (row-major, n × features), when the caller already
   * has them from the pass that gave log p (`logProbAndLatent`); otherwise the localizer computes them.
   */
  latent?: Float32Array;
}

export interface WindowTestResult extends WindowLocalization {
  statistics: WindowStatistics;
  onset: OnsetUpdate | null;
  /** Rows in the window (the null was calibrated at `nullWindowSize`). */
  n: number;
}

export class FeatureLocalizer {
  private constructor(
    readonly bundle: LocalizationBundle,
    private readonly engine: Engine,
    /** Which backend computes the flow's passes ('closed-form' for the Gaussian method). */
    readonly backend: LocalizationBackend | 'closed-form',
  ) {}

  /** `flow` is required for a 'flow' bundle (the same model the bundle was fitted with). */
  static async create(bundle: LocalizationBundle, flow: FlowModel | null = null, options: { backend?: LocalizationBackend; threads?: number } = {}): Promise<FeatureLocalizer> {
    if (bundle.stateVersion !== 1) throw new RangeError(`unknown localization bundle stateVersion ${String(bundle.stateVersion)}`);
    const d = bundle.features.length;
    if (bundle.method === 'gaussian') return new FeatureLocalizer(bundle, gaussianEngine(bundle.standardization, d), 'closed-form');
    if (flow === null) throw new Error('this localization bundle was fitted with a flow: pass the flow model');
    if (flow.dim !== d) throw new RangeError(`the flow has ${flow.dim} inputs, the bundle ${d} features`);
    const passes = await createLatentPasses(flow, options.backend ?? 'onnx', options.threads ?? 1);
    return new FeatureLocalizer(bundle, flowEngine(passes, d), passes.backend);
  }

  /** The null calibrated at the window size nearest to n (on a log scale). */
  nullFor(n: number): NullDistribution {
    let best = this.bundle.nulls[0] ?? outOfRange('localization nulls', 0, this.bundle.nulls);
    for (const candidate of this.bundle.nulls) if (Math.abs(Math.log(candidate.windowSize / n)) < Math.abs(Math.log(best.windowSize / n))) best = candidate;
    return best;
  }

  /**
   * S_j (and T_c) of a window: `rows` row-major float32, n × features, in the bundle's feature order.
   * `latent`: the rows' latent points when already computed (flow method only; see TestWindowOptions).
   */
  async statistics(rows: Float32Array, n: number, categories: TestWindowOptions['categories'] = {}, latent?: Float32Array): Promise<WindowStatistics> {
    const d = this.engine.d;
    if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`a window needs at least 2 rows, got ${n}`);
    if (rows.length < n * d) throw new RangeError(`${rows.length} values hold fewer than ${n} rows × ${d} features`);
    if (latent !== undefined && this.bundle.method !== 'flow') throw new Error('latent points are given to a localizer that does not use the flow');
    if (latent !== undefined && latent.length < n * d) throw new RangeError(`${latent.length} latent values hold fewer than ${n} rows × ${d} features`);
    const points = latent ?? (await this.engine.points(rows, n));
    const stats = statsOf(points, n, d);
    const skipped: Record<string, number> = {};
    const levels = this.bundle.categorical.map((model) => {
      const values = categories[model.feature];
      const index = levelIndexer(model);
      const codes = new Int32Array(n).fill(-1);
      if (values) for (let r = 0; r < n; r++) codes[r] = index(values[r] ?? null);
      skipped[model.feature] = codes.filter((c) => c < 0).length;
      return codes;
    });
    const statistics = await windowStatistics(this.engine, this.bundle.reference, this.bundle.categorical, rows, points, n, stats, levels);
    return {
      features: [...this.bundle.features, ...this.bundle.categorical.map((m) => m.feature)],
      kinds: [...this.bundle.features.map((): FeatureTestKind => 'numeric'), ...this.bundle.categorical.map((): FeatureTestKind => 'categorical')],
      statistics,
      latent: stats,
      skipped,
    };
  }

  /** Statistics, p-values, BH, ranking and (optionally) the onset update for one window. */
  async testWindow(rows: Float32Array, n: number, options: TestWindowOptions = {}): Promise<WindowTestResult> {
    const statistics = await this.statistics(rows, n, options.categories, options.latent);
    const marginal = options.marginalPValues;
    const localization = localizeWindow({
      features: statistics.features,
      kinds: statistics.kinds,
      statistics: statistics.statistics,
      null: this.nullFor(n),
      alpha: options.alpha ?? this.bundle.alpha,
      ...(marginal ? { marginalPValues: statistics.features.map((f) => marginal[f]) } : {}),
      ...(options.timeNulls ? { timeNulls: options.timeNulls } : {}),
    });
    const onset = options.onset ? updateOnset(options.onset.state, options.onset.windowId, localization) : null;
    return { ...localization, statistics, onset, n };
  }

  async release(): Promise<void> {
    await this.engine.release();
  }
}
