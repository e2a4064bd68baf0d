/**
 * The flow's covariate-shift detector through the real monitor: a flow trained by `fitFlow` on the
 * synthetic reference, scored by the production scorer (ONNX Runtime). A change in the correlation
 * of two features, with both marginals kept, is caught by the flow while every per-feature test stays
 * quiet; clean windows raise no flow alarm; the detector's state survives a checkpoint.
 */
import { Monitor, emptyOutput, type RawMessage, type WindowReport } from '../../../src/core/pipeline/monitor.js';
import { syntheticRows, type Shift } from '../../support/synthetic.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';
import type { CovariateDetails } from '../../../src/core/detectors/covariate-shift.js';
import type { ConditionalDetails, ConditionalState } from '../../../src/core/detectors/conditional-shift.js';
import type { WindowEvaluation } from '../../../src/core/detect/feature-tests.js';
import type { SequentialState } from '../../../src/core/detectors/sequential.js';
import { fitFlow } from '../../../src/flow/fit-flow.js';
import { createFlowScorer } from '../../../src/flow/create-scorer.js';
import { inferSchema } from '../../../src/core/reference/schema.js';
import type { ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import type { LogLikelihoodScorer } from '../../../src/core/flow/scorer.js';
import { createLogger } from '../../../src/logging.js';
import { FeatureLocalizer } from '../../../src/flow/localize-scorer.js';
import type { WindowLocalizer } from '../../../src/core/detectors/localizer.js';

const SIZE = 500;
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
  return monitor.complete(out);
}

const flowOf = (r: WindowReport) => r.detectors['covariate-shift']!.result.details as CovariateDetails;
const localizationOf = (r: WindowReport) => (r.detectors['conditional-shift']!.result.details as ConditionalDetails).localization;

const newMonitor = (flowScorer: LogLikelihoodScorer = scorer, windowLocalizer: WindowLocalizer = localizer) =>
  new Monitor([{ name: 'm1', bundle, window: { type: 'count', size: SIZE, minEvents: 100 }, flowScorer, localizer: windowLocalizer }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL }, {}, () => 0);
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
    expect(f.nulls?.windowSize).toBe(SIZE);
    expect(f.nulls?.chunks).toBe(20);
    expect(f.nulls?.conditional?.features).toHaveLength(8);
  });

  it('catches a correlation flip that no per-feature test sees, and raises nothing on clean windows', async () => {
    const out = await run(newMonitor(), messages([clean, clean, clean, clean, clean, clean, flip, flip], 500));
    const reports = out.windows as WindowReport[];
    expect(reports).toHaveLength(8);
    const cleanFlow = reports.slice(0, 6).map((r) => flowOf(r).result.windowP);
    const flipFlow = reports.slice(6).map((r) => flowOf(r).result.windowP);
    expect(Math.min(...cleanFlow)).toBeGreaterThan(0.001);
    for (const p of flipFlow) expect(p).toBeLessThan(1e-6);
    for (const r of reports.slice(6)) expect((r.detectors['feature-shift']!.result.details as WindowEvaluation).features.filter((f) => f.flagged)).toEqual([]);
    const flowAlerts = out.alerts.filter((a) => a.detector === 'covariate-shift');
    expect(flowAlerts.map((a) => a.status)).toEqual(['firing']);
    expect(flowAlerts[0]!.window.id).toBe(reports[6]!.window.id);
    expect(flowAlerts[0]!.flow!.meanLogLikelihood).toBeLessThan(flowAlerts[0]!.flow!.referenceMeanLogLikelihood);
    expect(out.alerts.filter((a) => a.detector === 'feature-shift')).toEqual([]);
    // Which feature: the conditional score test ranks one of the two decorrelated features first,
    // flags it by the conditional test alone (its marginal is intact), and dates the onset.
    const loc = localizationOf(reports[6]!);
    expect(loc.detected).toBe(true);
    expect(['amount', 'age_days']).toContain(loc.ranked[0]!.feature);
    expect(loc.ranked[0]!.flagged).toBe('conditional');
    expect(flowAlerts[0]!.suspects![0]).toBe(loc.ranked[0]!.feature);
    expect(flowAlerts[0]!.summary).toContain(`most likely from: ${loc.ranked[0]!.feature}`);
    // The conditional detector's own alert dates the onset at the first flipped window.
    const conditional = out.alerts.filter((a) => a.detector === 'conditional-shift');
    expect(conditional.length).toBeLessThanOrEqual(1);
    for (const a of conditional) expect(a.localization!.detectedSince).toBe(reports[6]!.window.id);
  });

  it('keeps its false alarm rate on clean windows: at most 1 of 40 windows at the 1% level', async () => {
    const out = await run(newMonitor(), messages(new Array<Shift>(40).fill(clean), 9000));
    const small = out.windows.filter((r) => flowOf(r).result.windowP <= 0.01).length;
    expect(small).toBeLessThanOrEqual(1);
    expect(out.alerts).toEqual([]);
  });

  it('checkpoints the detector state and gives the same verdict on a replayed window', async () => {
    const a = newMonitor();
    const first = await run(a, messages([flip], 77));
    const saved = JSON.parse(JSON.stringify(a.checkpoint('m1')!));
    const covariate = saved.detectors['covariate-shift'].state as SequentialState;
    const conditional = saved.detectors['conditional-shift'].state as ConditionalState;
    expect(covariate.drift.status).toBe('drift');
    expect(covariate.drift.episode).toBe(first.windows[0]!.window.id);
    expect(conditional.onset.detection!.since).toBe(first.windows[0]!.window.id);
    const b = newMonitor();
    b.restore(saved);
    expect(b.checkpoint('m1')).toEqual(saved);
    const again = await run(newMonitor(), messages([flip], 77));
    expect(flowOf(again.windows[0]!)).toEqual(flowOf(first.windows[0]!));
  });

  it('one flow pass per window: a scorer that also returns the latent points serves both flow detectors, with the same verdicts', async () => {
    const counted = (inner: LogLikelihoodScorer) => {
      const calls = { logProb: 0, logProbAndLatent: 0 };
      const wrapped: LogLikelihoodScorer = {
        scorer: inner.scorer,
        backend: inner.backend,
        logProb: (rows, n) => (calls.logProb++, inner.logProb(rows, n)),
        logProbAndLatent: (rows, n) => (calls.logProbAndLatent++, inner.logProbAndLatent!(rows, n)),
      };
      return { wrapped, calls };
    };
    const onePass = counted(await createFlowScorer(bundle.flow!.model, 'auto', 4096, createLogger('error'), 'm1', { latent: true }));
    const logpOnly = counted(scorer);
    const given: boolean[] = [];
    const recording: WindowLocalizer = {
      testWindow: (rows, n, options) => {
        given.push(options.latent !== undefined);
        return localizer.testWindow(rows, n, options);
      },
    };
    const msgs = messages([clean, clean, flip], 300);
    const single = await run(newMonitor(onePass.wrapped, recording), msgs);
    const double = await run(newMonitor(logpOnly.wrapped, recording), msgs);
    // One scorer call per window for both detectors; the latent points reach the conditional test only from the one-pass scorer.
    expect(onePass.calls).toEqual({ logProb: 0, logProbAndLatent: 3 });
    expect(logpOnly.calls.logProb + logpOnly.calls.logProbAndLatent).toBe(3);
    expect(given).toEqual([true, true, true, false, false, false]);
    single.windows.forEach((r, w) => {
      const other = double.windows[w]!;
      expect(flowOf(r).result.windowP).toBeCloseTo(flowOf(other).result.windowP, 9);
      const [a, b] = [localizationOf(r), localizationOf(other)];
      expect(a.ranked.map((f) => f.feature)).toEqual(b.ranked.map((f) => f.feature));
      a.ranked.forEach((f, i) => expect(Math.abs(f.pValue - b.ranked[i]!.pValue)).toBeLessThan(1e-6));
    });
    expect(localizationOf(single.windows[2]!).detected).toBe(true);
  });
});
