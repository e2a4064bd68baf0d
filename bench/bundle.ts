/**
 * Builds a reference bundle in memory from generated rows, the way `shiftwatch fit` does
 * (buildFeatureReference per feature, then simulateWindowNull on contiguous blocks), without a CSV.
 */
import { BUNDLE_FORMAT_VERSION, plainBundleParts, type ReferenceBundle } from '../src/core/reference/bundle-types.js';
import { buildFeatureReference } from '../src/core/reference/feature-reference.js';
import { fitFeatureNulls } from '../src/core/detect/null-calibration.js';
import type { TestOptions } from '../src/core/detect/feature-tests.js';
import { seededRandom } from '../src/core/random.js';
import { toFeatures, type Generator } from './synthetic.js';

export const BENCH_TESTS: TestOptions = { alpha: 0.05, correction: 'bh', minFeatureValues: 20 };

export interface BuiltBundle {
  bundle: ReferenceBundle;
  rows: Record<string, number>[];
  fitMs: number;
}

export function generateRows(gen: Generator, count: number, firstRow = 0): Record<string, number>[] {
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < count; i++) rows.push(toFeatures(gen.names, gen.row(firstRow + i)));
  return rows;
}

/**
 * `nullFrom: 'blocks'` simulates the null on contiguous blocks of the rows in their given (time)
 * order, as `fit` does; `'shuffled'` shuffles the rows first, i.e. an iid null that ignores seasonality.
 */
export function buildBundle(args: {
  model: string;
  rows: Record<string, number>[];
  names: readonly string[];
  windowSize: number;
  replicates: number;
  seed: number;
  nullFrom?: 'blocks' | 'shuffled';
  tests?: TestOptions;
}): BuiltBundle {
  const started = performance.now();
  const features = args.names.map((name) => buildFeatureReference({ name, kind: 'numeric' }, args.rows.map((r) => r[name] ?? null)));
  const nullRows = args.nullFrom === 'shuffled' ? shuffled(args.rows, args.seed + 17) : args.rows;
  const featureNulls = fitFeatureNulls(features, nullRows, { ...(args.tests ?? BENCH_TESTS), windowSize: args.windowSize, iidWindows: args.replicates, seed: args.seed });
  const createdAt = new Date().toISOString();
  const bundle: ReferenceBundle = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    model: args.model,
    version: `bench-${createdAt}`,
    createdAt,
    source: { path: `synthetic:${args.rows.length}x${args.names.length}:seed${args.seed}`, rows: args.rows.length, sha256: '' },
    features,
    ...plainBundleParts(args.rows.length),
    ...(featureNulls ? { featureNulls } : {}),
  };
  return { bundle, rows: args.rows, fitMs: performance.now() - started };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
