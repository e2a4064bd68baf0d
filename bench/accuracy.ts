/**
 * `accuracy` (docs/benchmarks.md, "accuracy"): accuracy without labels. Same task and reference as
 * `label-shift` (K = 10, d = 16, over-confident logistic model, 10,000-row uniform-prior validation
 * set fitted as the reference), windows of 2,000 in two families:
 *   (a) pure label shift: priors drawn from Dirichlet(α = 1), no input noise;
 *   (b) covariate noise: uniform prior, every input coordinate gets `noise` SD of extra Gaussian
 *       noise (noise 0 is the no-shift control), so p(x|y) changes and accuracy drops.
 * Per window every label-free accuracy estimator of labelFreeAccuracy (AC, DoC, ATC-MC, ATC-NE, MaNo, the
 * accuracy implied by the MLLS+BCTS class mix) and the "no change" baseline (the source accuracy)
 * are compared with the model's realized top-1 accuracy on the window's labels; each estimator's
 * 95% interval is checked for coverage of the realized accuracy.
 */
import { DEFAULT_CLASS_SHARES, estimateClassShares } from '../src/core/predictions/class-shares.js';
import { labelFreeAccuracy, type LabelFreeEstimator } from '../src/core/predictions/accuracy-estimates.js';
import { ACCURACY_ESTIMATORS } from '../src/core/predictions/estimators.js';
import { dirichlet, uniform } from '../src/demo/classification.js';
import { intFlag, parseFlags } from './args.js';
import { buildSetup, inside, numberListFlag, targetWindow, windowSeed } from './classification-windows.js';
import { machineInfo } from './machine.js';
import { mean, quantile, round } from './stats.js';

const log = (line: string) => process.stderr.write(`[accuracy] ${line}\n`);

export const ACCURACY_FLAGS = ['windows', 'window-size', 'validation', 'alpha', 'noises', 'classes', 'dims', 'seed'] as const;

/** Table order; `no-change` predicts the source accuracy and has no interval. */
const COLUMNS = ['ac', 'doc', 'atc-mc', 'atc-ne', 'mano', 'label-shift', 'no-change'] as const;
type Column = (typeof COLUMNS)[number];

interface Setting {
  name: string;
  kind: 'label-shift' | 'covariate-noise';
  alpha?: number;
  noise: number;
}

interface Tally {
  estimate: number[];
  absErr: number[];
  signedErr: number[];
  covered: boolean[];
  width: number[];
  intervalKinds: Set<string>;
}

export async function runAccuracy(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ACCURACY_FLAGS);
  const windows = intFlag(flags, 'windows', 300);
  const windowSize = intFlag(flags, 'window-size', 2000, 50);
  const validationSize = intFlag(flags, 'validation', 10_000, 100);
  const classes = intFlag(flags, 'classes', 10, 2);
  const dims = intFlag(flags, 'dims', 16, 1);
  const seed = intFlag(flags, 'seed', 20260301, 0);
  const alpha = numberListFlag(flags, 'alpha', [1], 1e-6)[0]!;
  const noises = numberListFlag(flags, 'noises', [0, 0.5, 1, 2], 0);
  const wall0 = performance.now();

  const setup = buildSetup({ classes, dims, validationSize, windowSize, seed });
  const { ref } = setup;
  log(`task K=${classes} d=${dims}; reference of ${validationSize} fitted in ${(setup.setupMs / 1000).toFixed(1)} s: top-1 accuracy ${setup.sourceAccuracy.toFixed(4)}`);
  if ('refused' in ref.mano) log(`MaNo refused at fit time: ${ref.mano.refused}`);

  const settings: Setting[] = [
    { name: `label-shift alpha=${alpha}`, kind: 'label-shift', alpha, noise: 0 },
    ...noises.map((noise): Setting => ({ name: `noise=${noise}`, kind: 'covariate-noise', noise })),
  ];
  const results: Record<string, unknown>[] = [];
  for (const [s, setting] of settings.entries()) {
    const tallies = Object.fromEntries(COLUMNS.map((c) => [c, { estimate: [], absErr: [], signedErr: [], covered: [], width: [], intervalKinds: new Set() } as Tally])) as Record<Column, Tally>;
    const truth: number[] = [];
    const rawConfidence: number[] = [];
    const logitRange: number[] = [];
    const warnings = new Map<string, number>();
    const ms: number[] = [];
    for (let w = 0; w < windows; w++) {
      // Seeded per (setting index, window); offset from the `label-shift` scenario's seeds.
      const prior = setting.kind === 'label-shift' ? dirichlet(classes, setting.alpha!, windowSeed(seed + 17, s, w, 1)) : uniform(classes);
      const win = targetWindow(setup, windowSize, prior, setting.noise, windowSeed(seed + 17, s, w, 2));
      const t0 = performance.now();
      const dense = { rows: windowSize, cols: classes, data: Float64Array.from(win.calibrated) };
      const shares = estimateClassShares(ref, dense, { ...DEFAULT_CLASS_SHARES, bootstrap: 0 }, w).shares.estimate;
      const rows = Array.from({ length: windowSize }, (_, i) => win.calibrated.slice(i * classes, (i + 1) * classes));
      const ev = labelFreeAccuracy(ref, rows, shares);
      ms.push(performance.now() - t0);
      for (const warning of ev.warnings) warnings.set(warning, (warnings.get(warning) ?? 0) + 1);
      truth.push(win.accuracy);
      rawConfidence.push(win.rawConfidence);
      logitRange.push(win.logitRange);
      for (const c of COLUMNS) {
        const t = tallies[c];
        if (c === 'no-change') {
          t.estimate.push(setup.sourceAccuracy);
          t.absErr.push(100 * Math.abs(setup.sourceAccuracy - win.accuracy));
          t.signedErr.push(100 * (setup.sourceAccuracy - win.accuracy));
          continue;
        }
        const point = ev.estimates[c as LabelFreeEstimator];
        if (point === undefined) continue;
        const e = { estimate: point.estimate, lower: point.sampling.lower, upper: point.sampling.upper, interval: point.sampling.kind };
        t.estimate.push(e.estimate);
        t.absErr.push(100 * Math.abs(e.estimate - win.accuracy));
        t.signedErr.push(100 * (e.estimate - win.accuracy));
        t.covered.push(inside(win.accuracy, e.lower, e.upper));
        t.width.push(100 * (e.upper - e.lower));
        t.intervalKinds.add(e.interval);
      }
    }
    const frac = (xs: boolean[]) => (xs.length === 0 ? Number.NaN : xs.filter(Boolean).length / xs.length);
    const row = {
      setting: setting.name,
      kind: setting.kind,
      ...(setting.alpha !== undefined ? { alpha: setting.alpha } : {}),
      noise: setting.noise,
      windows,
      true_accuracy_mean: round(mean(truth), 4),
      true_accuracy_range: [round(Math.min(...truth), 4), round(Math.max(...truth), 4)],
      model_raw_max_prob_mean: round(mean(rawConfidence), 4),
      model_logit_range_mean: round(mean(logitRange), 2),
      estimate_mean: Object.fromEntries(COLUMNS.map((c) => [c, round(mean(tallies[c].estimate), 4)])),
      mae_points: Object.fromEntries(COLUMNS.map((c) => [c, round(mean(tallies[c].absErr), 2)])),
      bias_points: Object.fromEntries(COLUMNS.map((c) => [c, round(mean(tallies[c].signedErr), 2)])),
      abs_err_p90_points: Object.fromEntries(COLUMNS.map((c) => [c, round(quantile(tallies[c].absErr, 0.9), 2)])),
      coverage_95: Object.fromEntries(COLUMNS.filter((c) => c !== 'no-change').map((c) => [c, round(frac(tallies[c].covered), 3)])),
      interval_width_points_mean: Object.fromEntries(COLUMNS.filter((c) => c !== 'no-change').map((c) => [c, round(mean(tallies[c].width), 2)])),
      interval_kinds: Object.fromEntries(COLUMNS.filter((c) => c !== 'no-change').map((c) => [c, [...tallies[c].intervalKinds].join(',')])),
      windows_with_warning: Object.fromEntries(warnings),
      evaluate_ms_per_window_mean: round(mean(ms), 1),
    };
    log(`${setting.name}: true acc ${row.true_accuracy_mean}; MAE points ${JSON.stringify(row.mae_points)}; coverage ${JSON.stringify(row.coverage_95)}`);
    results.push(row);
  }

  const pure = results[0] as { mae_points: Record<Column, number | null> };
  const atcNe = pure.mae_points['atc-ne'];
  return {
    scenario: 'accuracy',
    config: { classes, dims, validation: validationSize, window_size: windowSize, windows_per_setting: windows, alpha, noises, seed, estimators: ACCURACY_ESTIMATORS },
    source: { top1_accuracy: round(setup.sourceAccuracy, 4), bcts_T: round(ref.calibration.T, 4), mano: 'fit' in ref.mano ? 'fitted' : ref.mano.refused },
    results,
    goal: { atc_ne_mae_points_label_shift_max: 3, atc_ne_mae_points_label_shift: atcNe, met: atcNe === null ? null : atcNe <= 3 },
    wall_s: round((performance.now() - wall0) / 1000, 1),
    machine: machineInfo(),
  };
}
