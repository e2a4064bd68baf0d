import { fitClassificationReference, calibratedPrediction, type ClassificationReference } from '../../../src/core/predictions/classification-reference.js';
import { evaluatePredictions } from '../../../src/core/predictions/evaluate-predictions.js';
import { createTask, sample, uniform, dirichlet, type ClassificationTask } from '../../../src/demo/classification.js';
import type { PredictionSummary } from '../../../src/core/window/summary.js';
import type { Row } from '../../../src/core/reference/readers.js';

let task: ClassificationTask;
let ref: ClassificationReference;

beforeAll(() => {
  task = createTask({ classes: 5, dims: 8, seed: 3 });
  const s = sample(task, 6000, uniform(5), 0, 11);
  const rows: Row[] = s.probs.map((p, i) => Object.fromEntries([...p.map((v, k) => [`prob_${k}`, v]), ['label', s.labels[i]!], ['x0', s.x[i]![0]!]]));
  ref = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: 1000, seed: 1 })!;
});

function window(prior: number[], noise: number, seed: number, n = 2000) {
  const s = sample(task, n, prior, noise, seed);
  const summary: PredictionSummary = { classes: 5, n, missing: 0, probs: s.probs.flatMap((p) => calibratedPrediction(ref, { probs: p }) as number[]) };
  const accuracy = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / n;
  const truePrior = [0, 1, 2, 3, 4].map((k) => s.labels.filter((y) => y === k).length / n);
  return { summary, accuracy, truePrior };
}

describe('predictions: calibration, accuracy without labels, label shift', () => {
  it('fits a calibration that fixes the deliberate over-confidence', () => {
    expect(ref.calibration.kind).toBe('bcts');
    expect(ref.calibration.T).toBeGreaterThan(1.3);
    expect(ref.sourcePrior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('with no shift: class proportions near the source, accuracy estimates near the truth, test quiet', () => {
    const w = window(uniform(5), 0, 21);
    const e = evaluatePredictions(ref, w.summary, 'mlls')!;
    const mae = e.classProportions.estimate.reduce((s, q, k) => s + Math.abs(q - w.truePrior[k]!), 0) / 5;
    expect(mae).toBeLessThan(0.02);
    expect(Math.abs(e.accuracy['atc-ne']!.estimate - w.accuracy)).toBeLessThan(0.03);
    expect(e.labelShiftTest.pValue).toBeGreaterThan(0.001);
  });

  it('under pure label shift: MLLS recovers the class mix, ATC tracks accuracy, the test fires', () => {
    const prior = dirichlet(5, 1, 77);
    const w = window(prior, 0, 22);
    const e = evaluatePredictions(ref, w.summary, 'mlls')!;
    const mae = e.classProportions.estimate.reduce((s, q, k) => s + Math.abs(q - w.truePrior[k]!), 0) / 5;
    expect(mae).toBeLessThan(0.03);
    expect(e.labelShiftTest.pValue).toBeLessThan(1e-6);
    expect(Math.abs(e.accuracy['label-shift']!.estimate - w.accuracy)).toBeLessThan(0.04);
    for (const name of ['atc-ne', 'atc-mc', 'ac', 'doc'] as const) {
      const a = e.accuracy[name]!;
      expect(a.lower).toBeLessThanOrEqual(a.estimate);
      expect(a.upper).toBeGreaterThanOrEqual(a.estimate);
    }
  });

  it('BBSE and RLLS give valid proportions too', () => {
    const w = window(dirichlet(5, 1, 78), 0, 23);
    for (const method of ['bbse', 'rlls'] as const) {
      const e = evaluatePredictions(ref, w.summary, method)!;
      expect(e.classProportions.estimate.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(e.classProportions.estimate.every((q) => q >= 0)).toBe(true);
    }
  });

  it('rejects predictions of the wrong length', () => {
    expect(calibratedPrediction(ref, { probs: [0.5, 0.5] })).toMatch(/has 2 values, the model has 5 classes/);
    expect(calibratedPrediction(ref, undefined)).toBeUndefined();
  });
});
