import {
  argmax,
  centredLogits,
  correctness,
  logSoftmax,
  maxConfidence,
  negativeEntropy,
  softmax,
} from '../../../src/core/accuracy/scores.js';

describe('confidence scores', () => {
  // Spec Appendix A.1, last bullet.
  it('negative entropy matches the spec vector', () => {
    expect(negativeEntropy([0.7, 0.2, 0.1])).toBeCloseTo(-0.80181855, 8);
    expect(negativeEntropy([1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(-1.09861229, 8);
    expect(negativeEntropy([1, 0, 0])).toBe(0);
  });

  it('treats 0·log 0 as 0 instead of NaN, and is ≤ 0 with higher meaning more confident', () => {
    expect(negativeEntropy([0.5, 0.5, 0])).toBeCloseTo(Math.log(0.5), 14);
    expect(negativeEntropy([0.9, 0.1])).toBeGreaterThan(negativeEntropy([0.6, 0.4]));
  });

  it('max confidence is the largest probability', () => {
    expect(maxConfidence([0.2, 0.7, 0.1])).toBe(0.7);
    expect(maxConfidence([1 / 4, 1 / 4, 1 / 4, 1 / 4])).toBe(0.25);
  });

  it('argmax takes the first of tied maxima and correctness compares it with the label', () => {
    expect(argmax([0.4, 0.4, 0.2])).toBe(0);
    expect(correctness([[0.1, 0.9], [0.8, 0.2]], [1, 1])).toEqual([true, false]);
    expect(() => correctness([[1, 0]], [0, 1])).toThrow('1 rows but 2 labels');
  });

  it('softmax is stable for huge logits and agrees with log softmax', () => {
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12); // 1000 + log 3 itself is only stored to ~1e-13
    expect(p[1]).toBeCloseTo(0.75, 12);
    const logs = logSoftmax([2, -1, 0.5]);
    softmax([2, -1, 0.5]).forEach((v, k) => expect(Math.log(v)).toBeCloseTo(logs[k]!, 13));
  });

  it('centred log-probabilities have mean 0 and reproduce the probabilities through softmax', () => {
    const p = [0.7, 0.2, 0.1, 0];
    const z = centredLogits(p);
    expect(z.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    const back = softmax(z);
    [0.7, 0.2, 0.1].forEach((v, k) => expect(back[k]).toBeCloseTo(v, 10));
    expect(back[3]).toBeLessThan(1e-11); // the 1e-12 floor, not −∞
  });
});
