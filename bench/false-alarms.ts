/**
 * `false-alarms`: how often the monitor alarms on a long clean stream, against the configured
 * expected run time between false alarms (ERT). In-process, no Kafka; 32 numeric features, count
 * windows of 500, a 20,000-row reference and a 1,000-window null.
 *
 * Streams: `iid` (reference and live rows iid) and `seasonal` (reference and live stream follow an
 * hour-of-day cycle and arrive in time order). For the seasonal stream two bundles are compared:
 * the null on contiguous blocks of the time-ordered reference (what `fit` does) and on a shuffled
 * reference (an iid null). Every window goes through SinglePartitionWindower + evaluateWindow (the Monitor's
 * own pieces, without JSON); the first `--monitor-windows` also go through Monitor.handle as JSON
 * RawMessages, must give identical p-values, and give the time per window of the real path.
 * Each stream's p-values are run through stepDrift (the function Monitor uses) once per ERT target;
 * for the Monitor's own target the replay must reproduce the Monitor's alarms exactly.
 */
import { initialDriftState, stepDrift } from '../src/core/detect/drift-state.js';
import { sequentialParams } from '../src/core/detectors/sequential.js';
import { pValueToEvidence } from '../src/core/stats/cusum.js';
import { intFlag, intListFlag, parseFlags, UsageError } from './args.js';
import { BENCH_TESTS, buildBundle, generateRows } from './bundle.js';
import { createGenerator } from './synthetic.js';
import { COOLDOWN_WINDOWS, CUSUM_K, FA_MODEL, runStream, type Variant, type VariantRun } from './fa-streams.js';
import { machineInfo } from './machine.js';
import { mean, median, poissonInterval, quantile, round } from './stats.js';

const FEATURES = 32;
/**
 * Hour-of-day cycle of ±0.6 latent sd on two of the four latents. 2,200 rows per simulated day, so
 * the 20,000-row reference spans 9.1 days and a window of 500 is 5.5 hours, not a divisor of a day
 * (with exactly 4 windows a day every window would sit at one of 4 fixed phases).
 */
const SEASONAL_AMPLITUDE = 0.6;
const DEFAULT_ROWS_PER_DAY = 2200;
const STREAMS = ['iid', 'seasonal'] as const;
const log = (line: string) => process.stderr.write(`[false-alarms] ${line}\n`);

export const FALSE_ALARMS_FLAGS = ['windows', 'window-size', 'ref-rows', 'replicates', 'targets', 'streams', 'rows-per-day', 'iid-null-windows', 'monitor-windows', 'seed'] as const;

export async function runFalseAlarms(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, FALSE_ALARMS_FLAGS);
  const windows = intFlag(flags, 'windows', 4000);
  const windowSize = intFlag(flags, 'window-size', 500, 20);
  const refRows = intFlag(flags, 'ref-rows', 20_000, 2 * windowSize);
  const replicates = intFlag(flags, 'replicates', 1000);
  const targets = intListFlag(flags, 'targets', [100, 1000], 10).sort((a, b) => a - b);
  const streams = (flags.get('streams') ?? STREAMS.join(',')).split(',').map((s) => s.trim());
  for (const s of streams) if (!(STREAMS as readonly string[]).includes(s)) throw new UsageError(`--streams takes ${STREAMS.join(', ')}; got "${s}"`);
  const seasonal = { amplitude: SEASONAL_AMPLITUDE, rowsPerDay: intFlag(flags, 'rows-per-day', DEFAULT_ROWS_PER_DAY, 2) };
  const seed = intFlag(flags, 'seed', 20261128, 0);
  // The shuffled-null bundle on the seasonal stream alarms at once; a few hundred windows show it.
  const iidNullWindows = Math.min(windows, intFlag(flags, 'iid-null-windows', 500));
  const monitorWindows = Math.min(windows, intFlag(flags, 'monitor-windows', 400));
  const monitorTarget = targets[targets.length - 1]!;

  const results: Record<string, unknown>[] = [];
  const timings: Record<string, unknown> = {};
  for (const kind of STREAMS.filter((s) => streams.includes(s))) {
    const gen = createGenerator({ features: FEATURES, seed, ...(kind === 'seasonal' ? { seasonal } : {}) });
    const rows = generateRows(gen, refRows);
    const nulls: ('blocks' | 'shuffled')[] = kind === 'seasonal' ? ['blocks', 'shuffled'] : ['blocks'];
    const variants: Variant[] = nulls.map((nullFrom) => {
      const built = buildBundle({ model: FA_MODEL, rows, names: gen.names, windowSize, replicates, seed, nullFrom });
      log(`${kind}: bundle with the null on ${nullFrom === 'blocks' ? 'contiguous blocks' : 'a shuffled reference'} fitted in ${(built.fitMs / 1000).toFixed(1)} s`);
      return { label: nullFrom, bundle: built.bundle, windows: nullFrom === 'shuffled' ? iidNullWindows : windows };
    });
    log(`${kind}: streaming ${windows} clean windows of ${windowSize} (the first ${monitorWindows} also through Monitor.handle)...`);
    const { runs, timing } = await runStream({ gen, variants, windowSize, firstRow: refRows, monitorTarget, monitorWindows });
    log(`${kind}: done in ${timing.wallS.toFixed(1)} s`);
    for (const run of runs) results.push({ stream: kind, ...summariseRun(run, targets, monitorTarget) });
    const perEvent = (win: number[], test: number[]) => round(((median(win) - median(test)) * 1000) / windowSize, 2);
    timings[kind] = {
      monitor_windows_timed: timing.monitorWindowMs.length,
      monitor_ms_per_window_median: round(median(timing.monitorWindowMs), 3),
      monitor_ms_per_window_p95: round(quantile(timing.monitorWindowMs, 0.95), 3),
      monitor_close_and_test_ms_median: round(median(timing.monitorCloseMs), 3),
      monitor_us_per_event_excluding_test: perEvent(timing.monitorWindowMs, timing.monitorCloseMs),
      encode_ms_per_window_median: round(median(timing.encodeMs), 3),
      core_ms_per_window_median: round(median(timing.coreWindowMs), 3),
      core_test_ms_median: round(median(timing.coreTestMs), 3),
      core_us_per_event_excluding_test: perEvent(timing.coreWindowMs, timing.coreTestMs),
      wall_s: round(timing.wallS, 1),
    };
  }

  return {
    scenario: 'false-alarms',
    windows,
    features: FEATURES,
    window_size: windowSize,
    reference_rows: refRows,
    null_replicates: replicates,
    alpha: BENCH_TESTS.alpha,
    correction: BENCH_TESTS.correction,
    cusum_k: CUSUM_K,
    cooldown_windows: COOLDOWN_WINDOWS,
    seed,
    seasonal: streams.includes('seasonal') ? seasonal : null,
    results,
    timing: timings,
    machine: machineInfo(),
  };
}

function summariseRun(run: VariantRun, targets: readonly number[], monitorTarget: number): Record<string, unknown> {
  const n = run.windowPs.length;
  const evidence = run.windowPs.map((p) => pValueToEvidence(p));
  const evidenceMean = mean(evidence);
  const perTarget = targets.map((target) => {
    const r = replayCusum(run.windowPs, target, run.lag1);
    if (target === monitorTarget) {
      const prefix = replayCusum(run.windowPs.slice(0, run.monitorWindows), target, run.lag1).alarms;
      if (prefix !== run.monitorFires) throw new Error(`replay of ${run.label} at target ${target} gave ${prefix} alarms on the Monitor's ${run.monitorWindows} windows, the Monitor ${run.monitorFires}`);
    }
    const [lo, hi] = poissonInterval(r.alarms);
    return {
      target_windows: target,
      cusum_h: round(benchParams(target, run.lag1).h, 4),
      alarms: r.alarms,
      alarms_expected_at_target: round(r.inControl / target, 2),
      in_control_windows: r.inControl,
      observed_run_length: r.alarms > 0 ? round(r.inControl / r.alarms, 1) : null,
      // Exact Poisson 95% interval on the alarm count, turned into one on the run length.
      observed_run_length_95ci: [hi > 0 ? round(r.inControl / hi, 1) : null, lo > 0 ? round(r.inControl / lo, 1) : null],
      mean_complete_run_length: round(mean(r.completeRuns), 1),
      observed_over_target: r.alarms > 0 ? round(r.inControl / r.alarms / target, 3) : null,
    };
  });
  return {
    null: run.label === 'blocks' ? 'contiguous blocks (fit default)' : 'shuffled reference (iid)',
    windows: n,
    monitor_cross_checked_windows: run.monitorWindows,
    bh_any_feature_flagged_fraction: round(run.anyFlagged / n, 4),
    window_p_le_alpha_fraction: round(run.windowPs.filter((p) => p <= BENCH_TESTS.alpha).length / n, 4),
    window_p_mean: round(mean(run.windowPs), 4),
    window_p_eq_1_fraction: round(run.windowPs.filter((p) => p >= 1).length / n, 4),
    // x = Φ⁻¹(1 − p), what the CUSUM adds up; N(0, 1) for a continuous uniform p.
    evidence_mean: round(evidenceMean, 3),
    evidence_sd: round(Math.sqrt(mean(evidence.map((x) => (x - evidenceMean) ** 2))), 3),
    targets: perTarget,
  };
}

/**
 * Feeds the window p-values through the drift state machine for one target. In-control windows are
 * those stepped while not in drift (cooldown included); a run is the in-control windows up to a fire.
 */
function replayCusum(windowPs: readonly number[], target: number, lag1: number): { alarms: number; inControl: number; completeRuns: number[] } {
  const params = benchParams(target, lag1);
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

/** The feature-shift detector's CUSUM parameters for a run-length target and the bundle's lag-1 correlation. */
function benchParams(target: number, lag1: number) {
  return sequentialParams({ k: CUSUM_K, expectedRunTimeWindows: target, alpha: BENCH_TESTS.alpha, cooldownWindows: COOLDOWN_WINDOWS, resolveAfterCleanWindows: 2 }, lag1);
}
