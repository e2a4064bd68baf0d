/**
 * Turns MaNo scores into accuracy estimates (docs/algorithms.md#mano): score and true accuracy are measured on
 * seeded synthetic shifts of the labelled held-out set (synthetic-shifts.ts), a non-decreasing map
 * is fitted on 70 % of them plus the held-out set's own point, and the other 30 % give a
 * split-conformal half-width. The map is refused, with the reason, when the score does not move
 * across the shifts, does not increase with accuracy, or fails to reproduce the held-out accuracy.
 */
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import { seededRandom } from '../random.js';
import { conformalHalfWidth, conformalInterval, type Interval } from './intervals.js';
import { manoScore, type ManoFit, type ManoNormalisation } from './mano.js';
import { evaluateMap, fitIsotonicMap, fitLinearMap, mapIncreases, spearmanCorrelation, type MonotoneMap } from './monotone-map.js';
import { buildShiftedSet, logitAccuracy, shiftRecipes, DEFAULT_SHIFT_SEVERITIES, type ShiftFamily } from './synthetic-shifts.js';

export interface ManoCalibrationOptions {
  /** Rows per synthetic set; calibrate with the window size used in deployment. */
  windowSize?: number;
  /** Sets per (family, severity) pair. */
  repeats?: number;
  severities?: Readonly<Record<ShiftFamily, readonly number[]>>;
  seed?: number;
  method?: 'linear' | 'isotonic';
  /** Coverage of the conformal interval. */
  coverage?: number;
  /** Share of the synthetic sets used to fit the map; the rest calibrate the interval. */
  fitShare?: number;
  /** Below this standard deviation of the score across sets, MaNo is refused as uninformative. */
  minScoreSpread?: number;
  /** Below this Spearman correlation between score and accuracy across sets, MaNo is refused. */
  minRankCorrelation?: number;
}

/** Plain-JSON calibration of the score → accuracy map. */
export interface ManoCalibration {
  map: MonotoneMap;
  normalisation: ManoNormalisation;
  coverage: number;
  halfWidth: number;
  scoreRange: { min: number; max: number };
  scoreSpread: number;
  /** Spearman correlation of score and accuracy over all synthetic sets. */
  rankCorrelation: number;
  sourceScore: number;
  sourceAccuracy: number;
  /** |map(S(V)) − acc(V)|; must not exceed halfWidth. */
  sourceFitError: number;
  fitSets: number;
  calibrationSets: number;
  windowSize: number;
  seed: number;
}

interface CalibrationPoint {
  score: number;
  accuracy: number;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const drawn = at(items, j, 'shuffle');
    items[j] = at(items, i, 'shuffle');
    items[i] = drawn;
  }
  return items;
}

function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

function refuse(problem: string, fix: string): never {
  throw new ReferenceDataError(undefined, `MaNo calibration: ${problem}`, fix);
}

/** Fits the score → accuracy map on seeded synthetic shifts of the held-out logits and labels. */
export function fitManoCalibration(
  sourceLogits: readonly (readonly number[])[],
  labels: readonly number[],
  fit: ManoFit,
  options: ManoCalibrationOptions = {},
): ManoCalibration {
  if (sourceLogits.length !== labels.length) refuse(`${sourceLogits.length} logit rows but ${labels.length} labels`, 'pass one label per row');
  if (labels.some((y) => !Number.isInteger(y) || y < 0 || y >= fit.classes)) {
    refuse(`labels must be class indices in [0, ${fit.classes})`, 'map labels to the model output indices');
  }
  const windowSize = options.windowSize ?? 500;
  const seed = options.seed ?? 1;
  const coverage = options.coverage ?? 0.9;
  const random = seededRandom(seed);
  const points: CalibrationPoint[] = shiftRecipes(options.repeats ?? 10, options.severities ?? DEFAULT_SHIFT_SEVERITIES).map((recipe) => {
    const set = buildShiftedSet(sourceLogits, labels, recipe, windowSize, random);
    return { score: manoScore(set.logits, fit), accuracy: logitAccuracy(set.logits, set.labels) };
  });
  const source: CalibrationPoint = { score: manoScore(sourceLogits, fit), accuracy: logitAccuracy(sourceLogits, labels) };

  const scoreSpread = standardDeviation(points.map((p) => p.score));
  if (!(scoreSpread >= (options.minScoreSpread ?? 1e-3))) {
    refuse(
      `the score hardly moves across synthetic shifts (standard deviation ${scoreSpread}), so it carries no accuracy information` +
        ` (normalisation ${fit.normalisation}, ${fit.classes} classes)`,
      'none needed: MaNo is left out of the bundle and the other estimators run',
    );
  }
  const rankCorrelation = spearmanCorrelation(points.map((p) => p.score), points.map((p) => p.accuracy));
  const minRankCorrelation = options.minRankCorrelation ?? 0.5;
  if (!(rankCorrelation >= minRankCorrelation)) {
    refuse(
      `the score does not track accuracy across the synthetic shifts (Spearman ρ = ${rankCorrelation} < ${minRankCorrelation})`,
      'MaNo is left out of the bundle and the other estimators run; if the model has logits, give the reference its logits (logit_<class> columns) rather than probabilities',
    );
  }
  shuffle(points, random);
  const fitCount = Math.round(points.length * (options.fitShare ?? 0.7));
  const fitPoints = [source, ...points.slice(0, fitCount)];
  const calibrationPoints = points.slice(fitCount);
  const fitMap = options.method === 'isotonic' ? fitIsotonicMap : fitLinearMap;
  const map = fitMap(fitPoints.map((p) => p.score), fitPoints.map((p) => p.accuracy));
  if (!mapIncreases(map)) {
    refuse('the score does not increase with accuracy across the synthetic shifts', 'MaNo is left out of the bundle and the other estimators run; if the model has logits, give the reference its logits (logit_<class> columns) rather than probabilities');
  }
  const halfWidth = conformalHalfWidth(calibrationPoints.map((p) => Math.abs(p.accuracy - evaluateMap(map, p.score))), coverage);
  if (!Number.isFinite(halfWidth)) {
    refuse(`${calibrationPoints.length} calibration sets are too few for coverage ${coverage}`, 'MaNo is left out of the bundle and the other estimators run');
  }
  const sourceFitError = Math.abs(evaluateMap(map, source.score) - source.accuracy);
  if (sourceFitError > halfWidth) {
    refuse(
      `the map gives ${evaluateMap(map, source.score)} on the held-out set itself, whose accuracy is ${source.accuracy}` +
        ` (off by more than the interval half-width ${halfWidth})`,
      'MaNo is left out of the bundle and the other estimators run',
    );
  }
  const allScores = [source.score, ...points.map((p) => p.score)];
  return {
    map,
    normalisation: fit.normalisation,
    coverage,
    halfWidth,
    scoreRange: { min: Math.min(...allScores), max: Math.max(...allScores) },
    scoreSpread,
    rankCorrelation,
    sourceScore: source.score,
    sourceAccuracy: source.accuracy,
    sourceFitError,
    fitSets: fitPoints.length,
    calibrationSets: calibrationPoints.length,
    windowSize,
    seed,
  };
}

export interface ManoAccuracyEstimate {
  accuracy: number;
  interval: Interval;
  /** False when the score lies outside the calibration sets' range: the estimate is extrapolated. */
  inCalibrationRange: boolean;
}

/** Accuracy estimate for a window's MaNo score, with its conformal interval. */
export function manoAccuracy(score: number, calibration: ManoCalibration): ManoAccuracyEstimate {
  const accuracy = evaluateMap(calibration.map, score);
  return {
    accuracy,
    interval: conformalInterval(accuracy, calibration.halfWidth),
    inCalibrationRange: score >= calibration.scoreRange.min && score <= calibration.scoreRange.max,
  };
}
