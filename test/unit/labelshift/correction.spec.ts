import { correctedAccuracyOnValidation, correctPosterior, labelShiftAccuracy } from '../../../src/core/labelshift/correction.js';
import { expectClose } from '../stats/close.js';

describe('correctPosterior (docs/algorithms.md#mlls)', () => {
  it('reweights by w and renormalises', () => {
    const p = correctPosterior([0.5, 0.3, 0.2], [0.4, 1, 2.5]);
    [0.2, 0.3, 0.5].forEach((v, k) => expectClose(p[k]!, v, 1e-15));
    const r = correctPosterior([0.6, 0.4], [1, 2]);
    expectClose(r[0]!, 0.6 / 1.4, 1e-15);
  });
  it('returns the input when every weighted entry is 0', () => {
    expect(correctPosterior([1, 0], [0, 3])).toEqual([1, 0]);
  });
});

describe('accuracy estimates', () => {
  it('labelShiftAccuracy is Σ_j w_j C_jj', () => {
    expectClose(labelShiftAccuracy([[0.4, 0.1], [0.1, 0.4]], [0.5, 1.5]), 0.8, 1e-15);
  });
  it('correctedAccuracyOnValidation weights each validation point by w_y after correcting', () => {
    const posts = [[0.6, 0.4], [0.45, 0.55], [0.3, 0.7], [0.55, 0.45]];
    const labels = [0, 1, 1, 1];
    // w = 1: predictions [0, 1, 1, 0], so rows 0, 1, 2 are correct: 3/4.
    expectClose(correctedAccuracyOnValidation(posts, labels, [1, 1]), 0.75, 1e-15);
    // w = (0.5, 2): every corrected prediction is class 1 (row 0: 0.3 vs 0.8). Rows 1–3 are correct
    // with weight w_1 = 2 each, row 0 is wrong with weight w_0 = 0.5: 6 / 6.5.
    expectClose(correctedAccuracyOnValidation(posts, labels, [0.5, 2]), 6 / 6.5, 1e-15);
  });
});
