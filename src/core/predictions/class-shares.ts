/**
 * A window's class proportions from the model's calibrated probabilities, with an interval and the
 * test of "the class mix is unchanged".
 *
 * MLLS on one window can run to a corner of the simplex (measured on real, contiguous windows: a
 * share below 0.01 or above 0.99 in a third of them), so the default is MAP-EM with a Dirichlet
 * prior centred on the source mix worth `priorRowsPerClass` pseudo-rows per class (2 by default:
 * measured on 150- and 1,000-row windows, it removes every corner estimate while keeping the
 * interval's coverage and the error of plain MLLS; 10 per class already cost a third of the coverage). The interval is a bootstrap over the
 * window's rows (seeded by the window, so a replay reproduces it). BBSE and RLLS remain available;
 * their intervals come from the same bootstrap of their own estimate.
 *
 * The test statistic is the likelihood ratio 2·L(q̂) of the estimate against q = π_s, reported as a
 * normal score (Wilson–Hilferty beyond the reach of doubles); its p-value comes from the reference's
 * time-ordered null, because under a seasonal class mix the χ² reference distribution is far too
 * strict (18 of 30 windows of a real control stream rejected; docs/algorithms.md#mlls).
 */
import type { DenseRows } from '../labelshift/posteriors.js';
import { likelihoodRatios, mllsEmOnRatios, mllsLogLikelihood } from '../labelshift/mlls.js';
import { bbse } from '../labelshift/bbse.js';
import { rlls } from '../labelshift/rlls.js';
import { predictedMarginalSoft } from '../labelshift/confusion.js';
import { chiSquareScore, chiSquareSurvival } from '../stats/chi-square.js';
import { normalQuantile } from '../stats/normal.js';
import { seededRandom } from '../random.js';
import type { ClassificationReference } from './classification-reference.js';
import type { LabelShiftMethod } from './estimators.js';
import { at } from '../indexing.js';

export interface ClassSharesOptions {
  method: LabelShiftMethod;
  /** Pseudo-rows per class of the Dirichlet prior on π_s (MAP-EM); 0 gives plain MLLS. */
  priorRowsPerClass: number;
  /** Bootstrap resamples behind the interval. */
  bootstrap: number;
  /** Two-sided coverage of the interval. */
  coverage: number;
}

export const DEFAULT_CLASS_SHARES: ClassSharesOptions = { method: 'mlls', priorRowsPerClass: 2, bootstrap: 30, coverage: 0.9 };

export interface ClassShares {
  method: LabelShiftMethod;
  estimate: number[];
  lower: number[];
  upper: number[];
  reference: number[];
  interval: 'bootstrap';
  /** Pseudo-rows of the prior in this estimate (0: plain maximum likelihood). */
  priorRows: number;
}

export interface LabelShiftStatistic {
  name: 'mlls-likelihood-ratio';
  statistic: number;
  df: number;
  /** Φ⁻¹(1 − p) of the χ² reference distribution (what the time-ordered null calibrates). */
  score: number;
  /** Total variation distance between the estimate and the source mix (the effect size). */
  distance: number;
}

export function estimateClassShares(
  ref: ClassificationReference,
  rows: DenseRows,
  options: ClassSharesOptions,
  seed: number,
): { shares: ClassShares; test: LabelShiftStatistic; converged: boolean } {
  const K = rows.cols;
  const priorRows = options.method === 'mlls' ? options.priorRowsPerClass * K : 0;
  const ratios = likelihoodRatios(rows, ref.sourcePrior);
  const em = mllsEmOnRatios(ratios, ref.sourcePrior, { maxIterations: 1000, priorStrength: priorRows, accelerate: true });
  const point = (weights?: Float64Array, start?: readonly number[]) => estimate(ref, rows, ratios, options.method, priorRows, weights, start);
  const estimateNow = options.method === 'mlls' ? em.targetPrior : point();
  const random = seededRandom(seed);
  const draws: number[][] = [];
  const weights = new Float64Array(rows.rows);
  for (let b = 0; b < options.bootstrap; b++) {
    weights.fill(0);
    for (let i = 0; i < rows.rows; i++) {
      const u = Math.floor(random() * rows.rows);
      const w = weights[u];
      if (w === undefined) throw new RangeError(`bootstrap: row ${u} outside the window's ${rows.rows}`);
      weights[u] = w + 1;
    }
    draws.push(point(weights, estimateNow));
  }
  const z = -normalQuantile((1 - options.coverage) / 2);
  const sd = (k: number) => Math.sqrt(draws.reduce((s, d) => s + (at(d, k, 'bootstrap draw') - mean(draws, k)) ** 2, 0) / Math.max(1, draws.length - 1));
  const spread = Array.from({ length: K }, (_, k) => (draws.length < 2 ? 0 : sd(k)));
  const df = ref.sourcePrior.filter((p) => p > 0).length - 1;
  const statistic = Math.max(0, 2 * mllsLogLikelihood(rows, ref.sourcePrior, em.targetPrior));
  return {
    shares: {
      method: options.method,
      estimate: estimateNow,
      lower: estimateNow.map((q, k) => Math.max(0, q - z * at(spread, k, 'class share spreads'))),
      upper: estimateNow.map((q, k) => Math.min(1, q + z * at(spread, k, 'class share spreads'))),
      reference: options.method === 'mlls' ? ref.sourcePrior : ref.labelPrior,
      interval: 'bootstrap',
      priorRows,
    },
    test: {
      name: 'mlls-likelihood-ratio', statistic, df,
      score: df < 1 ? 0 : chiSquareScore(statistic, df, chiSquareSurvival(statistic, df)),
      distance: 0.5 * em.targetPrior.reduce((s, q, k) => s + Math.abs(q - at(ref.sourcePrior, k, 'source prior')), 0),
    },
    converged: em.converged,
  };
}

function estimate(ref: ClassificationReference, rows: DenseRows, ratios: DenseRows, method: LabelShiftMethod, priorRows: number, weights?: Float64Array, start?: readonly number[]): number[] {
  if (method === 'mlls') {
    return mllsEmOnRatios(ratios, ref.sourcePrior, { maxIterations: 100, tolerance: 1e-4, priorStrength: priorRows, accelerate: true, ...(weights ? { rowWeights: weights } : {}), ...(start ? { initialPrior: start } : {}) }).targetPrior;
  }
  const mu = weights === undefined ? predictedMarginalSoft(rows) : weightedMarginal(rows, weights);
  const r = method === 'bbse' ? bbse(ref.confusion, mu) : rlls(ref.confusion, mu, { validationSize: ref.n });
  return r.targetPrior;
}

function weightedMarginal(rows: DenseRows, weights: Float64Array): number[] {
  const mu = new Array<number>(rows.cols).fill(0);
  let total = 0;
  for (let u = 0; u < rows.rows; u++) {
    const c = weights[u];
    if (c === undefined) throw new RangeError(`bootstrap: no weight for row ${u} of ${rows.rows}`);
    if (c === 0) continue;
    total += c;
    for (let k = 0; k < rows.cols; k++) {
      const sum = mu[k];
      const p = rows.data[u * rows.cols + k];
      if (sum === undefined || p === undefined) throw new RangeError(`bootstrap: row ${u} has no class ${k} (${rows.cols} classes, ${rows.data.length} values)`);
      mu[k] = sum + c * p;
    }
  }
  return mu.map((v) => v / total);
}

const mean = (draws: readonly number[][], k: number) => draws.reduce((s, d) => s + at(d, k, 'bootstrap draw'), 0) / draws.length;
