/**
 * Shared replicas: when the models a replica scores change, its score gauges go back to the
 * reference's values (a replica that no longer scores a model must not keep showing its last state),
 * while counters keep their counts.
 */
import { Registry } from 'prom-client';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { syntheticBundle } from '../../support/fixtures.js';

const valueOf = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const entry = (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return entry?.value;
};

describe('MetricsRecorder.resetScores', () => {
  it('puts the drift state back to ok and keeps the counters', async () => {
    const registry = new Registry();
    const recorder = new MetricsRecorder(registry, 'events');
    const bundle = syntheticBundle('m1', { windowSize: 300 });
    recorder.initialise('test', [{ bundle, windowType: 'count', detectors: ['feature-shift'] }]);
    recorder.m.driftStatus.set({ model: 'm1', detector: 'feature-shift' }, 2);
    recorder.m.featureDrift.set({ model: 'm1', feature: 'amount' }, 1);
    recorder.m.windowsClosed.inc({ model: 'm1', outcome: 'tested' }, 7);
    recorder.resetScores();
    expect(await valueOf(registry, 'shiftwatch_model_drift_status', { model: 'm1', detector: 'feature-shift' })).toBe(0);
    expect(await valueOf(registry, 'shiftwatch_feature_drift', { model: 'm1', feature: 'amount' })).toBe(0);
    expect(await valueOf(registry, 'shiftwatch_windows_closed_total', { model: 'm1', outcome: 'tested' })).toBe(7);
  });
});
