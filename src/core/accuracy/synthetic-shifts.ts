/**
 * Synthetic shifted sets built from a labelled held-out set of logits, for calibrating a score →
 * accuracy map (docs/algorithms.md#mano). Only logits and labels are available, so the families act on them:
 * - none:  a plain bootstrap window (no shift; shows the sampling spread around the source point);
 * - prior: label-prior shift, class proportions from Dirichlet(α·1), rows drawn within each class;
 * - tilt:  covariate-style resampling, rows drawn with weight exp(λ·uᵀx) for a random unit direction
 *          u in standardised logit space (the logits serve as the embedding);
 * - mix:   corruption-style interpolation z' = (1 − w)·z_i + w·z_j towards a random other row j,
 *          keeping row i's label. For a linear output layer this is exactly interpolating the
 *          penultimate features, so accuracy and confidence fall together, as under real corruption.
 */
import { at } from '../indexing.js';
import { columnCount } from '../labelshift/linear-algebra.js';
import { argmax } from './scores.js';
import { randomUnitVector, symmetricDirichlet, weightedIndices } from './shift-sampling.js';

export type ShiftFamily = 'none' | 'prior' | 'tilt' | 'mix';

/** One synthetic set to build: a family and its severity (α for prior, λ for tilt, w for mix). */
export interface ShiftRecipe {
  family: ShiftFamily;
  severity: number;
}

export interface ShiftedSet extends ShiftRecipe {
  logits: number[][];
  labels: number[];
}

/** Default severities: moderate ones (extreme sets distort the map). */
export const DEFAULT_SHIFT_SEVERITIES: Readonly<Record<ShiftFamily, readonly number[]>> = {
  none: [0],
  prior: [0.3, 1, 3],
  tilt: [0.5, 1, 2],
  mix: [0.1, 0.2, 0.3],
};

/** Every (family, severity) pair `repeats` times; 10 repeats give 100 sets by default. */
export function shiftRecipes(
  repeats = 10,
  severities: Readonly<Record<ShiftFamily, readonly number[]>> = DEFAULT_SHIFT_SEVERITIES,
): ShiftRecipe[] {
  const recipes: ShiftRecipe[] = [];
  for (const family of Object.keys(severities) as ShiftFamily[]) {
    for (const severity of severities[family]) {
      for (let r = 0; r < repeats; r++) recipes.push({ family, severity });
    }
  }
  return recipes;
}

function uniformIndices(n: number, count: number, random: () => number): number[] {
  return Array.from({ length: count }, () => Math.floor(random() * n));
}

function priorShiftIndices(labels: readonly number[], alpha: number, count: number, random: () => number): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    const rows = byClass.get(y);
    if (rows === undefined) byClass.set(y, [i]);
    else rows.push(i);
  });
  const members = [...byClass.values()];
  const proportions = symmetricDirichlet(members.length, alpha, random);
  return weightedIndices(proportions, count, random).map((c) => {
    const rows = at(members, c, 'prior shift: classes');
    return at(rows, Math.floor(random() * rows.length), 'prior shift: rows of a class');
  });
}

function tiltIndices(logits: readonly (readonly number[])[], lambda: number, count: number, random: () => number): number[] {
  const k = columnCount(logits, 'tilt shift: logits');
  const n = logits.length;
  const mean = Array.from({ length: k }, (_, c) => logits.reduce((a, row) => a + at(row, c), 0) / n);
  const sd = mean.map((m, c) => Math.sqrt(logits.reduce((a, row) => a + (at(row, c) - m) ** 2, 0) / n) || 1);
  const u = randomUnitVector(k, random);
  const projection = logits.map((row) => row.reduce((a, v, c) => a + (at(u, c) * (v - at(mean, c))) / at(sd, c), 0));
  const top = Math.max(...projection);
  return weightedIndices(projection.map((x) => Math.exp(lambda * (x - top))), count, random);
}

/** Builds one shifted set of `windowSize` rows from held-out logits and labels. */
export function buildShiftedSet(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  recipe: ShiftRecipe,
  windowSize: number,
  random: () => number,
): ShiftedSet {
  const n = logits.length;
  if (labels.length !== n) throw new RangeError(`buildShiftedSet: ${n} logit rows but ${labels.length} labels`);
  let rows: number[];
  if (recipe.family === 'prior') rows = priorShiftIndices(labels, recipe.severity, windowSize, random);
  else if (recipe.family === 'tilt') rows = tiltIndices(logits, recipe.severity, windowSize, random);
  else rows = uniformIndices(n, windowSize, random);
  const shifted = rows.map((i) => {
    const row = at(logits, i, 'held-out logits');
    if (recipe.family !== 'mix') return [...row];
    const other = at(logits, Math.floor(random() * n), 'held-out logits');
    const w = recipe.severity;
    return row.map((v, c) => (1 - w) * v + w * at(other, c, 'held-out logit row'));
  });
  return { ...recipe, logits: shifted, labels: rows.map((i) => at(labels, i, 'held-out labels')) };
}

/** Top-1 accuracy of logits against labels. */
export function logitAccuracy(logits: readonly (readonly number[])[], labels: readonly number[]): number {
  let correct = 0;
  logits.forEach((row, i) => {
    if (argmax(row) === labels[i]) correct++;
  });
  return correct / logits.length;
}
