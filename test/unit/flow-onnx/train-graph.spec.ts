/**
 * The ONNX training graph against the two references: log p_U and the gradient of the batch NLL
 * with respect to every weight, against tfjs's autodiff (tf.variableGrads) and against central
 * finite differences of the float64 maths (src/core/flow/flow-math.ts), on random weights and rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseDistribution, FlowModel } from '../../../src/core/flow/flow-spec.js';
import { logProbStandardized } from '../../../src/core/flow/flow-math.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { packParameters, parameterLayout, unpackParameters } from '../../../src/flow/onnx/flow-parameters.js';
import { BatchBuffers, FlowTrainingSessions } from '../../../src/flow/onnx/onnx-trainer.js';
import { buildTrainingGraph, trainingColumnOrder } from '../../../src/flow/onnx/train-graph.js';
import { selectBackend } from '../../../src/flow/tf/backend.js';
import { TfFlow } from '../../../src/flow/tf/tf-flow.js';
import { randomFlow } from '../flow-tf/helpers.js';

const tBase = (dim: number): BaseDistribution => ({ kind: 'student-t', dof: Array.from({ length: dim }, (_, j) => (j % 3 === 0 ? 2.5 + j : null)) });

const cases: { name: string; model: FlowModel }[] = [
  { name: 'tanh, depth 2, normal base', model: randomFlow(6, { kind: 'affine', layers: 4, hidden: 12, depth: 2 }, { kind: 'normal' }, 3) },
  { name: 'relu, depth 1, Student-t base', model: randomFlow(5, { kind: 'affine', layers: 3, hidden: 10, depth: 1, activation: 'relu' }, tBase(5), 4) },
  { name: 'tanh, no hidden layer, odd dimension', model: randomFlow(7, { kind: 'affine', layers: 3, hidden: 8, depth: 0, scaleBound: 1.5 }, { kind: 'normal' }, 5) },
];

/** n standardised rows, u ~ 1.3·N(0, I), row-major. */
function uRows(n: number, dim: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: n * dim }, () => Math.fround(1.3 * normal()));
}

/** log p_U per row and the gradient of −Σ log p_U as a model-shaped object, from the ONNX graph. */
async function onnxGradients(model: FlowModel, u: Float32Array, n: number): Promise<{ logp: Float32Array; nll: number; gradient: FlowModel }> {
  const sessions = await FlowTrainingSessions.create(model);
  const order = trainingColumnOrder(model);
  const buffers = new BatchBuffers(n, model.dim);
  for (let i = 0; i < n; i++) order.forEach((j, k) => (buffers.rows[i * model.dim + k] = u[i * model.dim + j]!));
  const batch = buffers.tensors(n);
  const nll = await sessions.gradientRun(batch);
  const result = { logp: Float32Array.from(batch.logp.data as Float32Array), nll, gradient: unpackParameters(model, sessions.layout, sessions.gradient) };
  await sessions.release();
  return result;
}

/** The same from tfjs autodiff, laid out like the model (TfFlow.variables order: per layer hidden W, b …, output W, b). */
function tfGradients(model: FlowModel, u: Float32Array, n: number): FlowModel {
  const flow = new TfFlow(model);
  const input = tf.tensor2d(u, [n, model.dim]);
  const { value, grads } = tf.variableGrads(() => tf.neg(tf.sum(flow.logProbStandardized(input))) as tf.Scalar, flow.variables);
  const values = flow.variables.map((v) => Array.from(grads[v.name]!.dataSync()));
  tf.dispose([value, input, ...Object.values(grads)]);
  flow.dispose();
  let next = 0;
  const take = () => values[next++]!;
  const gradient = structuredClone(model);
  for (const layer of gradient.layers) {
    for (const dense of [...layer.conditioner.hidden, layer.conditioner.output]) {
      dense.weights = take();
      dense.bias = take();
    }
  }
  return gradient;
}

/** Every weight and bias of a model, flattened layer by layer. */
const allWeights = (model: FlowModel) => model.layers.flatMap((l) => [...l.conditioner.hidden, l.conditioner.output].flatMap((d) => [...d.weights, ...d.bias]));

beforeAll(async () => {
  await selectBackend();
});

describe('parameter layout', () => {
  it('packs and unpacks a model without loss, output layer split into scale and shift halves', () => {
    const model = cases[0]!.model;
    const layout = parameterLayout(model);
    expect(layout.size).toBe(allWeights(model).length);
    expect(unpackParameters(model, layout, packParameters(model, layout))).toEqual(model);
    const out = model.layers[1]!.conditioner.output;
    const flat = packParameters(model, layout);
    const shift = layout.layers[1]!.shift;
    // Row 2 of the shift half is row 2 of the output weights, columns |B|..2|B|−1.
    const nb = model.layers[1]!.transformed.length;
    expect(Array.from(flat.subarray(shift.weights.offset + 2 * nb, shift.weights.offset + 3 * nb))).toEqual(out.weights.slice(2 * out.outputs + nb, 3 * out.outputs));
  });

  it('refuses spline couplings (they train with tfjs)', () => {
    const spline = randomFlow(4, { kind: 'spline', layers: 2, hidden: 8, depth: 1, bins: 4 }, { kind: 'normal' }, 1);
    expect(() => buildTrainingGraph(spline, { gradients: true })).toThrow(/spline couplings are trained with tfjs/);
  });
});

describe.each(cases)('training graph ($name)', ({ model }) => {
  const n = 48;
  const u = uRows(n, model.dim, 21);

  it('log p_U matches the float64 reference within 1e-5 relative', async () => {
    const { logp, nll } = await onnxGradients(model, u, n);
    let expectedNll = 0;
    for (let i = 0; i < n; i++) {
      const expected = logProbStandardized(model, u.subarray(i * model.dim, (i + 1) * model.dim));
      expectedNll -= expected;
      expect(Math.abs(logp[i]! - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
    }
    expect(Math.abs(nll - expectedNll)).toBeLessThan(1e-5 * Math.abs(expectedNll));
  });

  it('weight gradients match tfjs autodiff within 1e-4 of the largest', async () => {
    const ours = allWeights((await onnxGradients(model, u, n)).gradient);
    const reference = allWeights(tfGradients(model, u, n));
    const largest = Math.max(...reference.map(Math.abs));
    expect(largest).toBeGreaterThan(1); // a non-trivial gradient
    ours.forEach((g, i) => expect(Math.abs(g - reference[i]!)).toBeLessThan(1e-4 * largest));
  });

  it('weight gradients match central differences of the float64 NLL', async () => {
    const gradient = (await onnxGradients(model, u, n)).gradient;
    const nll = (m: FlowModel) => {
      let total = 0;
      for (let i = 0; i < n; i++) total -= logProbStandardized(m, u.subarray(i * m.dim, (i + 1) * m.dim));
      return total;
    };
    const random = seededRandom(8);
    const largest = Math.max(...allWeights(gradient).map(Math.abs));
    // 40 weights and biases drawn across every dense layer of every coupling.
    for (let draw = 0; draw < 40; draw++) {
      const l = Math.floor(random() * model.layers.length);
      const dense = [...model.layers[l]!.conditioner.hidden, model.layers[l]!.conditioner.output];
      const k = Math.floor(random() * dense.length);
      const field = random() < 0.7 ? 'weights' : 'bias';
      const i = Math.floor(random() * dense[k]![field].length);
      const shifted = (h: number) => {
        const m = structuredClone(model);
        const target = [...m.layers[l]!.conditioner.hidden, m.layers[l]!.conditioner.output][k]!;
        target[field][i] = target[field][i]! + h;
        return nll(m);
      };
      const h = 1e-5;
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      const ours = [...gradient.layers[l]!.conditioner.hidden, gradient.layers[l]!.conditioner.output][k]![field][i]!;
      expect(Math.abs(ours - numeric)).toBeLessThan(2e-4 * Math.max(1, largest));
    }
  });
});
