/**
 * `label-shift` (docs/benchmarks.md, "label-shift"): how well shiftwatch estimates a window's class proportions
 * under pure label shift. K = 10 Gaussian classes in d = 16, the demo task's over-confident logistic
 * model, a 10,000-row uniform-prior source validation set fitted as the reference (BCTS calibration
 * and all source quantities, as `shiftwatch fit` does), then target windows of 2,000 whose priors are
 * Dirichlet(α) draws for each α.
 *
 * Per window: BBSE, RLLS, MLLS+BCTS and MAP-EM+BCTS through estimateClassShares (the label-shift detector's own function, on
 * calibrated probabilities), and MLLS without calibration (mllsEm on the model's raw softmax with
 * π_s = the mean raw validation posterior). Errors are absolute errors per (window, class) against
 * the window's realized label frequencies (primary) and against the prior it was drawn from. The
 * 95% intervals of MLLS+BCTS (Wald, mlls-intervals.ts) are checked against both.
 */
import { DEFAULT_CLASS_SHARES, estimateClassShares } from '../src/core/predictions/class-shares.js';
import { mllsEm } from '../src/core/labelshift/mlls.js';
import { dirichlet } from '../src/demo/classification.js';
import type { LabelShiftMethod } from '../src/core/predictions/estimators.js';
import { intFlag, parseFlags } from './args.js';
import { buildSetup, inside, numberListFlag, targetWindow, windowSeed } from './classification-windows.js';
import { machineInfo } from './machine.js';
import { mean, quantile, round } from './stats.js';

const log = (line: string) => process.stderr.write(`[label-shift] ${line}\n`);

export const LABEL_SHIFT_FLAGS = ['windows', 'window-size', 'validation', 'alphas', 'classes', 'dims', 'seed'] as const;

const METHODS = ['bbse', 'rlls', 'mlls-nocal', 'mlls-bcts', 'map-bcts'] as const;
type Method = (typeof METHODS)[number];

interface Accumulator {
  /** Per (window, class) absolute errors against realized frequencies and against the drawn prior. */
  errFreq: Record<Method, number[]>;
  errPrior: Record<Method, number[]>;
  /** Per-window mean absolute error (for the spread across windows). */
  windowMae: Record<Method, number[]>;
  coverFreq: boolean[];
  coverPrior: boolean[];
  /** Coverage restricted to classes whose realized frequency is >= 1%. */
  coverFreqNonTiny: boolean[];
  width: number[];
  noChange: number[];
  warnings: Map<string, number>;
  nocalUnconverged: number;
  ms: number[];
}

const perMethod = <T>(f: () => T): Record<Method, T> => Object.fromEntries(METHODS.map((m) => [m, f()])) as Record<Method, T>;

export async function runLabelShift(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, LABEL_SHIFT_FLAGS);
  const windows = intFlag(flags, 'windows', 200);
  const windowSize = intFlag(flags, 'window-size', 2000, 50);
  const validationSize = intFlag(flags, 'validation', 10_000, 100);
  const classes = intFlag(flags, 'classes', 10, 2);
  const dims = intFlag(flags, 'dims', 16, 1);
  const seed = intFlag(flags, 'seed', 20260301, 0);
  const alphas = numberListFlag(flags, 'alphas', [10, 1, 0.1], 1e-6);
  const wall0 = performance.now();

  const setup = buildSetup({ classes, dims, validationSize, windowSize, seed });
  const { ref } = setup;
  log(`task K=${classes} d=${dims}; reference of ${validationSize} fitted in ${(setup.setupMs / 1000).toFixed(1)} s: top-1 accuracy ${setup.sourceAccuracy.toFixed(4)}, BCTS T=${ref.calibration.T.toFixed(3)}`);

  const results: Record<string, unknown>[] = [];
  for (const [a, alpha] of alphas.entries()) {
    const acc: Accumulator = {
      errFreq: perMethod(() => []), errPrior: perMethod(() => []), windowMae: perMethod(() => []),
      coverFreq: [], coverPrior: [], coverFreqNonTiny: [], width: [], noChange: [], warnings: new Map(), nocalUnconverged: 0, ms: [],
    };
    for (let w = 0; w < windows; w++) {
      const prior = dirichlet(classes, alpha, windowSeed(seed, a, w, 1));
      const win = targetWindow(setup, windowSize, prior, 0, windowSeed(seed, a, w, 2));
      const t0 = performance.now();
      const dense = { rows: windowSize, cols: classes, data: Float64Array.from(win.calibrated) };
      const estimates = {} as Record<Method, number[]>;
      let mllsInterval: { lower: number[]; upper: number[] } | undefined;
      // Plain MLLS (no prior) for the comparison with the literature, MAP-EM as the service runs it.
      for (const [name, method, priorRowsPerClass] of [['bbse', 'bbse', 0], ['rlls', 'rlls', 0], ['mlls-bcts', 'mlls', 0], ['map-bcts', 'mlls', DEFAULT_CLASS_SHARES.priorRowsPerClass]] as [Method, LabelShiftMethod, number][]) {
        const r = estimateClassShares(ref, dense, { ...DEFAULT_CLASS_SHARES, method, priorRowsPerClass }, windowSeed(seed, a, w, 3));
        if (!r.converged) acc.warnings.set(`${name}: EM did not converge`, (acc.warnings.get(`${name}: EM did not converge`) ?? 0) + 1);
        estimates[name] = r.shares.estimate;
        if (name === 'mlls-bcts') mllsInterval = r.shares;
      }
      const nocal = mllsEm(win.uncalibrated, setup.uncalibratedSourcePrior);
      if (!nocal.converged) acc.nocalUnconverged++;
      estimates['mlls-nocal'] = nocal.targetPrior;
      acc.ms.push(performance.now() - t0);

      for (const m of METHODS) {
        const q = estimates[m];
        const e = q.map((v, k) => Math.abs(v - win.frequencies[k]!));
        acc.errFreq[m].push(...e);
        acc.errPrior[m].push(...q.map((v, k) => Math.abs(v - prior[k]!)));
        acc.windowMae[m].push(mean(e));
      }
      acc.noChange.push(...ref.sourcePrior.map((v, k) => Math.abs(v - win.frequencies[k]!)));
      const iv = mllsInterval!;
      for (let k = 0; k < classes; k++) {
        acc.coverFreq.push(inside(win.frequencies[k]!, iv.lower[k]!, iv.upper[k]!));
        acc.coverPrior.push(inside(prior[k]!, iv.lower[k]!, iv.upper[k]!));
        if (win.frequencies[k]! >= 0.01) acc.coverFreqNonTiny.push(inside(win.frequencies[k]!, iv.lower[k]!, iv.upper[k]!));
        acc.width.push(iv.upper[k]! - iv.lower[k]!);
      }
    }
    const frac = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
    const row = {
      alpha,
      windows,
      mae_vs_window: Object.fromEntries(METHODS.map((m) => [m, round(mean(acc.errFreq[m]), 4)])),
      mae_vs_prior: Object.fromEntries(METHODS.map((m) => [m, round(mean(acc.errPrior[m]), 4)])),
      window_mae_p90_vs_window: Object.fromEntries(METHODS.map((m) => [m, round(quantile(acc.windowMae[m], 0.9), 4)])),
      no_change_mae_vs_window: round(mean(acc.noChange), 4),
      mlls_bcts_coverage_vs_window: round(frac(acc.coverFreq), 3),
      mlls_bcts_coverage_vs_prior: round(frac(acc.coverPrior), 3),
      mlls_bcts_coverage_vs_window_classes_ge_1pct: round(frac(acc.coverFreqNonTiny), 3),
      mlls_bcts_interval_width_mean: round(mean(acc.width), 4),
      mlls_nocal_unconverged_windows: acc.nocalUnconverged,
      windows_with_warning: Object.fromEntries(acc.warnings),
      estimate_ms_per_window_mean: round(mean(acc.ms), 1),
    };
    log(`α=${alpha}: MAE vs window ${JSON.stringify(row.mae_vs_window)}; MLLS+BCTS coverage ${row.mlls_bcts_coverage_vs_window} (vs prior ${row.mlls_bcts_coverage_vs_prior})`);
    results.push(row);
  }

  const atAlpha1 = results.find((r) => r.alpha === 1) as { mae_vs_window: Record<Method, number | null> } | undefined;
  const goalValue = atAlpha1?.mae_vs_window['mlls-bcts'] ?? null;
  return {
    scenario: 'label-shift',
    config: { classes, dims, validation: validationSize, window_size: windowSize, windows_per_alpha: windows, alphas, seed },
    source: { top1_accuracy: round(setup.sourceAccuracy, 4), bcts_T: round(ref.calibration.T, 4), bcts_bias: ref.calibration.bias.map((b) => round(b, 4)) },
    results,
    goal: { mlls_bcts_mae_alpha1_max: 0.02, mlls_bcts_mae_alpha1: goalValue, met: goalValue === null ? null : goalValue <= 0.02 },
    wall_s: round((performance.now() - wall0) / 1000, 1),
    machine: machineInfo(),
  };
}
