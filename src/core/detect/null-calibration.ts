/**
 * Fit-time calibration of the feature tests on the reference itself, in time order (docs/algorithms.md#time-ordered-null).
 *
 * The reference rows are taken in the order given (its time order: `fit --time-column`, or file
 * order). Every feature's test score is computed on contiguous chunks of the served window size
 * (two series of disjoint chunks, starting at 0 and at half a window) and on iid windows of the same
 * size; each window is compared with the reference minus that window, so it is never compared with
 * itself. The two sets give each feature its time-ordered null (time-null.ts) and the effect size its
 * chunks reached. The window-level evidence of consecutive chunks gives the lag-1 correlation the
 * feature-shift detector's CUSUM threshold must allow for.
 */
import type { FeatureReference, FeatureNull, FeatureNulls } from '../reference/bundle-types.js';
import type { FeatureValue } from '../contract/event.js';
import { addEvent, emptySummary, type FeatureSummary, type WindowSummary } from '../window/summary.js';
import { sampleWithoutReplacement, seededRandom } from '../random.js';
import { evaluateWindow, testFeature, type FeatureResult, type TestOptions } from './feature-tests.js';
import { chunkStarts, fitTimeNull } from './time-null.js';
import { pValueToEvidence } from '../stats/cusum.js';
import { lag1Autocorrelation, upperQuantile } from './series.js';
import { at } from '../indexing.js';

export interface NullOptions extends TestOptions {
  windowSize: number;
  /** iid windows drawn to measure sampling noise (default 200). */
  iidWindows?: number;
  seed: number;
  /** Context features (reported, never evidence on their own). */
  context?: readonly string[];
  onProgress?: (done: number, total: number) => void;
}

/** Time-ordered nulls of every feature's test; undefined when the reference has fewer than two windows of rows. */
export function fitFeatureNulls(
  refs: readonly FeatureReference[],
  rows: ReadonlyArray<Readonly<Record<string, FeatureValue>>>,
  options: NullOptions,
): FeatureNulls | undefined {
  const m = options.windowSize;
  // How much reference a window needs is fit's policy (reference-size.ts); with fewer than two
  // windows of rows no chunk variation can be measured and the null is sampling noise only.
  if (rows.length <= m) return undefined;
  const random = seededRandom(options.seed);
  const known = new Set(refs.map((r) => r.name));
  const summarise = (indices: Iterable<number>): WindowSummary => {
    const summary = emptySummary(refs);
    for (const i of indices) addEvent(summary, refs, at(rows, i, 'reference rows'), 0, (k) => known.has(k));
    return summary;
  };
  const measure = (summary: WindowSummary) => {
    const block = (j: number) => at(summary.features, j, 'window feature summaries');
    const heldOut = refs.map((ref, j) => withoutBlock(ref, block(j), m));
    return { heldOut, results: heldOut.map((ref, j) => testFeature(ref, block(j), m, options.minFeatureValues)) };
  };
  const series = chunkStarts(rows.length, m);
  const iidCount = options.iidWindows ?? 200;
  const total = series.reduce((s, x) => s + x.length, 0) + iidCount;
  let done = 0;
  const tick = () => {
    done += 1;
    if (options.onProgress && (done % 25 === 0 || done === total)) options.onProgress(done, total);
  };
  const chunkWindows = series.map((starts) => starts.map((start) => {
    tick();
    const summary = summarise(range(start, start + m));
    return { summary, ...measure(summary) };
  }));
  const iid = Array.from({ length: iidCount }, () => {
    tick();
    return measure(summarise(sampleWithoutReplacement(rows.length, m, random))).results;
  });
  const features: FeatureNull[] = refs.map((_, j) => {
    const result = (results: readonly FeatureResult[]) => at(results, j, 'feature test results');
    const chunkScores = chunkWindows.map((s) => s.map((w) => result(w.results).score));
    const chunkEffects = chunkWindows.flatMap((s) => s.map((w) => result(w.results).effect));
    return {
      score: fitTimeNull({ rows: m, chunkSeries: chunkScores, iid: iid.map((r) => result(r).score) }),
      effectCeiling: upperQuantile(chunkEffects, 1 - options.alpha),
    };
  });
  const context = new Set(options.context ?? []);
  const evidence = chunkWindows.map((s) => s.map((w) => pValueToEvidence(evaluateWindow(w.heldOut, w.summary, options, features, context).windowP)));
  return { windowSize: m, chunks: Math.max(0, ...series.map((s) => s.length)), features, lag1: lag1Autocorrelation(evidence) };
}

/** The reference summary with one window's contribution subtracted. */
export function withoutBlock(ref: FeatureReference, block: FeatureSummary, m: number): FeatureReference {
  const present = m - block.missing;
  if (ref.kind === 'numeric' && block.kind === 'numeric') {
    return { ...ref, counts: ref.counts.map((c, i) => c - at(block.counts, i, 'window bin counts')), n: ref.n - present, missing: ref.missing - block.missing };
  }
  if (ref.kind === 'categorical' && block.kind === 'categorical') {
    const counts = ref.categories.map((c, i) => at(ref.counts, i, 'reference category counts') - (block.counts[c] ?? 0));
    return { ...ref, counts, n: ref.n - present, missing: ref.missing - block.missing };
  }
  throw new Error(`feature "${ref.name}": kinds differ`);
}

function* range(from: number, to: number): Iterable<number> {
  for (let i = from; i < to; i++) yield i;
}

