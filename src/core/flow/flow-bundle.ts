/**
 * Everything the reference bundle keeps about the flow: the trained model (flow-spec.ts), its
 * calibration and time-ordered nulls, and the feature-localization part that `fit` adds.
 */
import type { LocalizationBundle } from '../localize/localization-bundle.js';
import type { TimeNull } from '../detect/time-null.js';
import type { FlowModel, TrainingEpoch } from './flow-spec.js';
import type { FlowTestName } from './likelihood-tests.js';

/** Everything the bundle keeps about the flow. */
export interface FlowBundle {
  /**
   * The score-based conditional feature test (which feature a joint shift came from): its latent
   * reference, categorical models and bootstrap nulls. Absent when `fit` skipped it.
   */
  localization?: LocalizationBundle;
  model: FlowModel;
  /** Reference features left out of the flow, and why (categoricals stay with the per-feature tests). */
  excluded: { feature: string; reason: string }[];
  /**
   * Indices of integer-valued flow inputs. Uniform noise on (−0.5, 0.5) is added to them before
   * training and before every scoring (seeded), so the flow models a density, not a lattice.
   */
  dequantize: number[];
  /**
   * log p_X of the held-out calibration split (never used for training or early stopping),
   * sorted ascending. The covariate-shift tests compare windows against it.
   */
  calibration: number[];
  /** Time-ordered nulls of the flow's window statistics at the served window size (absent: reference too small). */
  nulls?: FlowNulls;
  training: {
    backend: string;
    seed: number;
    rows: { train: number; validation: number; calibration: number };
    epochs: TrainingEpoch[];
    bestEpoch: number;
    seconds: number;
  };
}

/**
 * Time-ordered nulls of the flow's detectors, fitted on the reference rows in time order (src/flow/flow-nulls.ts):
 * each likelihood test's normal score, and each conditional statistic's z.
 */
export interface FlowNulls {
  windowSize: number;
  chunks: number;
  tests: Record<FlowTestName, TimeNull>;
  /** Lag-1 correlation of the covariate-shift detector's window evidence over consecutive chunks. */
  lag1: number;
  conditional?: { features: TimeNull[]; lag1: number };
}
