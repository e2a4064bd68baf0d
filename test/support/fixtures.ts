/** Small reference bundles built from synthetic rows, for unit and integration tests. */
import { buildFeatureReference } from '../../src/core/reference/feature-reference.js';
import type { FeatureReference, ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { BUNDLE_FORMAT_VERSION, plainBundleParts } from '../../src/core/reference/bundle-types.js';
import { syntheticRows, NUMERIC_FEATURES, CATEGORICAL_FEATURES, type SyntheticRow } from './synthetic.js';
import { fitFeatureNulls } from '../../src/core/detect/null-calibration.js';

export const TEST_OPTIONS = { alpha: 0.05, correction: 'bh' as const, minFeatureValues: 20 };
/** CUSUM settings of the tests: the service's defaults with a 2-window cooldown. */
export const TEST_SEQUENTIAL = { k: 0.5, expectedRunTimeWindows: 1000, alpha: 0.05, cooldownWindows: 2, resolveAfterCleanWindows: 2 };

export function referencesFor(rows: readonly SyntheticRow[]): FeatureReference[] {
  return [
    ...NUMERIC_FEATURES.map((name) => buildFeatureReference({ name, kind: 'numeric' }, rows.map((r) => r[name] ?? null))),
    ...CATEGORICAL_FEATURES.map((name) => buildFeatureReference({ name, kind: 'categorical' }, rows.map((r) => r[name] ?? null))),
  ];
}

export function syntheticBundle(model = 'm1', options: { rows?: number; windowSize?: number; replicates?: number; seed?: number } = {}): ReferenceBundle {
  const rows = syntheticRows(options.rows ?? 10_000, options.seed ?? 3);
  const features = referencesFor(rows);
  const featureNulls = fitFeatureNulls(features, rows, { ...TEST_OPTIONS, windowSize: options.windowSize ?? 500, iidWindows: options.replicates ?? 200, seed: 5 });
  return {
    formatVersion: BUNDLE_FORMAT_VERSION, model, version: 'test', createdAt: '2026-11-28T00:00:00.000Z',
    source: { path: 'synthetic', rows: rows.length, sha256: '' }, features, ...(featureNulls ? { featureNulls } : {}), ...plainBundleParts(rows.length),
  };
}
