/**
 * `npm run bench -- flow-window`: what the density flow costs per closed window: the two flow
 * detectors' `test` on one window, conditional-shift (the conditional feature test) then
 * covariate-shift (log p and its likelihood tests), as the monitor runs them, for the default flow
 * (6 affine couplings, hidden 128) on D features, fitted by `fitFlow` with the conditional test. Two
 * scorer set-ups in the same run, on the same windows, alternating which goes first:
 *  - two passes (before): a 'logp' session for log p; the conditional test computes the latent
 *    points itself (a latent + VJP pass with v = 0) before its VJP pass;
 *  - one pass (after): a 'logp+latent' session gives log p and the latent points together, once for
 *    both detectors; the test takes the latent points and runs only its VJP pass.
 * Also the rows/s of each bare ONNX pass over one window (median per call, the passes taking turns).
 * Everything on one thread.
 */
import type { WindowView } from '../src/core/detectors/contract.js';
import { conditionalShift } from '../src/core/detectors/conditional-shift.js';
import { covariateShift } from '../src/core/detectors/covariate-shift.js';
import type { DetectorSettings, MonitoredModel } from '../src/core/detectors/model.js';
import type { LogLikelihoodScorer } from '../src/core/flow/scorer.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../src/core/predictions/prediction-options.js';
import type { WindowSummary } from '../src/core/window/summary.js';
import { createFlowScorer } from '../src/flow/create-scorer.js';
import { fitFlow } from '../src/flow/fit-flow.js';
import { FeatureLocalizer } from '../src/flow/localize-scorer.js';
import { OnnxFlowScorer } from '../src/flow/onnx/onnx-scorer.js';
import { createLogger } from '../src/logging.js';
import { intFlag, parseFlags } from './args.js';
import { BENCH_TESTS, buildBundle } from './bundle.js';
import { flowFitRows } from './flow-fit.js';
import { machineInfo } from './machine.js';
import { median, round } from './stats.js';

export async function runFlowWindow(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['dim', 'window', 'windows', 'reference', 'epochs', 'replicates', 'seed']);
  const dim = intFlag(flags, 'dim', 32);
  const W = intFlag(flags, 'window', 1000);
  const windows = intFlag(flags, 'windows', 200);
  const referenceRows = intFlag(flags, 'reference', 20_000);
  const epochs = intFlag(flags, 'epochs', 5);
  const replicates = intFlag(flags, 'replicates', 200);
  const seed = intFlag(flags, 'seed', 1);

  process.stderr.write(`fitting the flow and the conditional test on ${referenceRows} rows × ${dim}\n`);
  const reference = flowFitRows(referenceRows, dim, seed);
  const flow = await fitFlow(reference.rows, reference.specs, { seed, maxEpochs: epochs, batchSize: 1024, learningRate: 0.004, localization: { windowSize: W, alpha: 0.05, replicates } });
  if ('skipped' in flow) throw new Error(`flow fit skipped: ${flow.skipped}`);
  const model = flow.model;
  const features = model.standardization.features;
  const logger = createLogger('error');
  const settings: DetectorSettings = {
    tests: BENCH_TESTS,
    sequential: { k: 0.5, expectedRunTimeWindows: 1000, alpha: 0.05, cooldownWindows: 3, resolveAfterCleanWindows: 2 },
    predictions: DEFAULT_PREDICTION_OPTIONS,
  };
  const names = reference.specs.map((f) => f.name);
  const built = buildBundle({ model: 'm', rows: reference.rows as Record<string, number>[], names, windowSize: W, replicates: 50, seed });
  const localizer = await FeatureLocalizer.create(flow.localization!, model);
  /** The flow detectors of a model served by `scorer`, in the registry's order (conditional-shift first). */
  const detectors = (scorer: LogLikelihoodScorer) => {
    const monitored: MonitoredModel = { name: 'm', bundle: { ...built.bundle, flow }, window: { type: 'count', size: W, minEvents: 100 }, flowScorer: scorer, localizer };
    return [conditionalShift.create(monitored, settings)!, covariateShift.create(monitored, settings)!];
  };
  const setups = {
    before: detectors(await createFlowScorer(model, 'onnx', 1024, logger, 'm')),
    after: detectors(await createFlowScorer(model, 'onnx', 1024, logger, 'm', { latent: true })),
  };

  const live = flowFitRows(W * windows, dim, seed + 1).rows;
  const windowRows = (w: number) => live.slice(w * W, (w + 1) * W).flatMap((r) => features.map((f) => r[f] as number));
  /** A closed window as the detectors see it (they read only its flow rows). */
  const view = (w: number, rows: number[]): WindowView => {
    const summary: WindowSummary = { n: W, minTs: w * W, maxTs: (w + 1) * W - 1, features: [], unknownFeatureValues: 0, flow: { dim, n: W, skipped: 0, rows, categories: {} } };
    return { model: 'm', id: `w${w}`, serial: w + 1, start: w * W, end: (w + 1) * W, n: W, summary };
  };
  const seconds = { before: [] as number[], after: [] as number[] };
  let maxPDifference = 0;
  const warmup = 5;
  for (let w = 0; w < windows; w++) {
    const rows = windowRows(w);
    const order = w % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    const p: Record<string, number[]> = {};
    for (const name of order) {
      // A window object per set-up: the flow pass is shared between the detectors of one window only.
      const window = view(w, rows);
      const earlier = new Map();
      const started = performance.now();
      for (const detector of setups[name]) earlier.set(detector.name, await detector.test(window, earlier, detector.initialState()));
      if (w >= warmup) seconds[name].push((performance.now() - started) / 1000);
      p[name] = [...earlier.values()].map((r) => r.pValue as number);
    }
    p.before!.forEach((value, i) => (maxPDifference = Math.max(maxPDifference, Math.abs(value - p.after![i]!))));
    if ((w + 1) % 50 === 0) process.stderr.write(`${w + 1}/${windows} windows\n`);
  }

  // The bare passes over one window's rows: one call of each in turn, 60 rounds, median seconds per call.
  const x = Float32Array.from(windowRows(0));
  const v = new Float32Array(W * dim).fill(0.1);
  const passes = {
    logp: await OnnxFlowScorer.create(model, { outputs: 'logp' }),
    logpLatent: await OnnxFlowScorer.create(model, { outputs: 'logp+latent' }),
    latentVjp: await OnnxFlowScorer.create(model, { outputs: 'latent+vjp' }),
  };
  const call = (name: keyof typeof passes) => (name === 'latentVjp' ? passes[name].latentAndVjp(x, v, W) : passes[name].logProbAndLatent(x, W));
  const passSeconds: Record<keyof typeof passes, number[]> = { logp: [], logpLatent: [], latentVjp: [] };
  for (let round = 0; round < 63; round++) {
    for (const name of Object.keys(passes) as (keyof typeof passes)[]) {
      const started = performance.now();
      await call(name);
      if (round >= 3) passSeconds[name].push((performance.now() - started) / 1000);
    }
  }
  for (const scorer of Object.values(passes)) await scorer.release();
  const passRowsPerSecond = Object.fromEntries(Object.entries(passSeconds).map(([name, times]) => [name, Math.round(W / median(times))]));
  await localizer.release();

  const before = median(seconds.before);
  const after = median(seconds.after);
  return {
    scenario: 'flow-window',
    machine: machineInfo(),
    dim,
    windowRows: W,
    windows: windows - warmup,
    flow: { layers: model.layers.length, hidden: model.layers[0]!.conditioner.hidden[0]!.outputs },
    perWindowFlowSecondsBefore: round(before, 5),
    perWindowFlowSecondsAfter: round(after, 5),
    beforeOverAfter: round(before / after, 2),
    flowRowsPerSecondBefore: Math.round(W / before),
    flowRowsPerSecondAfter: Math.round(W / after),
    passRowsPerSecond,
    maxPValueDifference: maxPDifference,
  };
}
