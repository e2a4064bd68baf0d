/**
 * Pieces shared by the ONNX flow graphs (the scoring export, export-flow.ts, and the training graph,
 * train-graph.ts): the state as column blocks of the model's dimensions, picking columns out of
 * them with few copies, and the base density's log-density and gradient per block.
 */
import { at } from '../../core/indexing.js';
import type { BaseDistribution } from '../../core/flow/flow-spec.js';
import { logGamma } from '../../core/stats/gamma.js';
import { int, ints, type OnnxGraphBuilder } from './onnx-graph.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Columns of the model's (standardised / latent) space held by one tensor of shape [N, dims.length]. */
export interface ColumnBlock {
  tensor: string;
  dims: number[];
  /** The block still holds x − mean: selecting from it divides by the scale. */
  unscaled?: boolean;
}

export interface SelectOptions {
  /** Name the result (a graph output). */
  name?: string;
  /** Divide the result by `scale` (per model dimension); implied by an `unscaled` block. */
  divideByScale?: boolean;
  /** The standardisation's scale per model dimension; needed only when dividing. */
  scale?: readonly number[];
}

/**
 * A tensor [N, target.length] holding the columns `target` (model dimensions, in that order) of
 * the blocks, with as few copies as possible: a block itself, a Slice, a Concat of a few runs, or
 * else a MatMul with a 0/1 selection matrix (cheaper in ORT than a Gather along the columns, and
 * exact: every output is one input times 1 plus zeros). An `unscaled` block (x − mean) is divided
 * by the scale on the way, as is the result when `divideByScale` is set (the matrix then holds
 * 1/scale instead of 1).
 */
export function selectColumns(g: OnnxGraphBuilder, blocks: ColumnBlock[], target: number[], options: SelectOptions = {}): string {
  const { name } = options;
  const unscaled = blocks.some((s) => s.unscaled);
  if (unscaled && blocks.length !== 1) throw new Error('flow graph: an unscaled block must be the only one');
  const divide = unscaled || options.divideByScale === true;
  const scale = options.scale;
  if (divide && scale === undefined) throw new Error('flow graph: dividing by the scale needs the scale');
  const scaleOf = (j: number): number => at(scale ?? [], j, 'standardization scale');

  const whole = blocks.find((s) => sameList(s.dims, target));
  if (whole !== undefined) {
    if (divide) return g.op('Div', [whole.tensor, g.floatConst(target.map(scaleOf))], {}, name);
    return name === undefined ? whole.tensor : g.op('Identity', [whole.tensor], {}, name);
  }

  const where = new Map<number, { block: number; position: number }>();
  blocks.forEach((s, block) => s.dims.forEach((dim, position) => where.set(dim, { block, position })));
  const runs: { block: number; start: number; end: number }[] = [];
  for (const dim of target) {
    const place = where.get(dim);
    if (place === undefined) throw new Error(`flow graph: dimension ${dim} is not available`);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.block === place.block && last.end === place.position) last.end++;
    else runs.push({ block: place.block, start: place.position, end: place.position + 1 });
  }
  if (!divide && runs.length <= 4) {
    const pieces = runs.map((r) => {
      const s = at(blocks, r.block, 'column blocks');
      if (r.start === 0 && r.end === s.dims.length) return s.tensor;
      return g.op('Slice', [s.tensor, g.int64Const([r.start]), g.int64Const([r.end]), g.int64Const([1])]);
    });
    if (pieces.length === 1) return name === undefined ? at(pieces, 0, 'column pieces') : g.op('Identity', pieces, {}, name);
    return g.op('Concat', pieces, { axis: int(1) }, name);
  }
  const source = blocks.length === 1 ? at(blocks, 0, 'column blocks').tensor : g.op('Concat', blocks.map((s) => s.tensor), { axis: int(1) });
  const order = blocks.flatMap((s) => s.dims);
  const matrix = new Array<number>(order.length * target.length).fill(0);
  target.forEach((dim, k) => {
    const i = order.indexOf(dim);
    matrix[i * target.length + k] = divide ? 1 / scaleOf(dim) : 1;
  });
  return g.op('MatMul', [source, g.floatTensor(matrix, [order.length, target.length], 'sel')], {}, name);
}

/** Degrees of freedom of latent dimension j: null for a standard normal one. */
export function baseDof(base: BaseDistribution, j: number): number | null {
  return base.kind === 'normal' ? null : (base.dof[j] ?? null);
}

/** The part of log p_Z that does not depend on z, summed over the given dimensions. */
export function baseConstant(base: BaseDistribution, dims: readonly number[]): number {
  let constant = 0;
  for (const j of dims) {
    const nu = baseDof(base, j);
    constant += nu === null ? -0.5 * LOG_2PI : logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI);
  }
  return constant;
}

export interface BaseTerm {
  /** log p_Z of the block without its constants (see baseConstant), [N]. */
  value: string;
  /** Builds ∂ log p_Z/∂z for the block, [N, k]. */
  gradient: () => string;
  /** Builds −∂ log p_Z/∂z (the seed of a negative log-likelihood), [N, k]. */
  negativeGradient: () => string;
}

/**
 * log p_Z of one latent block and its gradient. Normal: −½ Σ z², gradient −z. Student-t:
 * −((ν+1)/2) log(1 + z²/ν), gradient −(ν+1) z/(ν + z²).
 */
export function baseTerm(g: OnnxGraphBuilder, base: BaseDistribution, block: ColumnBlock): BaseTerm {
  const z = block.tensor;
  const dof = block.dims.map((j) => baseDof(base, j));
  if (dof.every((nu) => nu === null)) {
    const sumSquares = g.op('ReduceSumSquare', [z], { axes: ints([1]), keepdims: int(0) });
    return { value: g.op('Mul', [sumSquares, g.floatConst(-0.5)]), gradient: () => g.op('Neg', [z]), negativeGradient: () => z };
  }
  const k = dof.length;
  const squared = g.op('Mul', [z, z]);
  // Normal dimensions get 1/ν = 0, so their log(1 + z²/ν) is 0 and their weight a is 0.
  const invNu = dof.map((nu) => (nu === null ? 0 : 1 / nu));
  const a = dof.map((nu) => (nu === null ? 0 : -(nu + 1) / 2));
  const logTerm = g.op('Log', [g.op('Add', [g.op('Mul', [squared, g.floatConst(invNu)]), g.floatConst(1)])]);
  let value = g.op('MatMul', [logTerm, g.floatTensor(a, [k], 'a')]);
  const anyNormal = dof.some((nu) => nu === null);
  if (anyNormal) {
    const b = dof.map((nu) => (nu === null ? -0.5 : 0));
    value = g.op('Add', [value, g.op('MatMul', [squared, g.floatTensor(b, [k], 'a')])]);
  }
  // t: −(ν+1)·z/(ν + z²); normal: −z = z·(0/(1 + z²) − 1). `sign` −1 gives the negative gradient.
  const gradient = (sign: 1 | -1) => {
    const alpha = g.floatConst(dof.map((nu) => sign * (nu === null ? 0 : -(nu + 1))));
    const beta = g.floatConst(dof.map((nu) => (nu === null ? 1 : nu)));
    const denominator = g.op('Add', [squared, beta]);
    if (!anyNormal) return g.op('Div', [g.op('Mul', [z, alpha]), denominator]);
    const gamma = g.floatConst(dof.map((nu) => sign * (nu === null ? -1 : 0)));
    return g.op('Mul', [z, g.op('Add', [g.op('Div', [alpha, denominator]), gamma])]);
  };
  return { value, gradient: () => gradient(1), negativeGradient: () => gradient(-1) };
}

export function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
