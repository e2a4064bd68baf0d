/** Settings of the prediction detectors and the label join (from the service configuration). */
import { DEFAULT_CLASS_SHARES, type ClassSharesOptions } from './class-shares.js';
import type { HeadlineChoice } from './estimators.js';

export interface PredictionOptions {
  /** What the headline accuracy shows: the backtest's choice ('selected') or a fixed estimator. */
  headline: HeadlineChoice;
  /** Alert when the headline's whole interval lies below it. */
  floor?: number;
  classShares: ClassSharesOptions;
  accuracy: {
    /** Two-sided coverage of the accuracy intervals (adaptive conformal inference aims at it). */
    coverage: number;
    /** Labelled windows the backtest and the conformal intervals look back over. */
    backtestWindows: number;
    /** Labelled windows an estimator needs before the backtest may select it. */
    minBacktestWindows: number;
    /** Step size γ of adaptive conformal inference. */
    aciStep: number;
  };
  /** `rebuildWindows`: released windows a restart rebuilds into the label join (core/pipeline/join-replay.ts; default LABEL_WINDOWS). */
  labels: { ttlMs: number; maxEntries: number; minLabeled: number; rebuildWindows?: number };
}

export const DEFAULT_PREDICTION_OPTIONS: PredictionOptions = {
  headline: 'selected',
  classShares: DEFAULT_CLASS_SHARES,
  accuracy: { coverage: 0.9, backtestWindows: 20, minBacktestWindows: 5, aciStep: 0.05 },
  labels: { ttlMs: 7 * 24 * 3600 * 1000, maxEntries: 1_000_000, minLabeled: 100 },
};
