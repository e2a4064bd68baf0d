/**
 * The flow's covariate-shift detector through the real monitor: a flow trained by `fitFlow` on the
 * synthetic reference, scored by the production scorer (ONNX Runtime). A change in the correlation
 * of two features, with both marginals kept, is caught by the flow while every per-feature test stays
 * quiet; clean windows raise no flow alarm; the detector's state survives a checkpoint.
 */
import { Monitor, emptyOutput, type RawMessage, type WindowReport } from '../../../src/core/pipeline/monitor.js';
import { driftParams } from '../../../src/core/detect/drift-state.js';
import { syntheticRows, type Shift } from '../../../src/demo/synthetic.js';
import { syntheticBundle, TEST_OPTIONS } from '../../support/fixtures.js';
import { fitFlow } from '../../../src/flow/fit-flow.js';
import { createFlowScorer } from '../../../src/flow/create-scorer.js';
import { inferSchema } from '../../../src/core/reference/schema.js';
import type { ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import type { LogLikelihoodScorer } from '../../../src/core/flow/scorer.js';
import { createLogger } from '../../../src/logging.js';
import { FeatureLocalizer } from '../../../src/flow/localize-scorer.js';

const SIZE = 500;
const drift = driftParams({ k: 0.5, expectedRunTimeWindows: 1000, alpha: 0.05, cooldownWindows: 2 });
let bundle: ReferenceBundle;
let scorer: LogLikelihoodScorer;
let localizer: FeatureLocalizer;

beforeAll(async () => {
  const rows = syntheticRows(10_000, 3);
  const specs = inferSchema(rows, Object.keys(rows[0]!));
  const flow = await fitFlow(rows, specs, {
    seed: 1, architecture: { layers: 4, hidden: 32 }, maxEpochs: 25, patience: 5, batchSize: 512, learningRate: 3e-3,
    localization: { windowSize: SIZE, alpha: 0.05, replicates: 1000, method: 'flow' },
  });
  if ('skipped' in flow) throw new Error(flow.skipped);
  bundle = { ...syntheticBundle('m1', { windowSize: SIZE }), flow };
  scorer = await createFlowScorer(flow.model, 'auto', 4096, createLogger('error'), 'm1');
  localizer = await FeatureLocalizer.create(flow.localization!, flow.model);
}, 240_000);

function messages(shifts: Shift[], seed: number): RawMessage[] {
  let offset = 0;
  return shifts.flatMap((shift, w) =>
    syntheticRows(SIZE, seed + w, shift).map((features, i) => ({
      topic: 'events', partition: 0, offset: String(offset++), timestamp: '0', key: null,
      value: Buffer.from(JSON.stringify({ model: 'm1', ts: (w * SIZE + i) * 10, features })),
    })),
  );
}

async function run(monitor: Monitor, msgs: RawMessage[]): Promise<ReturnType<typeof emptyOutput>> {
  const out = emptyOutput();
  for (const m of msgs) monitor.handle(m, out);
  await monitor.completeFlow(out);
  return out;
}

const newMonitor = () => new Monitor([{ name: 'm1', bundle, window: { type: 'count', size: SIZE, minEvents: 100 }, flowScorer: scorer, localizer }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, drift }, {}, () => 0);
const clean: Shift = { kind: 'none' };
const flip: Shift = { kind: 'correlation', correlation: -0.8 };

describe('flow covariate-shift detector', () => {
  it('stores the flow in the bundle: the numeric features, dequantised integers, a sorted calibration split', () => {
    const f = bundle.flow!;
    expect(f.model.standardization.features).toEqual(['amount', 'age_days', 'session_s', 'clicks', 'latency_ms', 'risk_score']);
    expect(f.excluded.map((e) => e.feature)).toEqual(['country', 'device']);
    expect(f.dequantize.map((j) => f.model.standardization.features[j])).toEqual(['age_days', 'clicks']);
    expect(f.calibration).toHaveLength(2000);
    expect([...f.calibration].sort((a, b) => a - b)).toEqual(f.calibration);
    expect(f.training.bestEpoch).toBeGreaterThan(0);
  });

  it('catches a correlation flip that no per-feature test sees, and raises nothing on clean windows', async () => {
    const out = await run(newMonitor(), messages([clean, clean, clean, clean, clean, clean, flip, flip], 500));
    const reports = out.windows as WindowReport[];
    expect(reports).toHaveLength(8);
    const cleanFlow = reports.slice(0, 6).map((r) => r.flow!.windowP);
    const flipFlow = reports.slice(6).map((r) => r.flow!.windowP);
    expect(Math.min(...cleanFlow)).toBeGreaterThan(0.001);
    for (const p of flipFlow) expect(p).toBeLessThan(1e-6);
    for (const r of reports.slice(6)) expect(r.evaluation!.features.filter((f) => f.flagged)).toEqual([]);
    const flowAlerts = out.alerts.filter((a) => a.detector === 'covariate-shift');
    expect(flowAlerts.map((a) => a.status)).toEqual(['firing']);
    expect(flowAlerts[0]!.window.id).toBe(reports[6]!.window.id);
    expect(flowAlerts[0]!.flow!.meanLogLikelihood).toBeLessThan(flowAlerts[0]!.flow!.referenceMeanLogLikelihood);
    expect(out.alerts.filter((a) => a.detector === 'feature-shift')).toEqual([]);
    // Which feature: the conditional score test ranks one of the two decorrelated features first,
    // flags it by the conditional test alone (its marginal is intact), and dates the onset.
    const loc = reports[6]!.localization!;
    expect(loc.detected).toBe(true);
    expect(['amount', 'age_days']).toContain(loc.ranked[0]!.feature);
    expect(loc.ranked[0]!.flagged).toBe('conditional');
    expect(loc.detectedSince).toBe(reports[6]!.window.id);
    expect(reports[7]!.localization!.detectedSince).toBe(reports[6]!.window.id);
    expect(flowAlerts[0]!.localization!.suspects[0]).toBe(loc.ranked[0]!.feature);
    expect(flowAlerts[0]!.summary).toContain(`most likely from: ${loc.ranked[0]!.feature}`);
  });

  it('keeps its false alarm rate on clean windows: at most 1 of 40 windows at the 1% level', async () => {
    const out = await run(newMonitor(), messages(new Array<Shift>(40).fill(clean), 9000));
    const small = out.windows.filter((r) => r.flow!.windowP <= 0.01).length;
    expect(small).toBeLessThanOrEqual(1);
    expect(out.alerts).toEqual([]);
  });

  it('checkpoints the detector state and gives the same verdict on a replayed window', async () => {
    const a = newMonitor();
    const first = await run(a, messages([flip], 77));
    const saved = a.checkpoint('m1')!;
    expect(saved.flowDrift!.status).toBe('drift');
    expect(saved.localizationOnset!.detection!.since).toBe(first.windows[0]!.window.id);
    expect(saved.flowDrift!.episode).toBe(first.windows[0]!.window.id);
    const b = newMonitor();
    b.restore(saved);
    expect(b.checkpoint('m1')!.flowDrift).toEqual(saved.flowDrift);
    expect(b.checkpoint('m1')!.localizationOnset).toEqual(saved.localizationOnset);
    const again = await run(newMonitor(), messages([flip], 77));
    expect(again.windows[0]!.flow).toEqual(first.windows[0]!.flow);
  });
});
