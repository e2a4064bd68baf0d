import {
  atcEstimate,
  atcFromCounts,
  atcSummary,
  atcThresholdFromScores,
  fitAtc,
  fitAtcVariant,
  mergeAtcSummaries,
} from '../../../src/core/accuracy/atc.js';

// Spec Appendix A.1.
const A1_SCORES = [0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.6, 0.55, 0.5, 0.4];
const A1_CORRECT = [1, 1, 1, 0, 1, 1, 0, 1, 0, 0].map((c) => c === 1);
const A1_TARGET = [0.9, 0.7, 0.58, 0.57, 0.3];
const SMALL = { minRows: 1, minErrors: 0, minCorrect: 0 };

describe('fitAtc on the spec vector (A.1)', () => {
  const fit = fitAtc(A1_SCORES, A1_CORRECT, SMALL);

  it('takes the (e+1)-th smallest score as the threshold', () => {
    expect(fit).toEqual({ threshold: 0.65, tieWeight: 1, sourceAccuracy: 0.6, errors: 4, n: 10 });
  });

  it('reproduces the source accuracy on the source and predicts 0.4 on the target', () => {
    expect(atcEstimate(A1_SCORES, fit)).toBe(0.6);
    expect(atcEstimate(A1_TARGET, fit)).toBe(0.4);
  });

  it('does not reproduce the reference code off-by-one (t = s_(e), giving 0.7)', () => {
    const referenceThreshold = [...A1_SCORES].sort((a, b) => a - b)[fit.errors - 1]!;
    expect(referenceThreshold).toBe(0.6);
    expect(atcEstimate(A1_SCORES, referenceThreshold)).toBe(0.7); // what the reference rule gives
    expect(fit.threshold).not.toBe(referenceThreshold);
    expect(atcEstimate(A1_SCORES, fit)).not.toBe(0.7);
  });

  it('fits plain JSON', () => {
    expect(JSON.parse(JSON.stringify(fit))).toEqual(fit);
  });
});

describe('ties at the threshold (docs/algorithms.md#atc, step 5)', () => {
  // Saturated max-confidence: four rows at exactly 1; e = 3 puts s_(3) = s_(4) = 1.
  const scores = [0.5, 1, 1, 1, 1, 0.9];
  const correct = [false, true, false, true, true, false];

  it('weights tied scores by λ = (n − e − n_gt)/n_eq so the source accuracy is reproduced', () => {
    const fit = fitAtc(scores, correct, SMALL);
    expect(fit.threshold).toBe(1);
    expect(fit.tieWeight).toBe(0.75); // (6 − 3 − 0) / 4
    expect(atcEstimate(scores, fit)).toBeCloseTo(0.5, 15);
    expect(atcEstimate(scores, fit.threshold)).toBeCloseTo(4 / 6, 15); // plain "≥ t" overcounts
    expect(atcEstimate([1, 1, 0.95, 0.2], fit)).toBeCloseTo(0.375, 15); // (0 + 0.75·2)/4
  });

  it('gives weight 1 when the tie does not straddle the boundary', () => {
    const fit = fitAtc(scores, [false, true, true, true, true, false], SMALL); // e = 2, s_(2) = 0.9 < 1
    expect(fit).toMatchObject({ threshold: 1, tieWeight: 1 });
    expect(atcEstimate(scores, fit)).toBe(4 / 6);
  });

  it('counts every score strictly above t and a fraction of those at t', () => {
    const fit = atcThresholdFromScores([0.2, 0.5, 0.5, 0.5, 0.9], 2); // t = 0.5, λ = (5 − 2 − 1)/3
    expect(fit.threshold).toBe(0.5);
    expect(fit.tieWeight).toBeCloseTo(2 / 3, 15);
    expect(atcSummary([0.9, 0.5, 0.4], fit).above).toBeCloseTo(1 + 2 / 3, 15);
  });
});

describe('edge cases of the rule', () => {
  it('e = 0 puts t at the smallest score and counts every source row', () => {
    const fit = atcThresholdFromScores([0.3, 0.8, 0.6], 0);
    expect(fit).toEqual({ threshold: 0.3, tieWeight: 1 });
    expect(atcEstimate([0.3, 0.8, 0.6], fit)).toBe(1);
  });

  it('e = n counts nothing, like t = +∞, and survives JSON', () => {
    const fit = atcThresholdFromScores([0.3, 0.8, 0.6], 3);
    expect(atcEstimate([1, 0.99, 0.3], fit)).toBe(0);
    const roundTrip = JSON.parse(JSON.stringify(fit)) as typeof fit;
    expect(atcEstimate([1, 0.99, 0.3], roundTrip)).toBe(0);
  });

  it('rejects an impossible error count', () => {
    expect(() => atcThresholdFromScores([0.1, 0.2], 3)).toThrow('errors must be an integer in [0, 2]');
  });
});

describe('refusals', () => {
  const scores = Array.from({ length: 3000 }, (_, i) => i / 3000);
  const correctWithErrors = (errors: number) => scores.map((_, i) => i >= errors);

  it('refuses too few rows, naming the count and the fix', () => {
    expect(() => fitAtc(scores.slice(0, 500), correctWithErrors(100).slice(0, 500))).toThrow(
      /ATC needs at least 2000 held-out rows to fit a threshold, got 500\. Fix: use a larger held-out set/,
    );
  });

  it('refuses too few misclassified rows, and hints at training data when there are none', () => {
    expect(() => fitAtc(scores, correctWithErrors(5))).toThrow(/at least 20 misclassified held-out rows .* got 5 of 3000\. Fix:/);
    expect(() => fitAtc(scores, correctWithErrors(0))).toThrow('(is this the training data?)');
  });

  it('refuses a source with (almost) no correct rows', () => {
    expect(() => fitAtc(scores, correctWithErrors(2990))).toThrow(/at least 20 correctly classified held-out rows, got 10 of 3000/);
    expect(() => fitAtc([0.1, 0.2], [false, false], SMALL)).toThrow(/at least 1 correctly classified/);
  });

  it('accepts the same data once the limits are met', () => {
    expect(fitAtc(scores, correctWithErrors(20)).threshold).toBe(20 / 3000);
  });

  it('refuses mismatched lengths and non-finite scores', () => {
    expect(() => fitAtc([0.1, 0.2], [true], SMALL)).toThrow('2 scores but 1 correctness flags');
    expect(() => fitAtc([0.1, NaN, 0.3], [true, false, true], SMALL)).toThrow('score of row 1 is NaN');
  });
});

describe('sanity checks (docs/algorithms.md#atc)', () => {
  // Deterministic, irregular scores in (0, 1) and correctness that is likelier at high scores.
  const scores = Array.from({ length: 400 }, (_, i) => ((i + 1) * 0.6180339887498949) % 1);
  const correct = scores.map((s, i) => s > 0.35 || i % 3 === 0);
  const fit = fitAtc(scores, correct, SMALL);
  const window = Array.from({ length: 150 }, (_, j) => (((j + 1) * 0.7548776662466927) % 1) ** 1.5);

  it('reproduces the source accuracy exactly on the source itself', () => {
    expect(fit.tieWeight).toBe(1);
    expect(atcEstimate(scores, fit)).toBe(fit.sourceAccuracy);
  });

  it('is unchanged by a strictly increasing transform of the score', () => {
    const transform = (s: number) => Math.exp(4 * s) - 7;
    const transformed = fitAtc(scores.map(transform), correct, SMALL);
    expect(atcEstimate(window.map(transform), transformed)).toBe(atcEstimate(window, fit));
  });

  it('never rises, and here falls, when rows with the minimum possible score are added', () => {
    const before = atcEstimate(window, fit);
    expect(before).toBeGreaterThan(0);
    const after = atcEstimate([...window, 0, 0, 0], fit);
    expect(after).toBeLessThan(before);
  });
});

describe('window summaries merge', () => {
  const fit = fitAtc([0.5, 1, 1, 1, 1, 0.9], [false, true, false, true, true, false], SMALL); // λ = 0.75
  const window = [1, 0.2, 1, 0.95, 1, 1, 0.4, 1, 0.99];

  it('summing two halves equals the whole window', () => {
    const whole = atcSummary(window, fit);
    const merged = mergeAtcSummaries(atcSummary(window.slice(0, 4), fit), atcSummary(window.slice(4), fit));
    expect(merged.n).toBe(whole.n);
    expect(merged.above).toBeCloseTo(whole.above, 12);
    expect(atcFromCounts(merged.above, merged.n)).toBeCloseTo(atcEstimate(window, fit), 12);
    expect(whole.above).toBeCloseTo(0.75 * 5, 12);
  });

  it('can be built one record at a time from the empty summary', () => {
    const streamed = window.reduce((s, x) => mergeAtcSummaries(s, atcSummary([x], fit)), atcSummary([], fit));
    expect(streamed).toEqual({ n: 9, above: 3.75 });
  });

  it('refuses to estimate on an empty window', () => {
    expect(() => atcFromCounts(0, 0)).toThrow('the window is empty');
  });
});

describe('variants', () => {
  const probabilities = [
    [0.9, 0.05, 0.05],
    [0.4, 0.35, 0.25],
    [0.2, 0.7, 0.1],
    [0.34, 0.33, 0.33],
  ];
  const labels = [0, 1, 1, 2];

  it('MC and NE use their own score and the same correctness', () => {
    const mc = fitAtcVariant(probabilities, labels, 'mc', SMALL);
    const ne = fitAtcVariant(probabilities, labels, 'ne', SMALL);
    expect(mc).toMatchObject({ variant: 'mc', errors: 2, threshold: 0.7 }); // sorted MC: 0.34, 0.4, 0.7, 0.9
    expect(ne.variant).toBe('ne');
    expect(ne.errors).toBe(2);
    expect(ne.threshold).toBeCloseTo(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1), 14);
  });
});
