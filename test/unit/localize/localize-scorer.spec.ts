/**
 * The serve path end to end: ONNX against the float64 flow maths, fit → JSON bundle → localizer,
 * type I error over clean windows (Gaussian and flow methods), detection and ranking of a
 * marginal-preserving shuffle, categorical features, onset tracking.
 */
import type { FlowModel } from '../../../src/core/flow/flow-spec.js';
import { createOnsetState } from '../../../src/core/localize/localize.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { createLatentPasses, FeatureLocalizer, fitFeatureLocalization, scoreDifferenceRows } from '../../../src/flow/localize-scorer.js';
import { addPoints, createLatentStats } from '../../../src/core/localize/latent-stats.js';
import { randomFlow } from '../flow/random-flow.js';
import { OnnxFlowScorer } from '../../../src/flow/onnx/onnx-scorer.js';

/** Rows of a correlated Gaussian in d = 5: x = L e, a chain-like dependence (feature j leans on j − 1). */
function gaussianRows(n: number, random: () => number): Float32Array {
  const normal = gaussian(random);
  const d = 5;
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let prev = 0;
    for (let j = 0; j < d; j++) {
      const v = 0.8 * prev + 0.6 * normal();
      out[r * d + j] = 10 * j + (j + 1) * v; // different units per feature
      prev = v;
    }
  }
  return out;
}

function shuffleColumn(rows: Float32Array, n: number, d: number, j: number, random: () => number): void {
  for (let i = n - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    const t = rows[i * d + j]!;
    rows[i * d + j] = rows[k * d + j]!;
    rows[k * d + j] = t;
  }
}

/** Binomial 3σ band around the target rate. */
const band = (alpha: number, n: number) => 3 * Math.sqrt((alpha * (1 - alpha)) / n);

describe('Gaussian method (no flow)', () => {
  const d = 5;
  const W = 200;
  const random = seededRandom(42);
  const reference = gaussianRows(3000, random);
  const holdout = gaussianRows(2000, random);
  const features = ['a', 'b', 'c', 'd', 'e'];
  let localizer: FeatureLocalizer;

  beforeAll(async () => {
    const bundle = await fitFeatureLocalization({ features, reference: { rows: reference, n: 3000 }, holdout: { rows: holdout, n: 2000 }, windowSizes: [W], replicates: 1000, alpha: 0.1, seed: 1 });
    expect(bundle.method).toBe('gaussian');
    localizer = await FeatureLocalizer.create(JSON.parse(JSON.stringify(bundle)));
  });

  it('type I error over 400 clean windows: per-feature rate and window-level BH rate within binomial error of α', async () => {
    const windows = 400;
    const alpha = 0.1;
    let detections = 0;
    const perFeature = new Array<number>(d).fill(0);
    for (let w = 0; w < windows; w++) {
      const r = await localizer.testWindow(gaussianRows(W, random), W, { alpha });
      if (r.detected) detections++;
      for (const f of r.ranked) if (f.pValue <= alpha) perFeature[features.indexOf(f.feature)]!++;
    }
    const tol = band(alpha, windows);
    for (const count of perFeature) expect(Math.abs(count / windows - alpha)).toBeLessThanOrEqual(tol);
    // BH's window-level false alarm rate is ≤ α under the global null (≈ α here: one strong feature decides).
    expect(detections / windows).toBeLessThanOrEqual(alpha + tol);
    expect(detections / windows).toBeGreaterThan(alpha / 3);
  });

  it('detects a marginal-preserving shuffle of one column and ranks that feature first', async () => {
    let first = 0;
    for (let w = 0; w < 20; w++) {
      const rows = gaussianRows(W, random);
      shuffleColumn(rows, W, d, 2, random);
      const r = await localizer.testWindow(rows, W);
      if (r.detected && r.ranked[0]!.feature === 'c') first++;
    }
    expect(first).toBeGreaterThanOrEqual(18);
  });
});

/**
 * A random affine flow (test/unit/flow/random-flow.ts) over the chain data of `gaussianRows`, its
 * standardisation set to the data's. It is not trained: the latent-Gaussian statistic only needs f
 * to be a fixed smooth bijection for its two-sample null to be valid. How well it localises depends
 * on f being a sensible density model, so the detection test uses a mild, nearly affine f (output
 * layers spread 0.1); a wild random f (spread ≥ 0.4) sends shuffled rows far out in z, where the
 * Jacobian rather than the shift decides the ranking. Trained flows: see bench `localize`.
 */
function chainFlow(spread: number): FlowModel {
  const model = randomFlow({ kind: 'affine', activation: 'tanh', dim: 5, seed: 5, spread });
  model.standardization = {
    features: ['a', 'b', 'c', 'd', 'e'],
    mean: [0, 10, 20, 30, 40],
    scale: [0.6, 1.5, 2.4, 3.3, 4.2],
  };
  return model;
}

describe('flow method (ONNX Runtime)', () => {
  const model = chainFlow(0.1);
  const features = model.standardization.features;
  const d = 5;
  const random = seededRandom(7);

  it('ONNX and the float64 flow maths give the same g rows and S', async () => {
    const model = chainFlow(0.4);
    const n = 300;
    const rows = gaussianRows(n, random);
    const onnx = await createLatentPasses(model, 'onnx');
    const f64 = await createLatentPasses(model, 'float64');
    expect(onnx.backend).toBe('onnx');
    const z = await f64.latent(rows, n);
    const zOnnx = await onnx.latent(rows, n);
    z.forEach((v, i) => expect(Math.abs(v - zOnnx[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    const stats = createLatentStats(d);
    addPoints(stats, z, n);
    const reference = { kind: 'base' as const, base: model.base };
    const a = await scoreDifferenceRows(f64, rows, z, n, stats, reference);
    const b = await scoreDifferenceRows(onnx, rows, z, n, stats, reference);
    let num = 0;
    let den = 0;
    a.forEach((v, i) => {
      num += (v - b[i]!) ** 2;
      den += v * v;
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
    await onnx.release();
  });

  it('type I error over 250 clean windows within binomial error; a shuffled column is found', async () => {
    const W = 100;
    const alpha = 0.1;
    const bundle = await fitFeatureLocalization({
      features,
      flow: model,
      reference: { rows: gaussianRows(2000, random), n: 2000 },
      holdout: { rows: gaussianRows(1000, random), n: 1000 },
      windowSizes: [W, 400],
      replicates: 400,
      alpha,
      seed: 3,
    });
    expect(bundle.fit.backend).toBe('onnx');
    expect(bundle.nulls.map((n) => n.windowSize)).toEqual([100, 400]);
    const localizer = await FeatureLocalizer.create(JSON.parse(JSON.stringify(bundle)), model);
    try {
      const windows = 250;
      let below = 0;
      let detections = 0;
      for (let w = 0; w < windows; w++) {
        const r = await localizer.testWindow(gaussianRows(W, random), W);
        if (r.detected) detections++;
        if (r.ranked.find((f) => f.feature === features[1])!.pValue <= alpha) below++;
      }
      const tol = band(alpha, windows);
      expect(Math.abs(below / windows - alpha)).toBeLessThanOrEqual(tol);
      expect(detections / windows).toBeLessThanOrEqual(alpha + tol);

      let first = 0;
      for (let w = 0; w < 10; w++) {
        const rows = gaussianRows(400, random);
        shuffleColumn(rows, 400, d, 2, random);
        const r = await localizer.testWindow(rows, 400);
        expect(r.nullWindowSize).toBe(400);
        if (r.detected && r.ranked[0]!.feature === features[2]) first++;
      }
      expect(first).toBeGreaterThanOrEqual(8);
    } finally {
      await localizer.release();
    }
  });
});

describe('latent points handed over by the log p pass', () => {
  it('give the statistics of the localizer\'s own latent pass; a wrong size or a Gaussian localizer is refused', async () => {
    const model = chainFlow(0.3);
    const random = seededRandom(5);
    const fit = { features: model.standardization.features, holdout: { rows: gaussianRows(600, random), n: 600 }, windowSizes: [200], replicates: 50, seed: 2 };
    const localizer = await FeatureLocalizer.create(await fitFeatureLocalization({ ...fit, flow: model }), model);
    const scorer = await OnnxFlowScorer.create(model, { outputs: 'logp+latent' });
    const rows = gaussianRows(200, random);
    const { latent } = await scorer.logProbAndLatent(rows, 200);
    await scorer.release();
    const own = await localizer.statistics(rows, 200);
    const handed = await localizer.statistics(rows, 200, {}, latent!);
    handed.statistics.forEach((s, j) => expect(Math.abs(s - own.statistics[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(own.statistics[j]!))));
    expect(Math.max(...own.statistics)).toBeGreaterThan(0);
    await expect(localizer.statistics(rows, 200, {}, latent!.subarray(0, 10))).rejects.toThrow(RangeError);
    await localizer.release();
    const gaussianLocalizer = await FeatureLocalizer.create(await fitFeatureLocalization(fit));
    await expect(gaussianLocalizer.testWindow(rows, 200, { latent: latent! })).rejects.toThrow(/does not use the flow/);
  });
});

describe('categorical features and onset tracking', () => {
  it('flags a shuffled categorical column as a conditional shift, and reports when the run began', async () => {
    const random = seededRandom(11);
    const d = 5;
    const label = (rows: Float32Array, n: number): string[] =>
      Array.from({ length: n }, (_, r) => {
        const v = rows[r * d + 1]! - 10 + 0.5 * gaussian(random)();
        return v < -1 ? 'low' : v < 1 ? 'mid' : 'high';
      });
    const reference = gaussianRows(3000, random);
    const holdout = gaussianRows(2000, random);
    const bundle = await fitFeatureLocalization({
      features: ['a', 'b', 'c', 'd', 'e'],
      reference: { rows: reference, n: 3000 },
      holdout: { rows: holdout, n: 2000 },
      categorical: [{ feature: 'tier', reference: label(reference, 3000), holdout: label(holdout, 2000) }],
      windowSizes: [300],
      replicates: 500,
      seed: 2,
    });
    expect(bundle.categorical.map((m) => m.feature)).toEqual(['tier']);
    const localizer = await FeatureLocalizer.create(bundle);
    const onset = { state: createOnsetState(), windowId: '' };
    const since: (string | null)[] = [];
    for (let w = 0; w < 4; w++) {
      const rows = gaussianRows(300, random);
      const tier = label(rows, 300);
      if (w >= 2) {
        for (let i = tier.length - 1; i > 0; i--) {
          const k = Math.floor(random() * (i + 1));
          [tier[i], tier[k]] = [tier[k]!, tier[i]!];
        }
      }
      onset.windowId = `w${w}`;
      const r = await localizer.testWindow(rows, 300, { categories: { tier }, marginalPValues: { tier: 0.5 }, onset });
      const finding = r.ranked.find((f) => f.feature === 'tier')!;
      expect(finding.kind).toBe('categorical');
      if (w >= 2) {
        expect(finding.flagged).toBe('conditional');
        expect(r.ranked[0]!.feature).toBe('tier');
      }
      since.push(r.onset!.detectedSince);
    }
    expect(since.slice(2)).toEqual(['w2', 'w2']);
    await localizer.release();
  });
});
