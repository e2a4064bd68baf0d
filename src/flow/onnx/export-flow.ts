/**
 * Exports a trained coupling flow (`FlowModel`, see src/core/flow/flow-spec.ts) as an ONNX graph
 * for ONNX Runtime. Input `x` is float32 [N, d] in original units.
 *
 *  - 'logp':        output `logp` [N] = log p_X(x).
 *  - 'logp+score':  also `score` [N, d] = ∇x log p_X(x), written out as an explicit reverse pass
 *                   (ONNX has no autograd).
 *  - 'logp+latent': `logp` and the latent point `z` [N, d] = f(x) from the one forward pass (what a
 *                   window's likelihood tests and the conditional feature test's first step need).
 *  - 'latent+vjp':  inputs `x` and `v` [N, d]; outputs `z` [N, d] (the latent point) and
 *                   `vjp` [N, d] = (∂z/∂x)ᵀ v, the same reverse pass seeded with v, without
 *                   the log-det and base-density terms.
 *
 * Forward, per affine coupling (docs/algorithms.md#flow-model): the conditioner reads u_A, hidden layers are
 * Gemm + activation, the output layer is two Gemms (raw scales with 1/bound folded into the weights,
 * and shifts), τ = tanh(raw/bound), s = bound·τ, z_B = u_B·exp(s) + t, log|det| += Σ s.
 *
 * Reverse, per coupling, given g_zA and g_zB (∂ objective / ∂ layer outputs):
 *   g_uB   = g_zB·exp(s)
 *   g_raw  = (g_uB·u_B + 1)·(1 − τ²)        (the "+ 1" is the log-det term; absent for the VJP)
 *   g_h    = [g_raw, g_zB] · W_outᵀ         then back through each hidden layer:
 *   g_a    = g_h·act'(a),  g_h ← g_a · W_kᵀ  (tanh' = 1 − h², relu' = [h > 0])
 *   g_uA   = g_zA + g_h
 * and finally ∂/∂x = ∂/∂u / scale (docs/algorithms.md#flow-model).
 *
 * Columns: the state is kept as a list of column blocks ("segments"), each a tensor plus the model
 * dimensions it holds, so that alternating (checkerboard) masks need no re-assembly between layers:
 * after the first layer each coupling's u_A and u_B are whole blocks. Columns are picked only at
 * the input (a 0/1 matrix times x − mean, the 1/scale folded in) and put back in original order
 * only at the outputs (likewise, with 1/scale folded in for the score and the VJP).
 *
 * Rational-quadratic spline couplings (docs/algorithms.md#flow-model) are exported for 'logp' and 'logp+latent' only (forward pass: knots,
 * bin search by counting knots, GatherElements, the bin formula, identity tails). Their score and
 * VJP need a reverse pass through the knot construction that is not written here, so 'logp+score'
 * and 'latent+vjp' return `{ unsupported }` for them (the caller falls back to tfjs).
 */
import { at } from '../../core/indexing.js';
import type { AffineCoupling, CouplingLayer, DenseLayer, FlowModel, SplineCoupling } from '../../core/flow/flow-spec.js';
import { baseConstant, baseTerm, range, sameList, selectColumns, type ColumnBlock, type SelectOptions } from './graph-blocks.js';
import { ElementType, int, OnnxGraphBuilder } from './onnx-graph.js';

export type FlowOnnxOutputs = 'logp' | 'logp+latent' | 'logp+score' | 'latent+vjp';

export interface FlowOnnxUnsupported {
  unsupported: string;
}

/** Names of the graph's inputs and outputs. */
export const FLOW_ONNX_NAMES = { x: 'x', v: 'v', logp: 'logp', score: 'score', z: 'z', vjp: 'vjp' } as const;

/** The spline's minimum bin width and height and minimum interior derivative (rq-spline.ts). */
const MIN_BIN = 1e-3;
/** softplus⁻¹(1 − 1e-3): the raw derivative that gives a spline's boundary derivative 1. */
const BOUNDARY_RAW_DERIVATIVE = Math.log(Math.expm1(1 - MIN_BIN));

type Segment = ColumnBlock;

/** What the reverse pass needs from one coupling's forward pass. */
interface CouplingTape {
  layer: AffineCoupling;
  uB: string;
  tau: string;
  expS: string;
  /** Outputs of the hidden layers (after the activation), in order. */
  hidden: string[];
}

export function exportFlow(model: FlowModel, outputs: FlowOnnxOutputs): Uint8Array | FlowOnnxUnsupported {
  const unsupported = unsupportedReason(model, outputs);
  if (unsupported !== null) return { unsupported };
  validate(model);
  return new FlowGraph(model, outputs).build();
}

/** Why `model` cannot be exported to ONNX with these outputs, or null when it can. */
export function unsupportedReason(model: FlowModel, outputs: FlowOnnxOutputs): string | null {
  if (model.activation !== 'tanh' && model.activation !== 'relu') return `activation ${String(model.activation)} is not exported to ONNX`;
  const splines = model.layers.filter((layer): layer is SplineCoupling => layer.kind === 'spline');
  if (splines.length > 0 && outputs !== 'logp' && outputs !== 'logp+latent') return 'the score and VJP of spline couplings are not exported';
  if (splines.some((layer) => !Number.isInteger(layer.bins) || layer.bins < 2)) return 'spline couplings with fewer than 2 bins are scored with tfjs';
  return null;
}

class FlowGraph {
  private readonly g = new OnnxGraphBuilder('shiftwatch_flow');
  private readonly d: number;
  private readonly N = 'N';

  constructor(
    private readonly model: FlowModel,
    private readonly outputs: FlowOnnxOutputs,
  ) {
    this.d = model.dim;
  }

  build(): Uint8Array {
    const { g, d, N } = this;
    const x = g.input(FLOW_ONNX_NAMES.x, ElementType.FLOAT, [N, d]);
    const v = this.outputs === 'latent+vjp' ? g.input(FLOW_ONNX_NAMES.v, ElementType.FLOAT, [N, d]) : null;

    // The first selection from x − mean divides by the scale as it picks the columns.
    let segments: Segment[] = [{ tensor: this.centre(x), dims: range(d), unscaled: true }];
    const tapes: CouplingTape[] = [];
    const logDets: string[] = [];
    for (const layer of this.model.layers) {
      const step = layer.kind === 'affine' ? this.coupling(layer, segments) : this.splineCoupling(layer, segments);
      segments = step.segments;
      if (step.tape !== undefined) tapes.push(step.tape);
      logDets.push(step.logDet);
    }
    if (at(segments, 0, 'input segments').unscaled) segments = [{ tensor: this.select(segments, range(d)), dims: range(d) }];

    if (this.outputs === 'latent+vjp') {
      this.select(segments, range(d), { name: FLOW_ONNX_NAMES.z });
      g.output(FLOW_ONNX_NAMES.z, ElementType.FLOAT, [N, d]);
      const seeds: Segment[] = segments.map((s) => ({ tensor: this.select([{ tensor: v!, dims: range(d) }], s.dims), dims: s.dims }));
      this.reverse(tapes, seeds, false, FLOW_ONNX_NAMES.vjp);
      g.output(FLOW_ONNX_NAMES.vjp, ElementType.FLOAT, [N, d]);
      return g.toBytes({ producerName: 'shiftwatch' });
    }

    const base = segments.map((s) => baseTerm(this.g, this.model.base, s));
    const constant = this.constantTerm();
    g.op('Sum', [...base.map((b) => b.value), ...logDets, g.floatConst(constant)], {}, FLOW_ONNX_NAMES.logp);
    g.output(FLOW_ONNX_NAMES.logp, ElementType.FLOAT, [N]);
    if (this.outputs === 'logp+latent') {
      this.select(segments, range(d), { name: FLOW_ONNX_NAMES.z });
      g.output(FLOW_ONNX_NAMES.z, ElementType.FLOAT, [N, d]);
    }
    if (this.outputs === 'logp+score') {
      const seeds: Segment[] = segments.map((s, i) => ({ tensor: at(base, i, 'base densities').gradient(), dims: s.dims }));
      this.reverse(tapes, seeds, true, FLOW_ONNX_NAMES.score);
      g.output(FLOW_ONNX_NAMES.score, ElementType.FLOAT, [N, d]);
    }
    return g.toBytes({ producerName: 'shiftwatch' });
  }

  // ---- forward -------------------------------------------------------------------------------

  /**
   * x − mean; the division by the scale is folded into the first column selection. The mean is
   * split into a float32 head and tail so that large means lose no more precision than the float32
   * input itself already has.
   */
  private centre(x: string): string {
    const { g } = this;
    const { mean, scale } = this.model.standardization;
    const head = mean.map((m) => Math.fround(m));
    const tail = mean.map((m, j) => Math.fround(m - at(head, j, 'mean head')));
    let centred = g.op('Sub', [x, g.floatConst(head)]);
    if (tail.some((t, j) => Math.abs(t) > 1e-9 * at(scale, j, 'standardization scale'))) centred = g.op('Sub', [centred, g.floatConst(tail)]);
    return centred;
  }

  private coupling(layer: AffineCoupling, segments: Segment[]): { segments: Segment[]; tape: CouplingTape; logDet: string } {
    const { g } = this;
    const uA = this.select(segments, layer.identity);
    const uB = this.select(segments, layer.transformed);
    const nb = layer.transformed.length;
    const hidden = this.hiddenLayers(layer, uA);
    const h = hidden[hidden.length - 1] ?? uA;
    const out = layer.conditioner.output;
    const bound = layer.scaleBound;
    const rawScaled = this.gemm(
      h,
      columns(out, 0, nb).map((w) => w / bound),
      out.bias.slice(0, nb).map((b) => b / bound),
      out.inputs,
      nb,
    );
    const shift = this.gemm(h, columns(out, nb, 2 * nb), out.bias.slice(nb, 2 * nb), out.inputs, nb);
    const tau = g.op('Tanh', [rawScaled]);
    const s = g.op('Mul', [tau, g.floatConst(bound)]);
    const expS = g.op('Exp', [s]);
    const zB = g.op('Add', [g.op('Mul', [uB, expS]), shift]);
    const logDet = g.op('ReduceSum', [s, g.int64Const([1])], { keepdims: int(0) });
    return {
      segments: [
        { tensor: uA, dims: layer.identity },
        { tensor: zB, dims: layer.transformed },
      ],
      tape: { layer, uB, tau, expS, hidden },
      logDet,
    };
  }

  /** The conditioner's hidden layers (Gemm + activation, fused by ORT); their outputs in order. */
  private hiddenLayers(layer: CouplingLayer, input: string): string[] {
    const { g } = this;
    const hidden: string[] = [];
    let h = input;
    for (const dense of layer.conditioner.hidden) {
      h = g.op(this.model.activation === 'tanh' ? 'Tanh' : 'Relu', [this.gemm(h, dense.weights, dense.bias, dense.inputs, dense.outputs)]);
      hidden.push(h);
    }
    return hidden;
  }

  /**
   * Rational-quadratic spline coupling, forward only (log p), following docs/algorithms.md#flow-model and
   * src/core/flow/rq-spline.ts: knots from softmax(θ^w), softmax(θ^h) with a 1e-3 floor per bin,
   * interior derivatives 1e-3 + softplus(θ^d), boundary derivatives 1; the bin is the number of
   * interior x-knots ≤ u; identity outside [−B, B].
   *
   * Laid out for ORT, whose small broadcasting, comparison and gather kernels are slow next to its
   * Gemm: rows are (sample, transformed column) pairs, [N·m, ·]. One Softmax serves widths and
   * heights. One Gemm with constant weights maps [p^w, p^h, u, θ^d] to a table [N·m, K, 6]
   * holding, for every bin k, (u − x_k, y_k, w_k, h_k, θ_k, θ_{k+1}): the
   * cumulative sums and affine maps of the knot construction are folded into its matrix and bias.
   * One GatherND then picks the bin's six values. Bin sizes come from the probabilities rather than
   * from differences of float32 knots (equal in exact arithmetic, without the cancellation).
   *
   * Boundary derivatives: the table holds, for the boundary knots, the raw value whose softplus plus
   * 1e-3 is 1 (to within float32 rounding, ~1e-7) instead of testing for the boundary.
   */
  private splineCoupling(layer: SplineCoupling, segments: Segment[]): { segments: Segment[]; tape?: CouplingTape; logDet: string } {
    const { g } = this;
    const uA = this.select(segments, layer.identity);
    const uB = this.select(segments, layer.transformed);
    const m = layer.transformed.length;
    const K = layer.bins;
    const B = layer.tailBound;
    const perDim = 3 * K - 1;
    const hidden = this.hiddenLayers(layer, uA);
    const h = hidden[hidden.length - 1] ?? uA;
    const out = layer.conditioner.output;
    // The output layer as two Gemms: per column, [K width logits, K height logits]; and K − 1 raw derivatives.
    const outputColumns = (pick: (j: number) => number[]) => {
      const cols = Array.from({ length: m }, (_, j) => pick(j)).flat();
      return this.gemm(h, pickColumns(out, cols), cols.map((c) => at(out.bias, c, 'output bias')), out.inputs, cols.length);
    };
    const logits = outputColumns((j) => range(2 * K).map((k) => j * perDim + k));
    const rawDerivatives = g.op('Reshape', [outputColumns((j) => range(K - 1).map((k) => j * perDim + 2 * K + k)), g.int64Const([-1, K - 1])]);
    const probabilities = g.op('Reshape', [g.op('Softmax', [g.op('Reshape', [logits, g.int64Const([-1, K])])], { axis: int(1) }), g.int64Const([-1, 2 * K])]);
    const u = g.op('Reshape', [uB, g.int64Const([-1, 1])]);

    // Input rows: p^w_0..K−1 (0..K−1), p^h_0..K−1 (K..2K−1), u (2K), θ^d_1..K−1 (2K+1..3K−1).
    // Output column 6k + q: q = 0 u − x_k, 1 y_k, 2 w_k, 3 h_k, 4 θ_k, 5 θ_{k+1} (θ_0 = θ_K = boundary value).
    // x_k = −B + 2B·(k·ε + (1 − Kε)·Σ_{i<k} p_i), w_k = 2B·(ε + (1 − Kε)·p_k), likewise y_k and h_k;
    // the last lower knots are taken from the top, x_{K−1} = B − w_{K−1} (as the reference's last
    // width is B − x_{K−1}), so that the last bin ends at B although float32 probabilities do not
    // sum to exactly 1.
    const span = 2 * B * (1 - K * MIN_BIN);
    const inputs = 3 * K;
    const columns = 6 * K;
    const matrix = new Array<number>(inputs * columns).fill(0);
    const bias = new Array<number>(columns).fill(0);
    const set = (row: number, column: number, value: number) => (matrix[row * columns + column] = value);
    for (let k = 0; k < K; k++) {
      const c = 6 * k;
      set(2 * K, c, 1);
      if (k < K - 1) {
        for (let i = 0; i < k; i++) {
          set(i, c, -span);
          set(K + i, c + 1, span);
        }
        bias[c] = B - 2 * B * k * MIN_BIN;
        bias[c + 1] = -B + 2 * B * k * MIN_BIN;
      } else {
        set(k, c, span);
        set(K + k, c + 1, -span);
        bias[c] = -B + 2 * B * MIN_BIN;
        bias[c + 1] = B - 2 * B * MIN_BIN;
      }
      set(k, c + 2, span);
      set(K + k, c + 3, span);
      bias[c + 2] = bias[c + 3] = 2 * B * MIN_BIN;
      if (k === 0) bias[c + 4] = BOUNDARY_RAW_DERIVATIVE;
      else set(2 * K + k, c + 4, 1);
      if (k === K - 1) bias[c + 5] = BOUNDARY_RAW_DERIVATIVE;
      else set(2 * K + 1 + k, c + 5, 1);
    }
    const table = g.op('Gemm', [
      g.op('Concat', [probabilities, u, rawDerivatives], { axis: int(1) }),
      g.floatTensor(matrix, [inputs, columns], 'knots'),
      g.floatTensor(bias, [columns], 'b'),
    ]);
    // Bin [N·m, 1]: the number of interior x-knots ≤ u (columns 6k, k = 1..K−1), 0..K−1.
    const interior = g.op('Slice', [table, g.int64Const([6]), g.int64Const([6 * K]), g.int64Const([1]), g.int64Const([6])]);
    const bin = g.op('ReduceSum', [g.op('Cast', [g.op('GreaterOrEqual', [interior, g.floatConst(0)])], { to: int(ElementType.INT64) }), g.int64Const([1])], { keepdims: int(1) });
    const picked = g.op('GatherND', [g.op('Reshape', [table, g.int64Const([-1, K, 6])]), bin], { batch_dims: int(1) });
    // From here on, 1-D tensors [N·m]: ORT's elementwise kernels are much faster on them than on
    // [N·m, 1], whose innermost span of 1 defeats their vectorised loops.
    const flat = (t: string) => g.op('Reshape', [t, g.int64Const([-1])]);
    const parts = g.node('Split', [picked, g.int64Const([1, 1, 1, 1, 1, 1])], { axis: int(1) }, range(6).map(() => g.fresh('bin'))).map(flat);
    const [offset, yk, w, hk, rawK, rawK1] = parts as [string, string, string, string, string, string];
    const dk = g.op('Add', [g.op('Softplus', [rawK]), g.floatConst(MIN_BIN)]);
    const dk1 = g.op('Add', [g.op('Softplus', [rawK1]), g.floatConst(MIN_BIN)]);
    const x = flat(u);

    const slope = g.op('Div', [hk, w]);
    const xi = g.op('Div', [offset, w]);
    const oneMinusXi = g.op('Sub', [g.floatConst(1), xi]);
    const q = g.op('Mul', [xi, oneMinusXi]);
    const xi2 = g.op('Mul', [xi, xi]);
    const twoSlope = g.op('Add', [slope, slope]);
    // den = s + (δ_{k+1} + δ_k − 2s)·q;  p = s ξ² + δ_k q;  n = δ_{k+1} ξ² + 2 s q + δ_k (1 − ξ)²
    const den = g.op('Add', [slope, g.op('Mul', [g.op('Sub', [g.op('Add', [dk1, dk]), twoSlope]), q])]);
    const p = g.op('Add', [g.op('Mul', [slope, xi2]), g.op('Mul', [dk, q])]);
    const n = g.op('Sum', [g.op('Mul', [dk1, xi2]), g.op('Mul', [twoSlope, q]), g.op('Mul', [dk, g.op('Mul', [oneMinusXi, oneMinusXi])])]);
    const y = g.op('Add', [yk, g.op('Div', [g.op('Mul', [hk, p]), den])]);
    // log g' = log(s² n / den²), one Log.
    const logDeriv = g.op('Log', [g.op('Div', [g.op('Mul', [g.op('Mul', [slope, slope]), n]), g.op('Mul', [den, den])])]);
    // Identity outside [−B, B].
    const inside = g.op('LessOrEqual', [g.op('Abs', [x]), g.floatConst(B)]);
    const zB = g.op('Reshape', [g.op('Where', [inside, y, x]), g.int64Const([-1, m])]);
    const perColumn = g.op('Reshape', [g.op('Where', [inside, logDeriv, g.floatConst(0)]), g.int64Const([-1, m])]);
    const logDet = g.op('ReduceSum', [perColumn, g.int64Const([1])], { keepdims: int(0) });
    return {
      segments: [
        { tensor: uA, dims: layer.identity },
        { tensor: zB, dims: layer.transformed },
      ],
      logDet,
    };
  }

  /** y = x·W + b as one Gemm (bias omitted when it is all zero). */
  private gemm(x: string, weights: number[], bias: number[], inputs: number, outputs: number): string {
    const { g } = this;
    const w = g.floatTensor(weights, [inputs, outputs]);
    const args = [x, w];
    if (bias.some((b) => Math.fround(b) !== 0)) args.push(g.floatTensor(bias, [outputs], 'b'));
    return g.op('Gemm', args);
  }

  /** Everything in log p_X that does not depend on x: the base densities' constants and −Σ log scale. */
  private constantTerm(): number {
    const logScales = this.model.standardization.scale.reduce((sum, s) => sum + Math.log(s), 0);
    return baseConstant(this.model.base, range(this.d)) - logScales;
  }

  // ---- reverse -------------------------------------------------------------------------------

  /**
   * Back-propagates `seeds` (∂/∂z per final block) through every coupling, adds the log-det terms
   * when `withLogDet`, and writes ∂/∂x (original units, original column order) to `output`.
   */
  private reverse(tapes: CouplingTape[], seeds: Segment[], withLogDet: boolean, output: string): void {
    const { g } = this;
    let grads = seeds;
    for (let l = tapes.length - 1; l >= 0; l--) {
      const { layer, uB, tau, expS, hidden } = at(tapes, l, 'layer tapes');
      const gzA = this.select(grads, layer.identity);
      const gzB = this.select(grads, layer.transformed);
      const guB = g.op('Mul', [gzB, expS]);
      let gs = g.op('Mul', [guB, uB]);
      if (withLogDet) gs = g.op('Add', [gs, g.floatConst(1)]);
      const oneMinusTau2 = g.op('Sub', [g.floatConst(1), g.op('Mul', [tau, tau])]);
      const gRaw = g.op('Mul', [gs, oneMinusTau2]);
      const out = layer.conditioner.output;
      let gh = g.op('MatMul', [g.op('Concat', [gRaw, gzB], { axis: int(1) }), g.floatTensor(transpose(out), [out.outputs, out.inputs], 'wt')]);
      const layers = layer.conditioner.hidden;
      for (let k = layers.length - 1; k >= 0; k--) {
        const h = at(hidden, k, 'hidden activations');
        // tanh' = 1 − h²; relu' = [h > 0] (Where: about as fast as Cast + Mul in ORT, far faster than Sign).
        const ga =
          this.model.activation === 'tanh'
            ? g.op('Mul', [gh, g.op('Sub', [g.floatConst(1), g.op('Mul', [h, h])])])
            : g.op('Where', [g.op('Greater', [h, g.floatConst(0)]), gh, g.floatConst(0)]);
        const dense = at(layers, k, 'hidden layers');
        gh = g.op('MatMul', [ga, g.floatTensor(transpose(dense), [dense.outputs, dense.inputs], 'wt')]);
      }
      const guA = g.op('Add', [gzA, gh]);
      grads = [
        { tensor: guA, dims: layer.identity },
        { tensor: guB, dims: layer.transformed },
      ];
    }
    this.select(grads, range(this.d), { name: output, divideByScale: true });
  }

  // ---- columns -------------------------------------------------------------------------------

  /** `selectColumns` with this model's scale (see graph-blocks.ts). */
  private select(segments: Segment[], target: number[], options: Omit<SelectOptions, 'scale'> = {}): string {
    return selectColumns(this.g, segments, target, { ...options, scale: this.model.standardization.scale });
  }
}

/** Checks the shapes and indices the export relies on; throws on a malformed model. */
function validate(model: FlowModel): void {
  const d = model.dim;
  const { mean, scale, features } = model.standardization;
  if (!(d >= 1) || mean.length !== d || scale.length !== d || features.length !== d) throw new Error(`flow export: standardisation does not have ${d} features`);
  if (scale.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error('flow export: standardisation scales must be positive');
  if (model.base.kind === 'student-t') {
    if (model.base.dof.length !== d) throw new Error(`flow export: ${model.base.dof.length} degrees of freedom for ${d} dimensions`);
    if (model.base.dof.some((nu) => nu !== null && !(nu > 0 && Number.isFinite(nu)))) throw new Error('flow export: degrees of freedom must be positive');
  }
  model.layers.forEach((layer, l) => {
    const seen = [...layer.identity, ...layer.transformed].sort((a, b) => a - b);
    if (!sameList(seen, range(d))) throw new Error(`flow export: layer ${l} does not split the ${d} dimensions into identity and transformed`);
    if (layer.identity.length === 0 || layer.transformed.length === 0) throw new Error(`flow export: layer ${l} has an empty identity or transformed part`);
    if (layer.kind === 'affine' && !(layer.scaleBound > 0)) throw new Error(`flow export: layer ${l} has scale bound ${layer.scaleBound}`);
    if (layer.kind === 'spline' && !(layer.tailBound > 0 && Number.isFinite(layer.tailBound))) throw new Error(`flow export: layer ${l} has tail bound ${layer.tailBound}`);
    const perDim = layer.kind === 'affine' ? 2 : 3 * layer.bins - 1;
    let width = layer.identity.length;
    for (const dense of [...layer.conditioner.hidden, layer.conditioner.output]) {
      if (dense.inputs !== width || dense.weights.length !== dense.inputs * dense.outputs || dense.bias.length !== dense.outputs) {
        throw new Error(`flow export: layer ${l} conditioner shapes do not chain`);
      }
      width = dense.outputs;
    }
    if (width !== perDim * layer.transformed.length) throw new Error(`flow export: layer ${l} conditioner outputs ${width} values, expected ${perDim * layer.transformed.length}`);
  });
}

/** Columns [from, to) of a dense layer's weight matrix, row-major [inputs, to − from]. */
function columns(dense: DenseLayer, from: number, to: number): number[] {
  const result: number[] = [];
  for (let i = 0; i < dense.inputs; i++) for (let j = from; j < to; j++) result.push(at(dense.weights, i * dense.outputs + j, 'dense weights'));
  return result;
}

/** The given columns of a dense layer's weight matrix, row-major [inputs, cols.length]. */
function pickColumns(dense: DenseLayer, cols: number[]): number[] {
  const result: number[] = [];
  for (let i = 0; i < dense.inputs; i++) for (const j of cols) result.push(at(dense.weights, i * dense.outputs + j, 'dense weights'));
  return result;
}

/** Wᵀ, row-major [outputs, inputs]. */
function transpose(dense: DenseLayer): number[] {
  const result = new Array<number>(dense.inputs * dense.outputs);
  for (let i = 0; i < dense.inputs; i++) for (let j = 0; j < dense.outputs; j++) result[j * dense.inputs + i] = at(dense.weights, i * dense.outputs + j, 'dense weights');
  return result;
}
