/**
 * `false-alarms`: how often the monitor alarms on a long clean stream, against the configured
 * expected run time between false alarms. In-process, no Kafka: the pure Monitor is fed RawMessages
 * (JSON-encoded inference events, 32 numeric features, count windows of 500). Each monitor runs with
 * the largest target; every other target replays the same per-window p-values through stepDrift,
 * the function Monitor uses, since the p-values do not depend on the target (checked for the
 * monitor's own target: the replay must reproduce its alarms exactly).
 *
 * Streams: `iid` (reference and live rows iid) and `seasonal` (both follow an hour-of-day cycle and
 * arrive in time order). For the seasonal stream two bundles are compared: the null simulated on
 * contiguous blocks of the time-ordered reference (what `fit` does) and on a shuffled reference.
 */
import { Monitor, emptyOutput, type RawMessage, type WindowReport } from '../core/pipeline/monitor.js';
import { driftParams, initialDriftState, stepDrift } from '../core/detect/drift-state.js';
import type { ReferenceBundle } from '../core/reference/bundle-types.js';
import { boolFlag, intFlag, intListFlag, parseFlags } from './args.js';
import { BENCH_TESTS, buildBundle, generateRows } from './bundle.js';
import { createGenerator, toFeatures } from './synthetic.js';
import { machineInfo } from './machine.js';
import { mean, median, poissonInterval, quantile, round } from './stats.js';

const MODEL = 'fa-bench';
const FEATURES = 32;
const K = 0.5;
const COOLDOWN = 3;
const SEASONAL = { amplitude: 0.6, rowsPerDay: 2000 };
const log = (line: string) => process.stderr.write(`[false-alarms] ${line}\n`);

export const FALSE_ALARMS_FLAGS = ['windows', 'window-size', 'ref-rows', 'replicates', 'targets', 'seasonal', 'seed'] as const;

interface MonitorRun {
  label: string;
  nullMethod: string;
  windowPs: number[];
  anyFlagged: number;
  monitorFires: number;
}

export async function runFalseAlarms(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, FALSE_ALARMS_FLAGS);
  const windows = intFlag(flags, 'windows', 4000);
  const windowSize = intFlag(flags, 'window-size', 500, 20);
  const refRows = intFlag(flags, 'ref-rows', 20_000, 2 * windowSize);
  const replicates = intFlag(flags, 'replicates', 1000);
  const targets = intListFlag(flags, 'targets', [100, 1000], 10).sort((a, b) => a - b);
  const seasonal = boolFlag(flags, 'seasonal', true);
  const seed = intFlag(flags, 'seed', 20261128, 0);
  const monitorTarget = targets[targets.length - 1]!;

  const streams: Record<string, unknown>[] = [];
  const kinds: ('iid' | 'seasonal')[] = seasonal ? ['iid', 'seasonal'] : ['iid'];
  for (const kind of kinds) {
    const gen = createGenerator({ features: FEATURES, seed, ...(kind === 'seasonal' ? { seasonal: SEASONAL } : {}) });
    const rows = generateRows(gen, refRows);
    const variants: ('blocks' | 'shuffled')[] = kind === 'seasonal' ? ['blocks', 'shuffled'] : ['blocks'];
    const bundles = variants.map((nullFrom) => {
      const built = buildBundle({ model: MODEL, rows, names: gen.names, windowSize, replicates, seed, nullFrom });
      log(`${kind}: bundle with ${nullFrom} null fitted in ${(built.fitMs / 1000).toFixed(1)} s`);
      return { nullFrom, bundle: built.bundle };
    });
    const monitors = bundles.map(({ nullFrom, bundle }) => ({ label: nullFrom, bundle, monitor: newMonitor(bundle, windowSize, monitorTarget) }));
    log(`${kind}: streaming ${windows} clean windows of ${windowSize} through ${monitors.length} monitor(s)...`);

    const runs: MonitorRun[] = monitors.map((m) => ({ label: m.label, nullMethod: m.bundle.nulls.method, windowPs: [], anyFlagged: 0, monitorFires: 0 }));
    const windowMs: number[] = [];
    const closeMs: number[] = [];
    const encodeMs: number[] = [];
    const startTs = Date.UTC(2026, 0, 1);
    let spentNs = 0n;
    let encodeNs = 0n;
    const totalEvents = windows * windowSize;
    const wallStarted = performance.now();
    for (let e = 0; e < totalEvents; e++) {
      const i = refRows + e; // the live stream continues the reference in time
      const t0 = process.hrtime.bigint();
      const value = Buffer.from(JSON.stringify({ model: MODEL, id: `e${e}`, ts: startTs + i * gen.stepMs, features: toFeatures(gen.names, gen.row(i)) }));
      const message: RawMessage = { topic: 'bench', partition: 0, offset: String(e), timestamp: String(startTs + i * gen.stepMs), key: null, value };
      const t1 = process.hrtime.bigint();
      encodeNs += t1 - t0;
      for (let k = 0; k < monitors.length; k++) {
        const out = emptyOutput();
        const s = process.hrtime.bigint();
        monitors[k]!.monitor.handle(message, out);
        const took = process.hrtime.bigint() - s;
        if (k === 0) spentNs += took;
        if (out.deadLetters.length > 0) throw new Error(`unexpected dead letter: ${out.deadLetters[0]!.reason}`);
        for (const report of out.windows) record(runs[k]!, report);
        if (k === 0 && out.windows.length > 0) {
          closeMs.push(Number(took) / 1e6);
          windowMs.push(Number(spentNs) / 1e6);
          encodeMs.push(Number(encodeNs) / 1e6);
          spentNs = 0n;
          encodeNs = 0n;
        }
        runs[k]!.monitorFires += out.alerts.filter((a) => a.status === 'firing').length;
      }
    }
    const wallS = (performance.now() - wallStarted) / 1000;
    log(`${kind}: done in ${wallS.toFixed(1)} s`);

    for (const run of runs) {
      const perTarget = targets.map((target) => {
        const r = replayCusum(run.windowPs, target);
        if (target === monitorTarget && r.alarms !== run.monitorFires) {
          throw new Error(`replay of ${run.label} at target ${target} gave ${r.alarms} alarms, the monitor ${run.monitorFires}`);
        }
        const [lo, hi] = poissonInterval(r.alarms);
        return {
          target_windows: target,
          cusum_h: round(driftParams({ k: K, expectedRunTimeWindows: target, alpha: BENCH_TESTS.alpha, cooldownWindows: COOLDOWN }).h, 4),
          alarms: r.alarms,
          expected_alarms_at_target: round(r.inControl / target, 2),
          in_control_windows: r.inControl,
          observed_run_length: r.alarms > 0 ? round(r.inControl / r.alarms, 1) : null,
          // Exact Poisson 95% interval on the alarm count, turned into one on the run length.
          observed_run_length_95ci: [hi > 0 ? round(r.inControl / hi, 1) : null, lo > 0 ? round(r.inControl / lo, 1) : null],
          mean_complete_run_length: round(mean(r.completeRuns), 1),
          observed_over_target: r.alarms > 0 ? round(r.inControl / r.alarms / target, 3) : null,
        };
      });
      streams.push({
        stream: kind,
        null: run.label === 'blocks' ? 'contiguous blocks (fit default)' : 'shuffled reference (iid)',
        windows: run.windowPs.length,
        bh_any_feature_flagged_fraction: round(run.anyFlagged / run.windowPs.length, 4),
        window_p_le_alpha_fraction: round(run.windowPs.filter((p) => p <= BENCH_TESTS.alpha).length / run.windowPs.length, 4),
        window_p_mean: round(mean(run.windowPs), 4),
        targets: perTarget,
      });
    }
    streams.push({
      stream: kind,
      timing: {
        monitor_ms_per_window_median: round(median(windowMs), 3),
        monitor_ms_per_window_p95: round(quantile(windowMs, 0.95), 3),
        close_and_test_ms_median: round(median(closeMs), 3),
        ingest_us_per_event_median: round(((median(windowMs) - median(closeMs)) * 1000) / windowSize, 3),
        encode_ms_per_window_median: round(median(encodeMs), 3),
        wall_s: round(wallS, 1),
      },
    });
  }

  return {
    scenario: 'false-alarms',
    features: FEATURES,
    window_size: windowSize,
    reference_rows: refRows,
    null_replicates: replicates,
    alpha: BENCH_TESTS.alpha,
    correction: BENCH_TESTS.correction,
    cusum_k: K,
    cooldown_windows: COOLDOWN,
    seasonal: seasonal ? SEASONAL : null,
    streams,
    machine: machineInfo(),
  };
}

function newMonitor(bundle: ReferenceBundle, windowSize: number, target: number): Monitor {
  const drift = driftParams({ k: K, expectedRunTimeWindows: target, alpha: BENCH_TESTS.alpha, cooldownWindows: COOLDOWN });
  return new Monitor([{ name: MODEL, bundle, window: { type: 'count', size: windowSize, minEvents: Math.min(100, windowSize) } }], {
    maxMessageBytes: 1_048_576,
    tests: BENCH_TESTS,
    drift,
  });
}

function record(run: MonitorRun, report: WindowReport): void {
  if (!report.tested || report.evaluation === undefined) throw new Error(`window ${report.window.id} was not tested`);
  run.windowPs.push(report.evaluation.windowP);
  if (report.evaluation.features.some((f) => f.flagged)) run.anyFlagged += 1;
}

/**
 * Feeds the window p-values through the drift state machine for one target. In-control windows are
 * those stepped while not in drift (cooldown included); a run is the in-control windows between fires.
 */
function replayCusum(windowPs: readonly number[], target: number): { alarms: number; inControl: number; completeRuns: number[] } {
  const params = driftParams({ k: K, expectedRunTimeWindows: target, alpha: BENCH_TESTS.alpha, cooldownWindows: COOLDOWN });
  const state = initialDriftState();
  let alarms = 0;
  let inControl = 0;
  let run = 0;
  const completeRuns: number[] = [];
  windowPs.forEach((p, i) => {
    const wasInDrift = state.status === 'drift';
    const step = stepDrift(params, state, p, `w${i}`);
    if (wasInDrift) return;
    inControl += 1;
    run += 1;
    if (step.transition === 'fire') {
      alarms += 1;
      completeRuns.push(run);
      run = 0;
    }
  });
  return { alarms, inControl, completeRuns };
}
