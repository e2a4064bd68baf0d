/**
 * Intervals that depend on the reference widen when the reference is small: ATC's threshold
 * bootstrap, DoC's source variance and the recall term of the label-shift accuracy. Same model,
 * same window; only the labelled reference's size differs.
 */
import { fitClassificationReference } from '../../../src/core/predictions/classification-fit.js';
import { calibratedPrediction } from '../../../src/core/predictions/classification-reference.js';
import { labelFreeAccuracy } from '../../../src/core/predictions/accuracy-estimates.js';
import type { Row } from '../../../src/core/reference/row.js';
import { createTask, sample } from '../../../src/demo/classification.js';

const task = createTask({ classes: 3, dims: 4, seed: 5, separation: 0.9 });
const PRIOR = [0.3, 0.5, 0.2];

function widths(referenceRows: number) {
  const s = sample(task, referenceRows, PRIOR, 0, 21);
  const rows: Row[] = s.probs.map((p, i) => ({ prob_0: p[0]!, prob_1: p[1]!, prob_2: p[2]!, label: s.labels[i]! }));
  const ref = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: 500, seed: 1, minimums: { atcRows: 200, atcErrors: 5 } })!;
  const w = sample(task, 1000, PRIOR, 0, 22);
  const probs = w.probs.map((p) => calibratedPrediction(ref, { probs: p }) as number[]);
  const e = labelFreeAccuracy(ref, probs, PRIOR);
  return Object.fromEntries(Object.entries(e.estimates).map(([name, est]) => [name, { width: est.sampling.upper - est.sampling.lower, kind: est.sampling.kind }]));
}

describe('accuracy intervals on a 220-row reference', () => {
  it('are wider than on a 5,000-row reference for every estimator whose error depends on the reference', () => {
    const small = widths(220);
    const large = widths(5000);
    expect(small['atc-ne']!.kind).toBe('bootstrap');
    for (const name of ['atc-ne', 'atc-mc', 'doc', 'label-shift']) {
      expect([name, small[name]!.width > 1.5 * large[name]!.width]).toEqual([name, true]);
    }
    // AC reads only the window: the reference's size does not enter its interval.
    expect(small.ac!.width).toBeCloseTo(large.ac!.width, 2);
  });
});
