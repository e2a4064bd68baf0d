/**
 * The ONNX graph that trains an affine coupling flow: from a batch of standardised rows u [N, d]
 * and every conditioner weight (graph inputs, see flow-parameters.ts, so one session serves every
 * step), it computes log p_U(u) per row and, with `gradients`, the gradient of the batch's summed
 * negative log-likelihood −Σ_i log p_U(u_i) with respect to every weight. The flow's maths is that
 * of src/core/flow/flow-math.ts (u-space: the standardisation is applied by the caller, whose
 * Σ log scale does not depend on the weights).
 *
 * Forward, per coupling: h_k = act(h_{k−1}·W_k + b_k) from h_{−1} = u_A; raw = h·W_s + b_s,
 * t = h·W_t + b_t; τ = tanh(raw/bound), s = bound·τ, z_B = u_B·e^s + t, log|det| += Σ s.
 *
 * Reverse, per coupling, given g_zA, g_zB (∂L/∂ outputs, L = −Σ log p):
 *   g_t   = g_zB;   g_s = g_zB·u_B·e^s − 1 (the −1 is −∂ log|det|/∂s);   g_raw = g_s·(1 − τ²)
 *   ∂W_s  = hᵀ·g_raw, ∂b_s = Σ_rows g_raw;  ∂W_t = hᵀ·g_t, ∂b_t = Σ_rows g_t
 *   g_h   = g_raw·W_sᵀ + g_t·W_tᵀ, then per hidden layer, last first:
 *   g_a   = g_h·act'(h_k);  ∂W_k = h_{k−1}ᵀ·g_a, ∂b_k = Σ_rows g_a;  g_h ← g_a·W_kᵀ
 *   g_uA  = g_zA + g_h,  g_uB = g_zB·e^s
 * seeded with g_z = −∇ log p_Z(z). The first coupling's input gradients are not needed.
 *
 * Column order: `u` holds the first coupling's identity columns, then its transformed ones
 * (`trainingColumnOrder`), so its blocks are Slices; later couplings read whole blocks.
 */
import { at } from '../../core/indexing.js';
import type { AffineCoupling, FlowModel } from '../../core/flow/flow-spec.js';
import { baseConstant, baseTerm, range, selectColumns, type ColumnBlock } from './graph-blocks.js';
import { ElementType, int, OnnxGraphBuilder } from './onnx-graph.js';
import { gradientName, parameterLayout, untrainableReason, type CouplingSlots, type ParameterLayout, type ParameterSlot } from './flow-parameters.js';

/** Names of the training graph's data input and log-density output. */
export const TRAIN_GRAPH_NAMES = { u: 'u', logp: 'logp' } as const;

/** Model dimensions in the order of the graph input's columns. */
export function trainingColumnOrder(model: FlowModel): number[] {
  const first = model.layers[0];
  return first === undefined ? range(model.dim) : [...first.identity, ...first.transformed];
}

interface Tape {
  layer: AffineCoupling;
  slots: CouplingSlots;
  /** Conditioner input and hidden outputs: inputs[k] feeds hidden layer k, the last feeds the output layer. */
  inputs: string[];
  tau: string;
  expS: string;
  /** u_B·e^s. */
  scaled: string;
}

/**
 * Builds the graph. `gradients` false: log p only (validation). The weights in `model` give only
 * shapes; their values are graph inputs.
 */
export function buildTrainingGraph(model: FlowModel, options: { gradients: boolean }): Uint8Array {
  const reason = untrainableReason(model);
  if (reason !== null) throw new Error(`ONNX trainer: ${reason}`);
  return new TrainingGraph(model, parameterLayout(model)).build(options.gradients);
}

class TrainingGraph {
  private readonly g = new OnnxGraphBuilder('shiftwatch_flow_train');
  private readonly N = 'N';
  private readonly inputs = new Map<ParameterSlot, string>();

  constructor(
    private readonly model: FlowModel,
    private readonly layout: ParameterLayout,
  ) {}

  build(gradients: boolean): Uint8Array {
    const { g, model, N } = this;
    const d = model.dim;
    const u = g.input(TRAIN_GRAPH_NAMES.u, ElementType.FLOAT, [N, d]);
    for (const slot of this.layout.slots) this.inputs.set(slot, g.input(slot.name, ElementType.FLOAT, slot.dims));

    let blocks: ColumnBlock[] = [{ tensor: u, dims: trainingColumnOrder(model) }];
    const tapes: Tape[] = [];
    const logDets: string[] = [];
    model.layers.forEach((layer, l) => {
      const step = this.coupling(layer as AffineCoupling, at(this.layout.layers, l, 'parameter layout'), blocks);
      blocks = step.blocks;
      tapes.push(step.tape);
      logDets.push(step.logDet);
    });
    const base = blocks.map((b) => baseTerm(g, model.base, b));
    g.op('Sum', [...base.map((b) => b.value), ...logDets, g.floatConst(baseConstant(model.base, range(d)))], {}, TRAIN_GRAPH_NAMES.logp);
    g.output(TRAIN_GRAPH_NAMES.logp, ElementType.FLOAT, [N]);
    if (gradients) {
      let grads: ColumnBlock[] = blocks.map((b, i) => ({ tensor: at(base, i, 'base densities').negativeGradient(), dims: b.dims }));
      for (let l = tapes.length - 1; l >= 0; l--) grads = this.reverse(at(tapes, l, 'layer tapes'), grads, l > 0);
      for (const slot of this.layout.slots) g.output(gradientName(slot), ElementType.FLOAT, slot.dims);
    }
    return g.toBytes({ producerName: 'shiftwatch' });
  }

  private weight(slot: ParameterSlot): string {
    return this.inputs.get(slot)!;
  }

  private coupling(layer: AffineCoupling, slots: CouplingSlots, blocks: ColumnBlock[]): { blocks: ColumnBlock[]; tape: Tape; logDet: string } {
    const { g } = this;
    const uA = selectColumns(g, blocks, layer.identity);
    const uB = selectColumns(g, blocks, layer.transformed);
    const inputs = [uA];
    let h = uA;
    for (const dense of slots.hidden) {
      h = g.op(this.model.activation === 'tanh' ? 'Tanh' : 'Relu', [g.op('Gemm', [h, this.weight(dense.weights), this.weight(dense.bias)])]);
      inputs.push(h);
    }
    const raw = g.op('Gemm', [h, this.weight(slots.scale.weights), this.weight(slots.scale.bias)]);
    const shift = g.op('Gemm', [h, this.weight(slots.shift.weights), this.weight(slots.shift.bias)]);
    const bound = layer.scaleBound;
    const tau = g.op('Tanh', [g.op('Mul', [raw, g.floatConst(1 / bound)])]);
    const s = g.op('Mul', [tau, g.floatConst(bound)]);
    const expS = g.op('Exp', [s]);
    const scaled = g.op('Mul', [uB, expS]);
    const zB = g.op('Add', [scaled, shift]);
    const logDet = g.op('ReduceSum', [s, g.int64Const([1])], { keepdims: int(0) });
    return {
      blocks: [
        { tensor: uA, dims: layer.identity },
        { tensor: zB, dims: layer.transformed },
      ],
      tape: { layer, slots, inputs, tau, expS, scaled },
      logDet,
    };
  }

  /** ∂W = xᵀ·g and ∂b = Σ_rows g, written to the gradient outputs of `weights` and `bias`. */
  private denseGradients(x: string, gradient: string, weights: ParameterSlot, bias: ParameterSlot): void {
    const { g } = this;
    g.op('Gemm', [x, gradient], { transA: int(1) }, gradientName(weights));
    g.op('ReduceSum', [gradient, g.int64Const([0])], { keepdims: int(0) }, gradientName(bias));
  }

  /** Back through one coupling; returns ∂L/∂(its input blocks) when `inputGradients`. */
  private reverse(tape: Tape, grads: ColumnBlock[], inputGradients: boolean): ColumnBlock[] {
    const { g } = this;
    const { layer, slots, inputs, tau, expS, scaled } = tape;
    const gzB = selectColumns(g, grads, layer.transformed);
    const gs = g.op('Sub', [g.op('Mul', [gzB, scaled]), g.floatConst(1)]);
    const gRaw = g.op('Mul', [gs, g.op('Sub', [g.floatConst(1), g.op('Mul', [tau, tau])])]);
    const h = at(inputs, inputs.length - 1, 'layer inputs');
    this.denseGradients(h, gRaw, slots.scale.weights, slots.scale.bias);
    this.denseGradients(h, gzB, slots.shift.weights, slots.shift.bias);
    const hidden = slots.hidden.length;
    if (hidden === 0 && !inputGradients) return [];
    // g_h = g_raw·W_sᵀ + g_t·W_tᵀ: the second Gemm accumulates onto the first (C input).
    let gh = g.op('Gemm', [gzB, this.weight(slots.shift.weights), g.op('Gemm', [gRaw, this.weight(slots.scale.weights)], { transB: int(1) })], { transB: int(1) });
    for (let k = hidden - 1; k >= 0; k--) {
      const out = at(inputs, k + 1, 'layer inputs');
      // tanh' = 1 − h²; relu' = [h > 0].
      const ga =
        this.model.activation === 'tanh'
          ? g.op('Mul', [gh, g.op('Sub', [g.floatConst(1), g.op('Mul', [out, out])])])
          : g.op('Where', [g.op('Greater', [out, g.floatConst(0)]), gh, g.floatConst(0)]);
      const dense = at(slots.hidden, k, 'hidden layer slots');
      this.denseGradients(at(inputs, k, 'layer inputs'), ga, dense.weights, dense.bias);
      if (k === 0 && !inputGradients) return [];
      gh = g.op('Gemm', [ga, this.weight(dense.weights)], { transB: int(1) });
    }
    const gzA = selectColumns(g, grads, layer.identity);
    return [
      { tensor: g.op('Add', [gzA, gh]), dims: layer.identity },
      { tensor: g.op('Mul', [gzB, expS]), dims: layer.transformed },
    ];
  }
}
