import { fitRegressionReference } from '../../../src/core/predictions/regression-reference.js';
import { buildFeatureReference } from '../../../src/core/reference/feature-reference.js';
import { fitFeatureNulls } from '../../../src/core/detect/null-calibration.js';
import type { RegressionEvaluation } from '../../../src/core/predictions/regression-reference.js';
import { Monitor, emptyOutput } from '../../../src/core/pipeline/monitor.js';
import { BUNDLE_FORMAT_VERSION, plainBundleParts, type ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

/** y ~ N(mean, 1); the input x = y + noise; the model predicts 0.9·x. */
function rows(n: number, mean: number, seed: number) {
  const normal = gaussian(seededRandom(seed));
  return Array.from({ length: n }, () => {
    const y = mean + normal();
    const x = y + 0.5 * normal();
    return { x, prediction: 0.9 * x, label: y };
  });
}

describe('regression target shift in the monitor', () => {
  const reference = rows(3000, 0, 1);
  const regression = fitRegressionReference(reference, ['x', 'prediction', 'label'], 1, { windowSize: 500, alpha: 0.05, iidWindows: 40 })!;
  const features = [buildFeatureReference({ name: 'x', kind: 'numeric' }, reference.map((r) => r.x))];
  const bundle: ReferenceBundle = {
    formatVersion: BUNDLE_FORMAT_VERSION, model: 'r', version: 't', createdAt: '', source: { path: '', rows: 3000, sha256: '' },
    features, featureNulls: fitFeatureNulls(features, reference, { ...TEST_OPTIONS, windowSize: 500, iidWindows: 50, seed: 2 })!, regression, ...plainBundleParts(3000),
  };
  const monitor = new Monitor([{ name: 'r', bundle, window: { type: 'count', size: 500, minEvents: 100 } }], {
    maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL,
  });

  it('keeps a bounded sample of (prediction, target) pairs', () => {
    expect(regression.predictions).toHaveLength(1000);
    expect(regression.n).toBe(3000);
  });

  it('calibrates the target-shift statistic on the reference in time order', () => {
    expect(regression.nulls?.chunks).toBe(6);
    expect(regression.nulls!.score.iidVar).toBeGreaterThan(0);
  });

  it('estimates the target mean of each window from predictions alone, and the detector fires on the shift', async () => {
    const out = emptyOutput();
    let offset = 0;
    for (const [mean, seed] of [[0, 7], [0.8, 8]] as const) {
      for (const r of rows(500, mean, seed)) {
        const value = Buffer.from(JSON.stringify({ model: 'r', features: { x: r.x }, prediction: { value: r.prediction } }));
        monitor.handle({ topic: 'e', partition: 0, offset: String(offset++), timestamp: '0', key: null, value }, out);
      }
    }
    await monitor.complete(out);
    const [clean, shifted] = out.windows.map((w) => w.detectors['target-shift']!.result.details as RegressionEvaluation);
    expect(out.windows.map((w) => w.detectors['target-shift']!.result.flagged)).toEqual([false, true]);
    expect(Math.abs(clean!.estimatedMean - clean!.referenceMean)).toBeLessThan(0.15);
    expect(clean!.divergence).toBeLessThan(shifted!.divergence);
    expect(shifted!.estimatedMean - shifted!.referenceMean).toBeGreaterThan(0.5);
    expect(shifted!.estimatedMean - shifted!.referenceMean).toBeLessThan(1.1);
    expect(shifted!.quantiles.find((q) => q.probability === 0.5)!.estimated).toBeGreaterThan(shifted!.quantiles.find((q) => q.probability === 0.5)!.reference);
  });
});
