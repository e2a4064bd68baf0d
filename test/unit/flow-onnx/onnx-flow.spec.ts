/**
 * The ONNX export, run in ONNX Runtime (CPU, float32), against the float64 reference maths
 * (src/core/flow/flow-math.ts): log p, the score ∇x log p, the latent point and the VJP.
 */
import { initFlow, type FlowArchitecture } from '../../../src/core/flow/init-flow.js';
import type { Activation, BaseDistribution, FlowModel } from '../../../src/core/flow/flow-spec.js';
import { latent, logProb, score, vjp } from '../../../src/core/flow/flow-math.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { exportFlow } from '../../../src/flow/onnx/export-flow.js';
import { OnnxFlowScorer, OnnxFlowUnsupportedError } from '../../../src/flow/onnx/onnx-scorer.js';

interface Case {
  dim: number;
  activation: Activation;
  base: BaseDistribution;
  hidden: number;
  layers: number;
  seed: number;
  /** Shuffle each layer's identity/transformed columns instead of the checkerboard. */
  scrambled?: boolean;
  /** Standardisation means far from zero (exercises the split float32 mean). */
  farMean?: boolean;
}

/** initFlow's identity flow with seeded, non-trivial output layers and hidden biases. */
function perturbedFlow(c: Case): FlowModel {
  const architecture: FlowArchitecture = {
    kind: 'affine',
    layers: c.layers,
    hidden: c.hidden,
    depth: 2,
    activation: c.activation,
    scaleBound: 2.5,
    bins: 8,
    tailBound: 3,
  };
  const random = seededRandom(c.seed * 7 + 3);
  const standardization = {
    features: Array.from({ length: c.dim }, (_, j) => `x${j}`),
    mean: Array.from({ length: c.dim }, (_, j) => (c.farMean ? 12345.678 * (j + 1) : 4 * random() - 2)),
    scale: Array.from({ length: c.dim }, () => 0.3 + 3 * random()),
  };
  const model = initFlow(standardization, architecture, c.base, c.seed);
  const normal = gaussian(seededRandom(c.seed + 99));
  for (const layer of model.layers) {
    const { output, hidden } = layer.conditioner;
    const spread = 0.8 / Math.sqrt(output.inputs);
    output.weights = output.weights.map(() => Math.fround(spread * normal()));
    output.bias = output.bias.map(() => Math.fround(0.4 * normal()));
    for (const dense of hidden) dense.bias = dense.bias.map(() => Math.fround(0.2 * normal()));
    if (c.scrambled) {
      // Same sizes (the conditioner's shapes depend on them), random columns and order.
      const order = shuffle(Array.from({ length: c.dim }, (_, j) => j), random);
      layer.transformed = order.slice(layer.identity.length);
      layer.identity = order.slice(0, layer.identity.length);
    }
  }
  return model;
}

function shuffle(values: number[], random: () => number): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

/** `bulk` rows around the standardisation's centre, then `tails` rows with about half their coordinates far out (5 ≤ |u| ≤ 20). */
function rows(model: FlowModel, bulk: number, tails: number, seed: number): Float32Array {
  const { mean, scale } = model.standardization;
  const d = model.dim;
  const normal = gaussian(seededRandom(seed));
  const random = seededRandom(seed + 1);
  const out = new Float32Array((bulk + tails) * d);
  for (let r = 0; r < bulk + tails; r++) {
    for (let j = 0; j < d; j++) {
      let u = normal();
      if (r >= bulk && random() < 0.5) u = (random() < 0.5 ? -1 : 1) * (5 + 15 * random());
      out[r * d + j] = mean[j]! + scale[j]! * u;
    }
  }
  return out;
}

const row = (values: Float32Array, r: number, d: number) => Float64Array.from(values.subarray(r * d, (r + 1) * d));

/**
 * Worst entry of |a − b| / (abs + rel·|b| + rel/10·max|b|); ≤ 1 means within tolerance. The last
 * term: a float32 reverse pass gets small components by cancelling large terms, so their error
 * scales with the row's largest component rather than with their own size.
 */
function worst(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number): number {
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i]!));
  let w = 0;
  for (let i = 0; i < expected.length; i++) {
    w = Math.max(w, Math.abs(actual[i]! - expected[i]!) / (abs + rel * Math.abs(expected[i]!) + (rel / 10) * largest));
  }
  return w;
}

const studentT = (d: number): BaseDistribution => ({
  kind: 'student-t',
  dof: Array.from({ length: d }, (_, j) => (j % 3 === 1 ? null : [2.5, 4, 9, 1.3][j % 4]!)),
});

const cases: Case[] = [
  { dim: 5, activation: 'tanh', base: { kind: 'normal' }, hidden: 16, layers: 4, seed: 1 },
  { dim: 5, activation: 'relu', base: studentT(5), hidden: 16, layers: 4, seed: 2 },
  { dim: 5, activation: 'tanh', base: studentT(5), hidden: 12, layers: 5, seed: 3, scrambled: true },
  { dim: 5, activation: 'relu', base: { kind: 'normal' }, hidden: 12, layers: 3, seed: 4, scrambled: true, farMean: true },
  { dim: 32, activation: 'tanh', base: studentT(32), hidden: 24, layers: 6, seed: 5 },
  { dim: 32, activation: 'relu', base: { kind: 'normal' }, hidden: 24, layers: 6, seed: 6 },
];

const BULK = 40;
const TAILS = 24;

describe.each(cases)('ONNX flow vs float64 reference: d=$dim $activation $base.kind seed $seed', (c) => {
  const model = perturbedFlow(c);
  const d = c.dim;
  const x = rows(model, BULK, TAILS, 100 + c.seed);
  const n = BULK + TAILS;
  // A micro-batch that does not divide n, so the batches are stitched together.
  const batchSize = 17;

  it('log p and score', async () => {
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'logp+score', batchSize });
    expect(scorer.executionProvider).toBe('cpu');
    expect(scorer.backend).toBe('cpu');
    const { logp, score: g } = await scorer.logProbAndScore(x, n);
    const alone = await scorer.logProb(x, n);
    await scorer.release();
    const logpOnly = await OnnxFlowScorer.create(model, { outputs: 'logp' });
    const fast = await logpOnly.logProb(x, n);
    await logpOnly.release();

    for (let r = 0; r < n; r++) {
      const xr = row(x, r, d);
      const expected = logProb(model, xr);
      expect(Number.isFinite(logp[r])).toBe(true);
      expect(Math.abs(logp[r]! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      expect(Math.abs(fast[r]! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      expect(alone[r]).toBe(logp[r]);
      const expectedScore = score(model, xr);
      expect(worst(g.subarray(r * d, (r + 1) * d), expectedScore, 1e-3, 1e-4)).toBeLessThanOrEqual(1);
    }
  });

  it('log p and latent from one pass', async () => {
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'logp+latent', batchSize });
    const { logp, latent: z } = await scorer.logProbAndLatent(x, n);
    const alone = await scorer.logProb(x, n);
    await scorer.release();
    for (let r = 0; r < n; r++) {
      const xr = row(x, r, d);
      const expected = logProb(model, xr);
      expect(Math.abs(logp[r]! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      expect(alone[r]).toBe(logp[r]);
      expect(worst(z!.subarray(r * d, (r + 1) * d), latent(model, xr), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    }
  });

  it('latent and VJP', async () => {
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'latent+vjp', batchSize });
    const v = Float32Array.from(rows(model, n, 0, 7 + c.seed), (value, i) => (value - model.standardization.mean[i % d]!) / model.standardization.scale[i % d]!);
    const { z, vjp: product } = await scorer.latentAndVjp(x, v, n);
    await scorer.release();
    for (let r = 0; r < n; r++) {
      const xr = row(x, r, d);
      expect(worst(z.subarray(r * d, (r + 1) * d), latent(model, xr), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      expect(worst(product.subarray(r * d, (r + 1) * d), vjp(model, xr, row(v, r, d)), 1e-3, 1e-4)).toBeLessThanOrEqual(1);
    }
  });
});

describe('ONNX flow export: spline couplings (log p and latent only)', () => {
  const splineFlow = (dim: number, seed: number, activation: Activation, base: BaseDistribution) => {
    const random = seededRandom(seed);
    const model = initFlow(
      {
        features: Array.from({ length: dim }, (_, j) => `s${j}`),
        mean: Array.from({ length: dim }, () => 2 * random() - 1),
        scale: Array.from({ length: dim }, () => 0.5 + random()),
      },
      { kind: 'spline', layers: 4, hidden: 16, depth: 2, activation, scaleBound: 3, bins: 6, tailBound: 2.5 },
      base,
      seed,
    );
    const normal = gaussian(seededRandom(seed + 5));
    for (const layer of model.layers) {
      const { output, hidden } = layer.conditioner;
      output.weights = output.weights.map(() => Math.fround((0.8 / Math.sqrt(output.inputs)) * normal()));
      output.bias = output.bias.map(() => Math.fround(0.6 * normal()));
      for (const dense of hidden) dense.bias = dense.bias.map(() => Math.fround(0.2 * normal()));
    }
    return model;
  };

  it.each([
    { dim: 5, activation: 'tanh' as const, base: studentT(5) },
    { dim: 32, activation: 'relu' as const, base: { kind: 'normal' } as BaseDistribution },
  ])('matches the float64 reference: d=$dim $activation', async ({ dim, activation, base }) => {
    const model = splineFlow(dim, 11 + dim, activation, base);
    const x = rows(model, 48, 16, 3 + dim);
    // Inputs exactly on the tail bound and on ±B just outside it, in standardised units.
    const { mean, scale } = model.standardization;
    for (let j = 0; j < dim; j++) {
      x[j] = mean[j]! + scale[j]! * 2.5;
      x[dim + j] = mean[j]! - scale[j]! * 2.5;
    }
    const n = x.length / dim;
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'logp', batchSize: 23 });
    const logp = await scorer.logProb(x, n);
    expect((await scorer.logProbAndLatent(x, n)).latent).toBeNull();
    await scorer.release();
    const onePass = await OnnxFlowScorer.create(model, { outputs: 'logp+latent', batchSize: 23 });
    const withLatent = await onePass.logProbAndLatent(x, n);
    await onePass.release();
    for (let r = 0; r < n; r++) {
      const expected = logProb(model, row(x, r, dim));
      expect(Math.abs(logp[r]! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      expect(Math.abs(withLatent.logp[r]! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      expect(worst(withLatent.latent!.subarray(r * dim, (r + 1) * dim), latent(model, row(x, r, dim)), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    }
  });

  it('declines the score and the VJP', async () => {
    const model = splineFlow(3, 1, 'tanh', { kind: 'normal' });
    for (const outputs of ['logp+score', 'latent+vjp'] as const) {
      expect(exportFlow(model, outputs)).toEqual({ unsupported: 'the score and VJP of spline couplings are not exported' });
      await expect(OnnxFlowScorer.create(model, { outputs })).rejects.toBeInstanceOf(OnnxFlowUnsupportedError);
    }
  });
});

describe('ONNX flow scorer: providers and misuse', () => {
  const standardization = { features: ['a', 'b', 'c'], mean: [0, 0, 0], scale: [1, 1, 1] };

  it('falls back to the CPU provider when CUDA cannot be loaded', async () => {
    const affine = initFlow(standardization, { kind: 'affine', layers: 2, hidden: 4, depth: 1, activation: 'tanh', scaleBound: 3, bins: 4, tailBound: 3 }, { kind: 'normal' }, 1);
    const scorer = await OnnxFlowScorer.create(affine, { outputs: 'logp', executionProviders: ['cuda'] });
    // This machine has no CUDA provider library; where one is installed the session runs on it.
    if (scorer.executionProvider === 'cpu') expect(scorer.providerFallbacks).toEqual([expect.stringMatching(/^cuda: /)]);
    else expect(scorer.executionProvider).toBe('cuda');
    expect((await scorer.logProb(new Float32Array(3), 1))[0]).toBeCloseTo(-1.5 * Math.log(2 * Math.PI), 5);
    await scorer.release();
  });

  it('rejects malformed models and mismatched calls', async () => {
    const affine = initFlow(standardization, { kind: 'affine', layers: 2, hidden: 4, depth: 1, activation: 'relu', scaleBound: 3, bins: 4, tailBound: 3 }, { kind: 'normal' }, 1);
    const broken = structuredClone(affine);
    broken.layers[0]!.transformed = [2];
    expect(() => exportFlow(broken, 'logp')).toThrow(/does not split/);
    const scorer = await OnnxFlowScorer.create(affine, { outputs: 'logp' });
    await expect(scorer.logProbAndScore(new Float32Array(3), 1)).rejects.toThrow(/not 'logp\+score'/);
    await expect(scorer.logProb(new Float32Array(2), 1)).rejects.toThrow(RangeError);
    // The identity flow: log p is the standard normal density.
    const logp = await scorer.logProb(Float32Array.from([0, 0, 0, 1, 2, 3]), 2);
    expect(logp[0]).toBeCloseTo(-1.5 * Math.log(2 * Math.PI), 5);
    expect(logp[1]).toBeCloseTo(-1.5 * Math.log(2 * Math.PI) - 7, 5);
    expect((await scorer.logProb(new Float32Array(0), 0)).length).toBe(0);
    await scorer.release();
    await expect(scorer.logProb(new Float32Array(3), 1)).rejects.toThrow(/after release/);
  });
});
