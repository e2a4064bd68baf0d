/**
 * `npm run bench -- trust`: the trust benchmark. Fits a reference bundle (with a density flow) on
 * whole days of a seasonal synthetic stream (trust-streams.ts), then runs `shiftwatch replay` on four
 * streams that continue it in time and checks the goals:
 *  (a) seasonal, nothing changes: at most one alert episode per 1,000 windows for every detector,
 *      every feature flagged in at most 5% of windows, no class share outside [0.01, 0.99];
 *  (b) label shift only: class-share MAE at most half of "no change", the label-shift detector
 *      fires within 3 windows of the change;
 *  (c) accuracy drifting slowly through covariate shift: the selected estimate's MAE at most 0.7×
 *      "no change", no estimator published as selected worse than 1.05× "no change" on its windows,
 *      interval coverage at least 0.88 at nominal 0.90 with a mean width at most 1.5× the oracle
 *      width (2× the 90th percentile of the selected estimate's |error|);
 *  (d) one feature shifted for a stretch: an alert within 3 windows of the start, resolved within 10
 *      windows of the end, the shifted feature ranked first in at least 90% of the shifted windows;
 *  and replay's speed without a flow (goal ≥ 50k events/s on one core).
 * The last line is one JSON object with the figures and `goal.*` fields.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitBundle, type FitOptions } from '../src/core/fit/fit-bundle.js';
import { parseConfig } from '../src/config/index.js';
import { loadModels, monitorOptions } from '../src/service/models.js';
import { createLogger } from '../src/logging.js';
import { replay } from '../src/replay/replay.js';
import type { ReplaySummary } from '../src/core/replay/replay-summary.js';
import type { WindowRecord } from '../src/core/pipeline/window-record.js';
import type { Alert } from '../src/core/alerts/alert.js';
import { fitFlow } from '../src/flow/fit-flow.js';
import { intFlag, parseFlags } from './args.js';
import { machineInfo } from './machine.js';
import { createWorld, writeStream, NUMERIC, type Script } from './trust-streams.js';

const MODEL = 'trust';
const log = (m: string) => process.stderr.write(`[trust] ${m}\n`);
const round = (x: number | null | undefined, digits = 4) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

interface StreamRun {
  summary: ReplaySummary;
  windows: WindowRecord[];
  alerts: Alert[];
}

export async function runTrust(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['window-size', 'windows-per-day', 'reference-days', 'seasonal-windows', 'seed', 'flow-epochs']);
  const windowSize = intFlag(flags, 'window-size', 500, 50);
  const windowsPerDay = intFlag(flags, 'windows-per-day', 12, 2);
  const referenceDays = intFlag(flags, 'reference-days', 10, 2);
  const seasonalWindows = intFlag(flags, 'seasonal-windows', 1000, 10);
  const seed = intFlag(flags, 'seed', 20261206, 0);
  const flowEpochs = intFlag(flags, 'flow-epochs', 12);
  const dir = await mkdtemp(join(tmpdir(), 'shiftwatch-trust-'));
  const wall = performance.now();
  try {
    const refWindows = referenceDays * windowsPerDay;
    // Two worlds, each with its own reference: a seasonal one (inputs and class mix follow the day) for
    // the no-shift control, the accuracy drift and the feature shift, and one where only the class mix
    // follows the day, for the label-shift stream (the assumption every label-shift estimator makes).
    const worlds = { seasonal: createWorld({ windowSize, windowsPerDay }, seed), label: createWorld({ windowSize, windowsPerDay }, seed, false) };
    for (const [name, world] of Object.entries(worlds)) {
      const refPath = join(dir, `reference-${name}.csv`);
      await writeStream(refPath, world, { offsetWindows: 0, windows: refWindows, script: { kind: 'none' }, seed: seed + 1 });
      log(`${name} reference: ${refWindows * windowSize} rows over ${referenceDays} days; fitting${name === 'seasonal' ? ` (with a flow of ${flowEpochs} epochs)` : ''}...`);
      const fitStarted = performance.now();
      const flowTrainer: FitOptions['flowTrainer'] = (rows, specs, { minRows, context }) => fitFlow(rows, specs, {
        seed, minRows, nulls: { windowSize, context }, architecture: { layers: 4, hidden: 64 }, maxEpochs: flowEpochs, batchSize: 1024, learningRate: 4e-3,
        localization: { windowSize, alpha: 0.05, replicates: 1000, method: 'flow' },
      });
      const { bundle } = await fitBundle({
        input: refPath, model: MODEL, outDir: join(dir, `bundle-${name}`), windowSize, minEvents: Math.floor(windowSize / 2),
        tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 }, seed, timeColumn: 'ts', contextFeatures: ['hour'],
        ...(name === 'seasonal' ? { flowTrainer } : {}),
      });
      log(`fitted in ${((performance.now() - fitStarted) / 1000).toFixed(1)} s: ${bundle.featureNulls?.chunks ?? 0} chunks, flow ${bundle.flow ? 'yes' : 'no'}`);
    }

    const scripts: Record<string, { world: keyof typeof worlds; windows: number; script: Script }> = {
      seasonal: { world: 'seasonal', windows: seasonalWindows, script: { kind: 'none' } },
      'label-shift': { world: 'label', windows: 120, script: { kind: 'label-shift', fromWindow: 60, mix: [0.5, 0.3, 0.2] } },
      'accuracy-drift': { world: 'seasonal', windows: 300, script: { kind: 'accuracy-drift', windows: 300, maxNoise: 1.2 } },
      'feature-shift': { world: 'seasonal', windows: 160, script: { kind: 'feature-shift', feature: 'x2', fromWindow: 60, toWindow: 100, shift: 0.6 } },
    };
    const runs: Record<string, StreamRun> = {};
    let offset = refWindows;
    for (const [name, s] of Object.entries(scripts)) {
      const path = join(dir, `${name}.csv`);
      await writeStream(path, worlds[s.world], { offsetWindows: offset, windows: s.windows, script: s.script, seed: seed + offset });
      offset += s.windows;
      runs[name] = await replayStream(join(dir, `bundle-${s.world}`), name, path, 'auto');
      log(`${name}: ${JSON.stringify(runs[name]!.summary.alertEpisodes)} episodes, ${Math.round(runs[name]!.summary.throughput.eventsPerSecond)} events/s`);
    }
    const speed = await replayStream(join(dir, 'bundle-seasonal'), 'speed', join(dir, 'seasonal.csv'), 'off');
    return report({ runs, speed, scripts, config: { windowSize, windowsPerDay, referenceDays, seasonalWindows, seed, flowEpochs }, seconds: (performance.now() - wall) / 1000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  async function replayStream(bundle: string, name: string, input: string, scorer: 'auto' | 'off'): Promise<StreamRun> {
    const config = parseConfig({
      kafka: { brokers: ['unused:9092'] },
      models: [{ name: MODEL, bundle }],
      window: { type: 'count', size: windowSize, minEvents: Math.floor(windowSize / 2) },
      flow: { scorer },
      logLevel: 'warn',
    });
    const models = await loadModels(config, createLogger('warn'));
    const outDir = join(bundle, '..', `out-${name}`);
    const summary = await replay({ models, monitor: monitorOptions(config), input, outDir, labelDelay: 1 });
    const lines = async (file: string) => (await readFile(join(outDir, file), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
    return { summary, windows: (await lines('windows.jsonl')) as WindowRecord[], alerts: (await lines('alerts.jsonl')) as Alert[] };
  }
}

function report(args: { runs: Record<string, StreamRun>; speed: StreamRun; scripts: Record<string, { windows: number; script: Script }>; config: Record<string, unknown>; seconds: number }): Record<string, unknown> {
  const { runs } = args;
  const a = runs.seasonal!;
  const perThousand = (n: number) => (1000 * n) / a.summary.windows;
  const episodesA = a.summary.alertEpisodes;
  const worstEpisodesPer1000 = Math.max(...Object.values(episodesA).map(perThousand));
  const worstFlagRate = Math.max(...Object.values(a.summary.flagRate.features));

  const b = runs['label-shift']!;
  const bScript = args.scripts['label-shift']!.script as Extract<Script, { kind: 'label-shift' }>;
  const change = bScript.fromWindow + 1; // window serials count from 1
  const bFirings = b.alerts.filter((x) => x.detector === 'label-shift' && x.status === 'firing');
  const bDelay = bFirings.find((x) => x.window.serial >= change)?.window.serial;
  const bEarly = bFirings.filter((x) => x.window.serial < change).length;

  const c = runs['accuracy-drift']!;
  const cSel = c.summary.accuracy.selected;
  const cNoChange = c.summary.accuracy['no-change'];
  const errors = c.windows.filter((w) => w.realized && w.selected).map((w) => Math.abs(w.selected!.estimate - w.realized!.accuracy)).sort((x, y) => x - y);
  const oracleWidth = errors.length === 0 ? null : 2 * errors[Math.min(errors.length - 1, Math.ceil(0.9 * errors.length) - 1)]!;
  const worstSelectedRatio = Math.max(0, ...Object.values(c.summary.selectedAgainstNoChange).map((s) => s.ratio ?? 0));

  const d = runs['feature-shift']!;
  const dScript = args.scripts['feature-shift']!.script as Extract<Script, { kind: 'feature-shift' }>;
  const start = dScript.fromWindow + 1;
  const end = dScript.toWindow; // last shifted serial
  const dAlerts = d.alerts.filter((x) => x.detector === 'feature-shift');
  const dFire = dAlerts.find((x) => x.status === 'firing' && x.window.serial >= start);
  const dResolve = dAlerts.find((x) => x.status === 'resolved' && x.window.serial > end);
  const shifted = d.windows.filter((w) => w.window.serial >= start && w.window.serial <= end);
  const rankedFirst = shifted.filter((w) => w.features[0]?.name === dScript.feature).length / Math.max(1, shifted.length);
  const dFalse = dAlerts.filter((x) => x.status === 'firing' && (x.window.serial < start || x.window.serial > end + 10)).length;

  const goal = {
    seasonal_max_episodes_per_1000_windows: round(worstEpisodesPer1000, 2),
    seasonal_max_feature_flag_rate: round(worstFlagRate, 4),
    seasonal_degenerate_class_share_windows: a.summary.classShares.degenerateWindows,
    seasonal_met: worstEpisodesPer1000 <= 1 && worstFlagRate <= 0.05 && a.summary.classShares.degenerateWindows === 0,
    label_shift_class_share_mae_over_no_change: round((b.summary.classShares.mae ?? 0) / (b.summary.classShares.noChangeMae ?? 1), 3),
    label_shift_detection_delay_windows: bDelay === undefined ? null : bDelay - change,
    label_shift_met: (b.summary.classShares.mae ?? 1) <= 0.5 * (b.summary.classShares.noChangeMae ?? 0) && bDelay !== undefined && bDelay - change <= 3 && bEarly === 0,
    accuracy_selected_mae_over_no_change: round((cSel?.mae ?? 0) / (cNoChange?.mae ?? 1), 3),
    accuracy_worst_selected_over_no_change: round(worstSelectedRatio, 3),
    accuracy_selected_coverage: round(cSel?.coverage, 3),
    accuracy_width_over_oracle: oracleWidth === null || cSel?.meanWidth === null ? null : round((cSel?.meanWidth ?? 0) / oracleWidth, 3),
    accuracy_met: cSel !== undefined && cNoChange !== undefined && (cSel.mae ?? 1) <= 0.7 * (cNoChange.mae ?? 0) && worstSelectedRatio <= 1.05
      && (cSel.coverage ?? 0) >= 0.88 && oracleWidth !== null && (cSel.meanWidth ?? Infinity) <= 1.5 * oracleWidth,
    feature_shift_alert_delay_windows: dFire === undefined ? null : dFire.window.serial - start,
    feature_shift_resolve_delay_windows: dResolve === undefined ? null : dResolve.window.serial - end,
    feature_shift_ranked_first_share: round(rankedFirst, 3),
    feature_shift_met: dFire !== undefined && dFire.window.serial - start <= 3 && dResolve !== undefined && dResolve.window.serial - end <= 10 && rankedFirst >= 0.9 && dFalse === 0,
    replay_events_per_second_without_flow: Math.round(args.speed.summary.throughput.eventsPerSecond),
    replay_speed_met: args.speed.summary.throughput.eventsPerSecond >= 50_000,
  };
  const brief = (r: StreamRun) => ({
    windows: r.summary.windows, events: r.summary.events, alert_episodes: r.summary.alertEpisodes,
    flag_rate_detectors: Object.fromEntries(Object.entries(r.summary.flagRate.detectors).map(([k, v]) => [k, round(v, 4)])),
    events_per_second: Math.round(r.summary.throughput.eventsPerSecond),
  });
  return {
    scenario: 'trust',
    config: args.config,
    seasonal: { ...brief(a), flag_rate_features: Object.fromEntries(Object.entries(a.summary.flagRate.features).map(([k, v]) => [k, round(v, 4)])), class_shares: a.summary.classShares },
    label_shift: { ...brief(b), class_shares: b.summary.classShares, early_firings: bEarly },
    accuracy_drift: {
      ...brief(c),
      accuracy: Object.fromEntries(Object.entries(c.summary.accuracy).map(([k, v]) => [k, { mae: round(v.mae), coverage: round(v.coverage, 3), width: round(v.meanWidth) }])),
      selected_against_no_change: c.summary.selectedAgainstNoChange,
      oracle_width: round(oracleWidth),
    },
    feature_shift: { ...brief(d), false_firings: dFalse, shifted_feature: dScript.feature },
    goal: { ...goal, met: goal.seasonal_met && goal.label_shift_met && goal.accuracy_met && goal.feature_shift_met && goal.replay_speed_met },
    features: [...NUMERIC, 'hour', 'channel'],
    wall_s: round(args.seconds, 1),
    machine: machineInfo(),
  };
}
