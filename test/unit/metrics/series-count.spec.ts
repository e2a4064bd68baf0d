/**
 * The series budget (`limits.maxSeries` is checked against estimateSeries) comes from the
 * catalogue's label declarations. Checked against the real recorder on a real prom-client
 * registry, initialised as the service does for one fitted model of each kind (features only,
 * classifier, regressor, flow with the conditional test), then fed what the ingest engine and the
 * sinks set once running (histograms, both input topics, the sinks' size limits, both threads' load). Per model, each
 * metric exports exactly the series its declaration allows (fewer only where a label ranges over
 * detectors the model does not run), so a per-model metric or label value added without its
 * declaration, or a declaration that overcounts, fails here; process-wide ones stay within theirs.
 */
import { Registry } from 'prom-client';
import { DEAD_LETTER_REASONS } from '../../../src/core/contract/event.js';
import type { DetectorName } from '../../../src/core/detectors/contract.js';
import { DETECTORS, estimateSeries, METRICS, metricSeries, SINKS, STAGES, type MetricDef, type SeriesModel } from '../../../src/metrics/catalog.js';
import { PROCESS_METRICS, registerProcessMetrics } from '../../../src/metrics/process-metrics.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { MAIN_THREAD, ThreadLoad } from '../../../src/service/thread-load.js';
import { contractFixtures, createDetectors, type ContractFixture, type FixtureName } from '../../support/detector-fixtures.js';

interface Observed {
  /** Series per metric name, by model ('' for series without a model label). */
  series: Map<string, Map<string, number>>;
  detectors: Map<string, readonly DetectorName[]>;
  models: Map<string, SeriesModel>;
}

let fixtures: Record<FixtureName, ContractFixture>;
let observed: Observed;

function seriesModelOf(fixture: ContractFixture, detectors: readonly DetectorName[]): SeriesModel {
  const { bundle, flowScorer } = fixture.model;
  const loc = bundle.flow?.localization;
  return {
    features: bundle.features.length,
    classes: bundle.predictions?.classes ?? 0,
    localized: loc && detectors.includes('conditional-shift') ? loc.features.length + loc.categorical.length : 0,
    flow: bundle.flow !== undefined && flowScorer !== undefined,
    regression: bundle.regression !== undefined,
  };
}

async function observe(): Promise<Observed> {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const recorder = new MetricsRecorder(registry, 'events');
  const all = Object.values(fixtures);
  const detectors = new Map(all.map((f) => [f.model.name, createDetectors(f).map((d) => d.name)] as const));
  recorder.initialise('test', all.map((f) => ({ bundle: f.model.bundle, windowType: 'count', detectors: detectors.get(f.model.name)!, ...(f.model.flowScorer ? { flowScorer: f.model.flowScorer } : {}) })));
  for (const stage of STAGES) recorder.m.batchDuration.observe({ stage }, 0.01);
  recorder.m.windowEvaluationDuration.observe(0.01);
  recorder.accepted();
  recorder.replaySkipped();
  for (const reason of DEAD_LETTER_REASONS) recorder.deadLettered(reason, undefined, 'labels');
  for (const topic of ['events', 'labels']) recorder.m.lastEventTimestamp.set({ topic }, 1);
  for (const sink of SINKS) recorder.m.sinkMaxMessageBytes.set({ sink }, 1_000_000);
  recorder.m.lastCheckpointTimestamp.set(1);
  // Both threads of a shared replica (the main thread's probe stands in for the aggregator's).
  new ThreadLoad(recorder, () => ({ main: MAIN_THREAD, aggregator: MAIN_THREAD })).sample();
  const series = new Map<string, Map<string, number>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const byModel = new Map<string, number>();
    for (const value of metric.values) {
      const model = String(value.labels.model ?? '');
      byModel.set(model, (byModel.get(model) ?? 0) + 1);
    }
    series.set(metric.name, byModel);
  }
  return { series, detectors, models: new Map(all.map((f) => [f.model.name, seriesModelOf(f, detectors.get(f.model.name)!)])) };
}

beforeAll(async () => {
  fixtures = await contractFixtures();
  observed = await observe();
}, 300_000);

const DEFS: [string, MetricDef][] = Object.entries(METRICS);

describe('series budget from the catalogue', () => {
  it('covers one model of every kind, so every catalogued metric exports series', () => {
    const silent = DEFS.filter(([, def]) => [...(observed.series.get(def.name)?.values() ?? [])].every((n) => n === 0)).map(([key]) => key);
    expect(silent).toEqual([]);
  });

  it('registers only catalogued metrics and the process metrics', () => {
    const known = new Set<string>([...DEFS.map(([, def]) => def.name), ...PROCESS_METRICS]);
    expect([...observed.series.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('exports, per metric and model, the series its labels declare, and process-wide no more', () => {
    const wrong: string[] = [];
    for (const [key, def] of DEFS) {
      const byModel = observed.series.get(def.name) ?? new Map<string, number>();
      const check = (model: string, budget: number, detectors?: readonly DetectorName[]): void => {
        // A detector label ranges over the registered detectors; a model runs only those its bundle enables.
        const expected = detectors && def.labelNames.includes('detector') ? (budget / DETECTORS.length) * detectors.length : budget;
        const got = byModel.get(model) ?? 0;
        // Process-wide bounds may be loose: only the events topic counts accepted and skipped messages.
        if (model === '' ? got > expected : got !== expected) wrong.push(`${key} ${model || '(process)'}: ${got} series, declared ${expected}`);
      };
      if (!def.labelNames.includes('model')) check('', metricSeries(def));
      else for (const [model, m] of observed.models) check(model, metricSeries(def, m), observed.detectors.get(model));
    }
    expect(wrong).toEqual([]);
  });

  it('adds up to estimateSeries: the process-wide series once, then each model its own', () => {
    const shared = DEFS.reduce<number>((n, [, def]) => n + metricSeries(def), PROCESS_METRICS.length);
    expect(estimateSeries([])).toBe(shared);
    for (const m of observed.models.values()) {
      const own = DEFS.reduce<number>((n, [, def]) => n + metricSeries(def, m), 0);
      expect(estimateSeries([m, m])).toBe(shared + 2 * own);
    }
    const observedShared = [...observed.series.values()].reduce<number>((n, byModel) => n + (byModel.get('') ?? 0), 0);
    expect(observedShared).toBeLessThanOrEqual(shared);
  });

  it('grows by each feature, class and conditional feature as the declarations say', () => {
    const perFeature = DEFS.filter(([, def]) => Object.values(def.labels).includes('feature')).length;
    const base: SeriesModel = { features: 3, classes: 4, localized: 2, flow: true, regression: true };
    expect(estimateSeries([{ ...base, features: 4 }]) - estimateSeries([base])).toBeGreaterThanOrEqual(perFeature);
    expect(estimateSeries([{ ...base, classes: 5 }]) - estimateSeries([base])).toBe(DEFS.filter(([, def]) => Object.values(def.labels).includes('class')).length * 3);
    expect(estimateSeries([{ ...base, localized: 3 }]) - estimateSeries([base])).toBe(DEFS.filter(([, def]) => Object.values(def.labels).includes('conditional_feature')).length);
    expect(estimateSeries([{ ...base, flow: false }])).toBeLessThan(estimateSeries([base]));
  });
});
