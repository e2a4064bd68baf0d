import * as tf from '@tensorflow/tfjs';
import type { BaseDistribution } from '../../../src/core/flow/flow-spec.js';
import { logProb, score } from '../../../src/core/flow/flow-math.js';
import { selectBackend } from '../../../src/flow/tf/backend.js';
import { TfFlow } from '../../../src/flow/tf/tf-flow.js';
import { maxRelativeError, randomFlow, randomRows } from './helpers.js';

// The tfjs flow (float32) against the float64 reference maths, on random-weight models.

const normalBase: BaseDistribution = { kind: 'normal' };
const tBase = (dim: number): BaseDistribution => ({ kind: 'student-t', dof: Array.from({ length: dim }, (_, j) => (j % 2 === 0 ? 2.5 + j : null)) });

/** Couplings over arbitrary (non-checkerboard, unsorted) index sets of the same sizes. */
function shuffledPartitions() {
  const model = randomFlow(5, { kind: 'affine', layers: 3, hidden: 8, depth: 1 }, normalBase, 3);
  const sets: [number[], number[]][] = [[[4, 1, 0], [3, 2]], [[2, 3], [4, 0, 1]], [[1, 3, 2], [0, 4]]];
  model.layers.forEach((layer, l) => ([layer.identity, layer.transformed] = sets[l]!));
  return model;
}

const cases = [
  { name: 'affine, normal base', dim: 5, architecture: { kind: 'affine' as const, layers: 4, hidden: 16, depth: 2 }, base: normalBase },
  { name: 'affine, Student-t base', dim: 5, architecture: { kind: 'affine' as const, layers: 4, hidden: 16, depth: 2, activation: 'relu' as const }, base: tBase(5) },
  { name: 'spline, normal base', dim: 4, architecture: { kind: 'spline' as const, layers: 3, hidden: 16, depth: 2, bins: 8, tailBound: 3 }, base: normalBase },
  { name: 'spline, Student-t base', dim: 4, architecture: { kind: 'spline' as const, layers: 3, hidden: 16, depth: 1, bins: 5, tailBound: 2 }, base: tBase(4) },
  { name: 'affine, unsorted index sets', dim: 5, architecture: {}, base: normalBase, fixed: shuffledPartitions() },
];

beforeAll(async () => {
  await selectBackend();
});

describe.each(cases)('TfFlow ($name)', ({ dim, architecture, base, fixed }) => {
  const model = fixed ?? randomFlow(dim, architecture, base, 7);
  // Random rows, plus two rows with standardised values beyond the spline tail bounds.
  const { mean, scale } = model.standardization;
  const rows = [...randomRows(model, 64, 11), mean.map((m, j) => m + scale[j]! * (j % 2 ? -4.2 : 3.6)), mean.map((m, j) => m + scale[j]! * (j % 2 ? 2.9 : -5))];
  let flow: TfFlow;
  beforeAll(() => {
    flow = new TfFlow(model);
  });
  afterAll(() => flow.dispose());

  it('logProb matches the float64 reference within 1e-4 relative', () => {
    const expected = rows.map((row) => logProb(model, row));
    const actual = tf.tidy(() => flow.logProb(tf.tensor2d(rows)).dataSync());
    expect(maxRelativeError(actual, expected)).toBeLessThan(1e-4);
    // The model must not be near the identity, or the comparison would prove little.
    const identity = rows.map((row) => logProb({ ...model, layers: [] }, row));
    expect(maxRelativeError(identity, expected)).toBeGreaterThan(0.05);
  });

  it('score (tf.grad) matches the float64 analytic score within 1e-3 of the row norm', () => {
    const actual = tf.tidy(() => flow.score(tf.tensor2d(rows)).arraySync());
    rows.forEach((row, i) => {
      const expected = score(model, row);
      const norm = Math.max(1, Math.hypot(...expected));
      const error = Math.hypot(...expected.map((e, j) => actual[i]![j]! - e));
      expect(error / norm).toBeLessThan(1e-3);
    });
  });

  it('toModel round-trips the weights exactly and does not leak tensors', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => flow.logProb(tf.tensor2d(rows))).dispose();
    tf.tidy(() => flow.score(tf.tensor2d(rows))).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(flow.toModel()).toEqual(model);
  });
});

it('rejects couplings whose index sets do not partition the inputs', () => {
  const model = randomFlow(4, { layers: 2, hidden: 4, depth: 1 }, normalBase, 1);
  model.layers[1]!.transformed = [0, 0];
  expect(() => new TfFlow(model)).toThrow(/partition/);
});
