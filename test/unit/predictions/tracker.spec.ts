import { fitClassificationReference, calibratedPrediction } from '../../../src/core/predictions/classification-reference.js';
import { PredictionTracker, type RealizedReport } from '../../../src/core/pipeline/prediction-tracker.js';
import { driftParams } from '../../../src/core/detect/drift-state.js';
import { createTask, sample, uniform } from '../../../src/demo/classification.js';
import type { Row } from '../../../src/core/reference/readers.js';

describe('prediction tracker', () => {
  const task = createTask({ classes: 3, dims: 4, seed: 8 });
  const src = sample(task, 4000, uniform(3), 0, 1);
  const rows: Row[] = src.probs.map((p, i) => Object.fromEntries([...p.map((v, k) => [`prob_${k}`, v]), ['label', src.labels[i]!]]));
  const ref = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: 300, seed: 1 })!;
  const params = driftParams({ k: 0.5, expectedRunTimeWindows: 1000, alpha: 0.05, cooldownWindows: 0 });

  it('switches to split-conformal intervals once 19 windows have realized accuracy', () => {
    const tracker = new PredictionTracker('m', ref, { headline: 'atc-ne', method: 'mlls', labels: { ttlMs: 1e9, maxEntries: 1e6, minLabeled: 300 } }, params);
    const kinds: string[] = [];
    for (let w = 1; w <= 21; w++) {
      const s = sample(task, 300, uniform(3), 0, 100 + w);
      const probs = s.probs.map((p) => calibratedPrediction(ref, { probs: p }) as number[]);
      probs.forEach((p, i) => tracker.recordPrediction(`w${w}-${i}`, w, p, 0));
      const { evaluation } = tracker.closeWindow({ id: `win${w}`, serial: w, start: 0, end: 0 }, { classes: 3, n: 300, missing: 0, probs: probs.flat() });
      kinds.push(evaluation!.accuracy['atc-ne']!.interval);
      let report: RealizedReport | undefined;
      s.labels.forEach((y, i) => (report = tracker.addLabel(`w${w}-${i}`, y, 1).report ?? report));
      const truth = s.labels.filter((y, i) => s.logits[i]!.indexOf(Math.max(...s.logits[i]!)) === y).length / 300;
      expect(report!.accuracy).toBe(truth);
    }
    expect(kinds.slice(0, 19).every((k) => k !== 'conformal')).toBe(true);
    expect(kinds.slice(19)).toEqual(['conformal', 'conformal']);
  });

  it('fires the accuracy-floor detector only when the whole interval is below the floor', () => {
    const tracker = new PredictionTracker('m', ref, { headline: 'atc-ne', floor: 0.99, method: 'mlls', labels: { ttlMs: 1e9, maxEntries: 1e6, minLabeled: 100 } }, params);
    const s = sample(task, 300, uniform(3), 0, 5);
    const probs = s.probs.map((p) => calibratedPrediction(ref, { probs: p }) as number[]);
    const { alerts, evaluation } = tracker.closeWindow({ id: 'w1', serial: 1, start: 0, end: 0 }, { classes: 3, n: 300, missing: 0, probs: probs.flat() });
    expect(evaluation!.accuracy['atc-ne']!.upper).toBeLessThan(0.99);
    expect(alerts.filter((a) => a.detector === 'accuracy-floor').map((a) => a.status)).toEqual(['firing']);
    const lenient = new PredictionTracker('m', ref, { headline: 'atc-ne', floor: 0.3, method: 'mlls', labels: { ttlMs: 1e9, maxEntries: 1e6, minLabeled: 100 } }, params);
    expect(lenient.closeWindow({ id: 'w1', serial: 1, start: 0, end: 0 }, { classes: 3, n: 300, missing: 0, probs: probs.flat() }).alerts.filter((a) => a.detector === 'accuracy-floor')).toEqual([]);
  });
});
