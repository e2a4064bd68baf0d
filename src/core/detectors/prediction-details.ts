/**
 * What the two prediction detectors report per window (label-shift's class mix and test,
 * accuracy-floor's estimates), in their results and in the alerts they raise. Plain types only,
 * so the alert contract, the metrics recorder and the detectors can share them.
 */
import type { ClassShares, LabelShiftStatistic } from '../predictions/class-shares.js';
import type { AccuracyEstimatorName } from '../predictions/estimators.js';

export interface LabelShiftDetails {
  n: number;
  classProportions: ClassShares;
  test: LabelShiftStatistic & { z: number; pValue: number; timeOrdered: boolean };
  /** The class-mix distance a flag had to exceed. */
  distanceFloor: number;
  warnings: string[];
}

export type IntervalKind = 'chunk' | 'aci' | 'wilson' | 'normal' | 'bootstrap' | 'conformal';

export interface AccuracyEstimate {
  estimate: number;
  lower: number;
  upper: number;
  interval: IntervalKind;
}

export interface AccuracyDetails {
  n: number;
  accuracy: Partial<Record<AccuracyEstimatorName, AccuracyEstimate>>;
  selected: AccuracyEstimate & { estimator: AccuracyEstimatorName; width: number };
  /** What the headline shows (the configured choice). */
  headline: AccuracyEstimate & { estimator: AccuracyEstimatorName };
  floor: number | undefined;
  warnings: string[];
}
