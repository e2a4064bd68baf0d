import { fitClassificationReference } from '../../../src/core/predictions/classification-fit.js';
import { calibratedPrediction, type ClassificationReference } from '../../../src/core/predictions/classification-reference.js';
import { estimateClassShares, DEFAULT_CLASS_SHARES } from '../../../src/core/predictions/class-shares.js';
import { labelFreeAccuracy } from '../../../src/core/predictions/accuracy-estimates.js';
import { createTask, sample, uniform, dirichlet, type ClassificationTask } from '../../../src/demo/classification.js';
import type { Row } from '../../../src/core/reference/row.js';
import type { ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import type { LabelShiftDetails } from '../../../src/core/detectors/prediction-details.js';
import { syntheticBundle } from '../../support/fixtures.js';
import { detector, predictionWindow, run } from './detector-harness.js';

let task: ClassificationTask;
let ref: ClassificationReference;
let bundle: ReferenceBundle;

beforeAll(() => {
  task = createTask({ classes: 5, dims: 8, seed: 3 });
  const s = sample(task, 6000, uniform(5), 0, 11);
  const rows: Row[] = s.probs.map((p, i) => Object.fromEntries([...p.map((v, k) => [`prob_${k}`, v]), ['label', s.labels[i]!], ['x0', s.x[i]![0]!]]));
  ref = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: 1000, seed: 1 })!;
  bundle = { ...syntheticBundle('m', { rows: 2000, windowSize: 1000, replicates: 20 }), predictions: ref };
});

function window(prior: number[], noise: number, seed: number, n = 2000) {
  const s = sample(task, n, prior, noise, seed);
  const probs = s.probs.map((p) => calibratedPrediction(ref, { probs: p }) as number[]);
  const accuracy = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / n;
  const truePrior = [0, 1, 2, 3, 4].map((k) => s.labels.filter((y) => y === k).length / n);
  return { probs, accuracy, truePrior };
}

const dense = (probs: readonly number[][]) => ({ rows: probs.length, cols: 5, data: Float64Array.from(probs.flat()) });
const mae = (q: readonly number[], truth: readonly number[]) => q.reduce((s, v, k) => s + Math.abs(v - truth[k]!), 0) / q.length;

describe('predictions: calibration, accuracy without labels, label shift', () => {
  it('fits a calibration that fixes the deliberate over-confidence, and time-ordered nulls', () => {
    expect(ref.calibration.kind).toBe('bcts');
    expect(ref.calibration.T).toBeGreaterThan(1.3);
    expect(ref.sourcePrior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(ref.nulls?.chunks).toBe(6);
    expect(ref.nulls?.halfWidth['atc-ne']).toBeGreaterThan(0);
  });

  it('with no shift: class proportions near the source, accuracy near the truth, the detector quiet', async () => {
    const w = window(uniform(5), 0, 21);
    const r = estimateClassShares(ref, dense(w.probs), DEFAULT_CLASS_SHARES, 1);
    expect(mae(r.shares.estimate, w.truePrior)).toBeLessThan(0.02);
    const acc = labelFreeAccuracy(ref, w.probs, r.shares.estimate);
    expect(Math.abs(acc.estimates['atc-ne']!.estimate - w.accuracy)).toBeLessThan(0.03);
    const d = detector('label-shift', { name: 'm', bundle });
    const { result } = await run(d, d.initialState(), predictionWindow(bundle, 1, w.probs));
    expect(result.pValue).toBeGreaterThan(0.001);
    expect(result.flagged).toBe(false);
  });

  it('under pure label shift: MAP-EM recovers the class mix, the implied accuracy tracks it, the detector flags', async () => {
    const w = window(dirichlet(5, 1, 77), 0, 22);
    const r = estimateClassShares(ref, dense(w.probs), DEFAULT_CLASS_SHARES, 1);
    expect(mae(r.shares.estimate, w.truePrior)).toBeLessThan(0.03);
    for (let k = 0; k < 5; k++) {
      expect(r.shares.lower[k]).toBeLessThanOrEqual(r.shares.estimate[k]!);
      expect(r.shares.upper[k]).toBeGreaterThanOrEqual(r.shares.estimate[k]!);
    }
    expect(Math.abs(labelFreeAccuracy(ref, w.probs, r.shares.estimate).estimates['label-shift']!.estimate - w.accuracy)).toBeLessThan(0.04);
    const d = detector('label-shift', { name: 'm', bundle });
    const { result } = await run(d, d.initialState(), predictionWindow(bundle, 1, w.probs));
    expect(result.pValue).toBeLessThan(1e-3);
    expect(result.flagged).toBe(true);
    expect((result.details as LabelShiftDetails).test.timeOrdered).toBe(true);
  });

  it('the prior keeps small windows off the corners of the simplex where plain MLLS runs to them', () => {
    let mleCorners = 0;
    let mapCorners = 0;
    for (let seed = 0; seed < 30; seed++) {
      const w = window([0.4, 0.3, 0.2, 0.07, 0.03], 0, 500 + seed, 150);
      const corner = (q: number[]) => q.some((v) => v < 0.01 || v > 0.99);
      if (corner(estimateClassShares(ref, dense(w.probs), { ...DEFAULT_CLASS_SHARES, priorRowsPerClass: 0, bootstrap: 0 }, seed).shares.estimate)) mleCorners++;
      if (corner(estimateClassShares(ref, dense(w.probs), { ...DEFAULT_CLASS_SHARES, bootstrap: 0 }, seed).shares.estimate)) mapCorners++;
    }
    expect(mleCorners).toBeGreaterThan(3);
    expect(mapCorners).toBe(0);
  });

  it('the bootstrap interval is reproducible per window and covers the truth most of the time', () => {
    let covered = 0;
    let total = 0;
    for (let seed = 0; seed < 10; seed++) {
      const w = window(dirichlet(5, 2, 900 + seed), 0, 600 + seed, 1000);
      const a = estimateClassShares(ref, dense(w.probs), DEFAULT_CLASS_SHARES, seed);
      expect(estimateClassShares(ref, dense(w.probs), DEFAULT_CLASS_SHARES, seed).shares).toEqual(a.shares);
      a.shares.estimate.forEach((_, k) => {
        total++;
        if (w.truePrior[k]! >= a.shares.lower[k]! && w.truePrior[k]! <= a.shares.upper[k]!) covered++;
      });
    }
    expect(covered / total).toBeGreaterThan(0.8);
  });

  it('BBSE and RLLS give valid proportions too', () => {
    const w = window(dirichlet(5, 1, 78), 0, 23);
    for (const method of ['bbse', 'rlls'] as const) {
      const q = estimateClassShares(ref, dense(w.probs), { ...DEFAULT_CLASS_SHARES, method }, 1).shares.estimate;
      expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(q.every((v) => v >= 0)).toBe(true);
    }
  });

  it('rejects predictions of the wrong length', () => {
    expect(calibratedPrediction(ref, { probs: [0.5, 0.5] })).toMatch(/has 2 values, the model has 5 classes/);
    expect(calibratedPrediction(ref, undefined)).toBeUndefined();
  });
});
