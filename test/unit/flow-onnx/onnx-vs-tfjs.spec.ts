/**
 * The production scorer against the reference implementation, directly: ONNX Runtime and tfjs
 * give the same log p and score ∇x log p, on random rows and on rows of the synthetic reference
 * (a flow standardised on those rows, Student-t base on some dimensions).
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxFlowScorer } from '../../../src/flow/onnx/onnx-scorer.js';
import { TfFlow } from '../../../src/flow/tf/tf-flow.js';
import { selectBackend } from '../../../src/flow/tf/backend.js';
import { fitStandardization } from '../../../src/core/flow/standardize.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { syntheticRows, NUMERIC_FEATURES } from '../../support/synthetic.js';
import { randomFlow } from '../flow/random-flow.js';
import type { FlowModel } from '../../../src/core/flow/flow-spec.js';

const features = [...NUMERIC_FEATURES];
const real = syntheticRows(300, 41);
const realRows = Float32Array.from(real.flatMap((r) => features.map((f) => r[f] as number)));

function modelOnReference(activation: 'tanh' | 'relu', studentT: boolean): FlowModel {
  const model = randomFlow({ kind: 'affine', activation, dim: features.length, seed: activation === 'tanh' ? 3 : 4, layers: 4, hidden: 16, spread: 0.3 });
  const ref = syntheticRows(2000, 5);
  model.standardization = fitStandardization(features, features.map((f) => Float64Array.from(ref.map((r) => r[f] as number)))).standardization;
  if (studentT) model.base = { kind: 'student-t', dof: features.map((_, j) => (j % 2 === 0 ? null : 3 + j)) };
  return model;
}

function randomRows(n: number, model: FlowModel, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  const { mean, scale } = model.standardization;
  return Float32Array.from({ length: n * model.dim }, (_, i) => mean[i % model.dim]! + 2 * scale[i % model.dim]! * normal());
}

beforeAll(async () => {
  await selectBackend();
});

describe.each([
  ['tanh', false],
  ['relu', true],
] as const)('ONNX Runtime vs tfjs (%s, Student-t base: %s)', (activation, studentT) => {
  const model = modelOnReference(activation, studentT);
  it.each([
    ['random rows', () => randomRows(200, model, 9)],
    ['reference-like rows', () => realRows],
  ])('%s: log p within 1e-4 relative, score within 1e-3 of the row scale', async (_name, make) => {
    const rows = make();
    const n = rows.length / model.dim;
    const onnx = await OnnxFlowScorer.create(model, { outputs: 'logp+score' });
    const { logp, score } = await onnx.logProbAndScore(rows, n);
    await onnx.release();
    const flow = new TfFlow(model);
    const x = tf.tensor2d(rows, [n, model.dim]);
    const tfLogp = await flow.logProb(x).data();
    const tfScore = await flow.score(x).data();
    x.dispose();
    flow.dispose();
    for (let i = 0; i < n; i++) {
      expect(Math.abs(logp[i]! - tfLogp[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(tfLogp[i]!)));
      let norm = 0;
      for (let j = 0; j < model.dim; j++) norm = Math.max(norm, Math.abs(tfScore[i * model.dim + j]!));
      for (let j = 0; j < model.dim; j++) expect(Math.abs(score[i * model.dim + j]! - tfScore[i * model.dim + j]!)).toBeLessThan(1e-3 * Math.max(1, norm));
    }
  });
});
