/**
 * Time-ordered nulls of the flow's detectors (docs/algorithms.md#time-ordered-null), fitted inside `shiftwatch fit` once the
 * flow is trained: every complete reference row is scored in time order, and each window statistic
 * is computed on contiguous chunks of the served window size and on iid windows of the same rows.
 *
 * Most of those rows trained the flow, so their log-likelihoods are a little too high; chunks and
 * iid windows share that bias, and the null keeps only their difference (time-null.ts's `iidCenter`):
 * the statistics are centred where unseen rows put them (0 for these standardised tests), widened by
 * what time order adds. The same holds for the conditional test's per-feature z.
 */
import { at } from '../core/indexing.js';
import { chunkStarts, fitTimeNull, scoreTimeNull, type TimeNull } from '../core/detect/time-null.js';
import { lag1Autocorrelation } from '../core/detect/series.js';
import { FLOW_TEST_NAMES, likelihoodReference, testLogLikelihoods } from '../core/flow/likelihood-tests.js';
import type { FlowNulls } from '../core/flow/flow-bundle.js';
import { pValueToEvidence } from '../core/stats/cusum.js';
import { sampleWithoutReplacement, seededRandom } from '../core/random.js';
import { nullZScore } from '../core/localize/null.js';
import type { FeatureLocalizer } from './localize-scorer.js';

export interface FlowNullInput {
  /** log p of every complete reference row, in time order. */
  logp: Float64Array | Float32Array;
  /** The calibration split's log-likelihoods (the tests' reference). */
  calibration: readonly number[];
  /** The same rows (row-major, the flow's features) and their categorical values, for the conditional test. */
  rows?: Float32Array;
  dim?: number;
  categories?: Record<string, readonly (string | null)[]>;
  localizer?: FeatureLocalizer;
  windowSize: number;
  iidWindows: number;
  /** Context features: left out of the conditional detector's evidence (their nulls are still fitted). */
  context?: readonly string[];
  seed: number;
}

export async function fitFlowNulls(input: FlowNullInput): Promise<FlowNulls | undefined> {
  const m = input.windowSize;
  const total = input.logp.length;
  const series = chunkStarts(total, m);
  if (series.length === 0 || at(series, 0, 'chunk series').length < 2) return undefined;
  const reference = likelihoodReference(input.calibration);
  const scores = (indices: readonly number[]) => {
    const values = Float64Array.from(indices, (i) => at(input.logp, i, 'log-likelihoods'));
    const r = testLogLikelihoods(reference, values);
    return FLOW_TEST_NAMES.map((t) => r.tests[t].score);
  };
  const range = (start: number) => Array.from({ length: m }, (_, i) => start + i);
  const random = seededRandom(input.seed);
  const iidIndices = Array.from({ length: input.iidWindows }, () => sampleWithoutReplacement(total, m, random));
  const chunkScores = series.map((starts) => starts.map((s) => scores(range(s))));
  const iidScores = iidIndices.map(scores);
  const tests = Object.fromEntries(FLOW_TEST_NAMES.map((name, t) => [name, fitTimeNull({
    rows: m, iidCenter: 0, chunkSeries: chunkScores.map((s) => s.map((c) => at(c, t, 'test scores'))), iid: iidScores.map((c) => at(c, t, 'test scores')),
  })])) as FlowNulls['tests'];
  const evidence = chunkScores.map((s) => s.map((c) => {
    const p = Math.min(...FLOW_TEST_NAMES.map((name, t) => scoreTimeNull(tests[name], at(c, t, 'test scores')).pValue));
    return pValueToEvidence(Math.min(1, FLOW_TEST_NAMES.length * p));
  }));
  const conditional = input.localizer && input.rows && input.dim
    ? await conditionalNulls(input.localizer, input.rows, input.dim, input.categories ?? {}, series, iidIndices.slice(0, Math.min(iidIndices.length, 60)), m, new Set(input.context ?? []))
    : undefined;
  return { windowSize: m, chunks: at(series, 0, 'chunk series').length, tests, lag1: lag1Autocorrelation(evidence), ...(conditional ? { conditional } : {}) };
}

async function conditionalNulls(
  localizer: FeatureLocalizer,
  rows: Float32Array,
  dim: number,
  categories: Record<string, readonly (string | null)[]>,
  series: number[][],
  iidIndices: number[][],
  m: number,
  context: ReadonlySet<string>,
): Promise<{ features: TimeNull[]; lag1: number }> {
  const names = [...localizer.bundle.features, ...localizer.bundle.categorical.map((c) => c.feature)];
  const nullAtM = localizer.nullFor(m);
  const zOf = async (indices: readonly number[]) => {
    const x = new Float32Array(indices.length * dim);
    indices.forEach((r, i) => x.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
    const cats = Object.fromEntries(Object.entries(categories).map(([f, values]) => [f, indices.map((r) => values[r] ?? null)]));
    const s = await localizer.statistics(x, indices.length, cats);
    return Array.from(s.statistics, (v, j) => nullZScore(at(nullAtM.statistics, j, 'statistic nulls'), v));
  };
  const range = (start: number) => Array.from({ length: m }, (_, i) => start + i);
  const chunkZ: number[][][] = [];
  for (const starts of series) {
    const zs: number[][] = [];
    for (const s of starts) zs.push(await zOf(range(s)));
    chunkZ.push(zs);
  }
  const iidZ: number[][] = [];
  for (const indices of iidIndices) iidZ.push(await zOf(indices));
  const d = nullAtM.statistics.length;
  const features = Array.from({ length: d }, (_, j) => fitTimeNull({ rows: m, iidCenter: 0, chunkSeries: chunkZ.map((s) => s.map((z) => at(z, j, 'feature z-scores'))), iid: iidZ.map((z) => at(z, j, 'feature z-scores')) }));
  const tested = names.map((name) => !context.has(name));
  const evidence = chunkZ.map((s) => s.map((z) => {
    const p = Math.min(...z.map((v, j) => (tested[j] && Number.isFinite(v) ? scoreTimeNull(at(features, j, 'feature time nulls'), v).pValue : 1)));
    return pValueToEvidence(Math.min(1, tested.filter(Boolean).length * p));
  }));
  return { features, lag1: lag1Autocorrelation(evidence) };
}
