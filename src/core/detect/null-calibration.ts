/**
 * Simulates, at fit time, the null distribution of the window evidence (Bonferroni min-p) for
 * windows of the configured size cut as contiguous blocks of the reference. Each block is tested
 * against the reference with that block removed, so it is never compared with itself. Blocks keep
 * whatever order the reference has (time of day, weekly cycles), so if the reference is in time
 * order the null includes the seasonality a live stream shows and clean seasonal traffic stays quiet.
 */
import type { FeatureReference, WindowNull } from '../reference/bundle-types.js';
import type { FeatureValue } from '../contract/event.js';
import { addEvent, emptySummary, type FeatureSummary } from '../window/summary.js';
import { seededRandom } from '../random.js';
import { evaluateWindow, type TestOptions } from './feature-tests.js';

export interface NullOptions extends TestOptions {
  windowSize: number;
  replicates: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

export function simulateWindowNull(
  refs: readonly FeatureReference[],
  rows: ReadonlyArray<Readonly<Record<string, FeatureValue>>>,
  options: NullOptions,
): WindowNull {
  const m = options.windowSize;
  // How much reference a window needs is fit's policy (reference-size.ts); here only that some is left beside a block.
  if (rows.length <= m) throw new Error(`need more than ${m} reference rows to simulate windows of ${m}`);
  const random = seededRandom(options.seed);
  const known = new Set(refs.map((r) => r.name));
  const stats: number[] = [];
  for (let b = 0; b < options.replicates; b++) {
    const start = Math.floor(random() * (rows.length - m + 1));
    const summary = emptySummary(refs);
    for (let i = start; i < start + m; i++) addEvent(summary, refs, rows[i]!, 0, (k) => known.has(k));
    const heldOut = refs.map((ref, j) => withoutBlock(ref, summary.features[j]!, m));
    stats.push(evaluateWindow(heldOut, summary, options).minAdjustedP);
    if (options.onProgress && (b + 1) % 50 === 0) options.onProgress(b + 1, options.replicates);
  }
  stats.sort((x, y) => x - y);
  return { windowSize: m, method: 'block-bootstrap', blocks: options.replicates, minAdjustedP: stats };
}

/** The reference summary with one block's contribution subtracted. */
function withoutBlock(ref: FeatureReference, block: FeatureSummary, m: number): FeatureReference {
  const present = m - block.missing;
  if (ref.kind === 'numeric' && block.kind === 'numeric') {
    return { ...ref, counts: ref.counts.map((c, i) => c - block.counts[i]!), n: ref.n - present, missing: ref.missing - block.missing };
  }
  if (ref.kind === 'categorical' && block.kind === 'categorical') {
    const counts = ref.categories.map((c, i) => ref.counts[i]! - (block.counts[c] ?? 0));
    return { ...ref, counts, n: ref.n - present, missing: ref.missing - block.missing };
  }
  throw new Error(`feature "${ref.name}": kinds differ`);
}
