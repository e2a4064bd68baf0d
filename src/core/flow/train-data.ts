/**
 * Data preparation for flow training: the validation split, standardisation fitted on the training
 * rows only, float64 standardisation into row-major float32, and the tail-adaptive base choice.
 */
import type { BaseDistribution, Standardization } from './flow-spec.js';
import { tailIndex } from './base-density.js';
import { fitStandardization } from './standardize.js';
import { at, outOfRange } from '../indexing.js';
import { seededRandom } from '../random.js';

export interface TrainingColumns {
  /** One column per feature, original units; all of equal length. */
  columns: ArrayLike<number>[];
  features: string[];
}

export interface PreparedData {
  standardization: Standardization;
  /** Features the standardisation dropped (constant, or fewer than 2 finite values). */
  dropped: string[];
  /** Standardised rows, row-major [rows, dim]. */
  train: Float32Array;
  validation: Float32Array;
  rows: { train: number; validation: number; nonFinite: number };
  /** Standard normal, or per-dimension Student-t where a marginal is heavy-tailed (tail-adaptive). */
  base: BaseDistribution;
}

/** Uniformly random permutation of 0..n−1 (Fisher–Yates) into `order`. */
export function shuffleInPlace<T extends Uint32Array | Int32Array>(order: T, random: () => number): T {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = at(order, i, 'permutation');
    order[i] = at(order, j, 'permutation');
    order[j] = t;
  }
  return order;
}

const identityOrder = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

function takeRows(columns: ArrayLike<number>[], rows: Uint32Array): Float64Array[] {
  return columns.map((column) => Float64Array.from(rows, (r) => column[r] ?? outOfRange('training column', r, column)));
}

function checkColumns(data: TrainingColumns, label: string): number {
  if (data.columns.length !== data.features.length) throw new RangeError(`${label}: ${data.features.length} features but ${data.columns.length} columns`);
  const n = data.columns[0]?.length ?? 0;
  data.columns.forEach((c, j) => {
    if (c.length !== n) throw new RangeError(`${label}: column ${data.features[j]} has ${c.length} rows, expected ${n}`);
  });
  return n;
}

/** Standardises the kept features in float64; rows with a non-finite kept value are skipped. */
function standardizeRows(standardization: Standardization, columns: Float64Array[]): { rows: Float32Array; count: number; skipped: number } {
  const d = standardization.features.length;
  const n = columns[0]?.length ?? 0;
  const out = new Float32Array(n * d);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let finite = true;
    columns.forEach((column, j) => {
      const u = ((column[i] ?? outOfRange('training column', i, column)) - at(standardization.mean, j, 'standardization mean')) / at(standardization.scale, j, 'standardization scale');
      finite &&= Number.isFinite(u);
      out[count * d + j] = u;
    });
    if (finite) count++;
  }
  return { rows: out.slice(0, count * d), count, skipped: n - count };
}

/**
 * Splits off validation rows (the given ones, or a seeded `validationFraction` of `data`), fits the
 * standardisation on the training rows, and standardises both splits.
 */
export function prepareTrainingData(
  data: TrainingColumns,
  options: { validation?: { columns: ArrayLike<number>[] }; validationFraction: number; robust: boolean; tailAdaptive: boolean; seed: number },
): PreparedData {
  const n = checkColumns(data, 'training data');
  let trainColumns: Float64Array[];
  let validationColumns: Float64Array[];
  if (options.validation) {
    checkColumns({ columns: options.validation.columns, features: data.features }, 'validation data');
    trainColumns = data.columns.map((c) => Float64Array.from(c));
    validationColumns = options.validation.columns.map((c) => Float64Array.from(c));
  } else {
    const fraction = options.validationFraction;
    if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validationFraction must be in (0, 1), got ${fraction}`);
    const order = shuffleInPlace(identityOrder(n), seededRandom(options.seed + 2));
    const nValidation = Math.round(n * fraction);
    validationColumns = takeRows(data.columns, order.subarray(0, nValidation));
    trainColumns = takeRows(data.columns, order.subarray(nValidation));
  }
  const { standardization, dropped } = fitStandardization(data.features, trainColumns, { robust: options.robust });
  const kept = standardization.features.map((f) => data.features.indexOf(f));
  const train = standardizeRows(standardization, kept.map((j) => at(trainColumns, j, 'training columns')));
  const validation = standardizeRows(standardization, kept.map((j) => at(validationColumns, j, 'validation columns')));
  if (train.count < 2 || validation.count < 1) throw new RangeError(`too few usable rows: ${train.count} training, ${validation.count} validation`);
  return {
    standardization,
    dropped,
    train: train.rows,
    validation: validation.rows,
    rows: { train: train.count, validation: validation.count, nonFinite: train.skipped + validation.skipped },
    base: options.tailAdaptive ? tailAdaptiveBase(train.rows, standardization.features.length) : { kind: 'normal' },
  };
}

/**
 * mTAF(fix): a Student-t base dimension with ν fixed at the tail-index estimate for every heavy
 * standardised marginal, standard normal for the others (all normal: the plain normal base).
 */
export function tailAdaptiveBase(rows: Float32Array, dim: number): BaseDistribution {
  const n = rows.length / dim;
  const dof = Array.from({ length: dim }, (_, j) => tailIndex(Float64Array.from({ length: n }, (_, i) => at(rows, i * dim + j, 'standardized rows'))).nu);
  return dof.some((nu) => nu !== null) ? { kind: 'student-t', dof } : { kind: 'normal' };
}
