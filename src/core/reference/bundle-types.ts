/**
 * The reference bundle: everything `serve` needs about a model's reference data, written once by
 * `fit` and only read afterwards. Plain JSON; `formatVersion` changes whenever the layout does.
 */
import type { ClassificationReference } from '../predictions/classification-reference.js';
import type { RegressionReference } from '../predictions/regression-reference.js';
import type { FlowBundle } from '../flow/flow-bundle.js';
import { RECOMMENDED_MINIMUMS, type ReferenceMinimums } from './reference-size.js';
import type { TimeNull } from '../detect/time-null.js';

/**
 * 2: class names (`predictions.classNames`), the reference's size and warnings (`reference`), its
 * time order (`order`), declared context features and time-ordered nulls. `serve` refuses format 1: refit it.
 */
export const BUNDLE_FORMAT_VERSION = 2;

/**
 * A numeric feature's reference, as a fine histogram on the reference's own quantiles.
 * `edges` (strictly increasing, length E ≥ 1) define E + 1 bins:
 *   bin 0:        x < edges[0]                  (below the reference minimum)
 *   bin i, 1..E-1: edges[i-1] <= x < edges[i]    (the last of these also takes x == edges[E-1])
 *   bin E:        x > edges[E-1]                (above the reference maximum)
 * so `counts` has length E + 1 and the two outer bins are empty for the reference itself.
 * When the reference has few distinct values the edges are those values plus one, so tests are exact.
 */
export interface NumericFeatureReference {
  kind: 'numeric';
  name: string;
  edges: number[];
  counts: number[];
  n: number;
  missing: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** A categorical (string or boolean) feature's reference: category → count. */
export interface CategoricalFeatureReference {
  kind: 'categorical';
  name: string;
  categories: string[];
  counts: number[];
  n: number;
  missing: number;
}

export type FeatureReference = NumericFeatureReference | CategoricalFeatureReference;

export interface ReferenceBundle {
  formatVersion: number;
  model: string;
  /** Free-form version of the bundle (defaults to the fit time, ISO-8601). */
  version: string;
  createdAt: string;
  source: { path: string; rows: number; sha256: string };
  features: FeatureReference[];
  /** How big the reference was, against which minimums, and what `fit` warned about. */
  reference: ReferenceInfo;
  /** The reference's time order: sorted by `timeColumn`, or the file's order when it is null. */
  order: { timeColumn: string | null };
  /** Declared seasonal / context features (`--context`): reported, never alerting on their own. */
  contextFeatures: string[];
  /**
   * Time-ordered nulls of the feature tests at the served window size (core/detect/null-calibration.ts);
   * absent when the reference has no more than one window of rows (the closed-form tests are used).
   */
  featureNulls?: FeatureNulls;
  /** Present when the reference carried the model's outputs and true labels. */
  predictions?: ClassificationReference;
  /** Present when the reference carried a regression model's predictions and true targets. */
  regression?: RegressionReference;
  /** Present when `fit` trained a density flow on the reference's numeric features. */
  flow?: FlowBundle;
}

/** One feature's time-ordered null: of its test's normal score, and how large its effect got in the reference's chunks. */
export interface FeatureNull {
  score: TimeNull;
  /** The (1 − alpha) quantile of the effect size over the reference's chunks: a flag must exceed it. */
  effectCeiling: number;
}

export interface FeatureNulls {
  windowSize: number;
  /** Disjoint contiguous chunks of the reference the nulls saw. */
  chunks: number;
  /** Aligned with the bundle's features. */
  features: FeatureNull[];
  /** Lag-1 correlation of the detector's window evidence over consecutive chunks (sets the CUSUM threshold). */
  lag1: number;
}

export interface ReferenceInfo {
  /** Rows fitted (all of the file's data rows). */
  rows: number;
  /** Everything `fit` warned about, e.g. each size below its recommended value. */
  warnings: string[];
  /** True when some size is below its recommended value (see reference-size.ts). */
  small: boolean;
  /** The minimums in force for this fit (defaults: the recommended sizes). */
  minimums: ReferenceMinimums;
}

/** The format-2 fields of a bundle fitted in code without warnings (benchmarks, tests). */
export function plainBundleParts(rows: number): Pick<ReferenceBundle, 'reference' | 'order' | 'contextFeatures'> {
  return { reference: { rows, warnings: [], small: false, minimums: { ...RECOMMENDED_MINIMUMS } }, order: { timeColumn: null }, contextFeatures: [] };
}
