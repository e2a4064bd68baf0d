/**
 * Inputs of the black-box estimators (docs/algorithms.md#bbse): the joint confusion matrix Ĉ on the labelled
 * validation set (rows = predicted class, columns = true class, divided by n) and the mean prediction
 * μ̂ over a window, each in a hard (one-hot argmax) and a soft (probability-weighted) variant.
 */
import { at, outOfRange } from '../indexing.js';
import { columnCount } from './linear-algebra.js';
import { meanRow, toDenseRows, type Posteriors } from './posteriors.js';

function checkClass(value: number, K: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= K) throw new RangeError(`${what}: class ${value} is not in [0, ${K})`);
}

/** Ĉ[i][j] = (1/n) #{v : ŷ_v = i and y_v = j}. */
export function jointConfusionHard(predicted: readonly number[], labels: readonly number[], K: number): number[][] {
  if (predicted.length !== labels.length) throw new RangeError(`jointConfusionHard: ${predicted.length} predictions, ${labels.length} labels`);
  if (predicted.length === 0) throw new RangeError('jointConfusionHard: no validation points');
  const c = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const [v, i] of predicted.entries()) {
    const j = at(labels, v, 'jointConfusionHard: labels');
    checkClass(i, K, 'jointConfusionHard');
    checkClass(j, K, 'jointConfusionHard');
    const row = at(c, i, 'jointConfusionHard');
    row[j] = at(row, j, 'jointConfusionHard') + 1;
  }
  return c.map((row) => row.map((x) => x / predicted.length));
}

/** Soft Ĉ[i][j] = (1/n) Σ_v p̂(i|x_v)·1[y_v = j], from the (calibrated) predicted probabilities on V. */
export function jointConfusionSoft(probabilities: Posteriors, labels: readonly number[]): number[][] {
  const p = toDenseRows(probabilities, 'jointConfusionSoft');
  if (p.rows !== labels.length) throw new RangeError(`jointConfusionSoft: ${p.rows} rows, ${labels.length} labels`);
  const K = p.cols;
  const c = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (const [v, y] of labels.entries()) {
    checkClass(y, K, 'jointConfusionSoft');
    for (let i = 0; i < K; i++) {
      const row = at(c, i, 'jointConfusionSoft');
      row[y] = at(row, y, 'jointConfusionSoft') + (p.data[v * K + i] ?? outOfRange('jointConfusionSoft', v * K + i, p.data));
    }
  }
  return c.map((row) => row.map((x) => x / p.rows));
}

/** μ̂[i] = fraction of the window's points predicted as class i. */
export function predictedMarginalHard(predicted: readonly number[], K: number): number[] {
  if (predicted.length === 0) throw new RangeError('predictedMarginalHard: empty window');
  const mu = new Array<number>(K).fill(0);
  for (const i of predicted) {
    checkClass(i, K, 'predictedMarginalHard');
    mu[i] = at(mu, i, 'predictedMarginalHard') + 1;
  }
  return mu.map((x) => x / predicted.length);
}

/** Soft μ̂[i] = mean predicted probability of class i over the window. */
export function predictedMarginalSoft(probabilities: Posteriors): number[] {
  return meanRow(probabilities, 'predictedMarginalSoft');
}

/** Index of the largest entry (first one on ties): the hard prediction. */
export function argmax(p: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (at(p, k) > at(p, best)) best = k;
  return best;
}

/** p̂_s[j] = Σ_i Ĉ[i][j]: the validation label frequencies. */
export function confusionLabelMarginal(c: readonly (readonly number[])[]): number[] {
  return Array.from({ length: columnCount(c, 'confusionLabelMarginal') }, (_, j) => c.reduce((s, row) => s + at(row, j), 0));
}

/** μ̂_s[i] = Σ_j Ĉ[i][j]: the validation predicted-label marginal (Ĉ·1). */
export function confusionPredictedMarginal(c: readonly (readonly number[])[]): number[] {
  return c.map((row) => row.reduce((s, x) => s + x, 0));
}

/** Checks that Ĉ is K×K with finite entries >= 0 and that μ̂ has K finite entries >= 0; returns K. */
export function checkConfusionAndMarginal(c: readonly (readonly number[])[], mu: readonly number[], what: string): number {
  const K = c.length;
  if (K < 2) throw new RangeError(`${what}: need at least 2 classes, got ${K}`);
  for (const row of c) {
    if (row.length !== K) throw new RangeError(`${what}: confusion matrix must be ${K}×${K}`);
    for (const x of row) if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${what}: confusion entries must be finite and >= 0, got ${x}`);
  }
  if (mu.length !== K) throw new RangeError(`${what}: target marginal has ${mu.length} entries, expected ${K}`);
  for (const x of mu) if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${what}: target marginal entries must be finite and >= 0, got ${x}`);
  return K;
}
