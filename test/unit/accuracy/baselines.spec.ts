import {
  averageConfidence,
  confidenceSummary,
  docEstimate,
  fitConfidenceBaseline,
  mergeConfidenceSummaries,
  windowConfidenceVariance,
} from '../../../src/core/accuracy/baselines.js';

const SOURCE_CONFIDENCE = [0.9, 0.6, 0.8, 0.7, 0.95, 0.55];
const SOURCE_CORRECT = [true, false, true, true, true, false];

describe('AC and DoC (docs/algorithms.md#average-confidence)', () => {
  const fit = fitConfidenceBaseline(SOURCE_CONFIDENCE, SOURCE_CORRECT);

  it('fits the source accuracy, mean confidence and gap variance', () => {
    expect(fit.n).toBe(6);
    expect(fit.sourceAccuracy).toBeCloseTo(4 / 6, 15);
    expect(fit.sourceMeanConfidence).toBeCloseTo(0.75, 15);
    const gaps = [0.1, -0.6, 0.2, 0.3, 0.05, -0.55];
    const meanGap = gaps.reduce((a, b) => a + b, 0) / 6;
    expect(fit.sourceGapVariance).toBeCloseTo(gaps.reduce((a, g) => a + (g - meanGap) ** 2, 0) / 5, 14);
    expect(JSON.parse(JSON.stringify(fit))).toEqual(fit);
  });

  it('AC is the mean max-confidence of the window', () => {
    expect(averageConfidence(confidenceSummary([0.9, 0.5, 0.7]))).toBeCloseTo(0.7, 15);
  });

  it('DoC is source accuracy − (source mean confidence − window mean confidence)', () => {
    const window = confidenceSummary([0.9, 0.5, 0.7]); // mean 0.7
    expect(docEstimate(window, fit)).toBeCloseTo(4 / 6 - (0.75 - 0.7), 14);
  });

  it('DoC on the source itself returns the source accuracy; AC returns the mean confidence', () => {
    const source = confidenceSummary(SOURCE_CONFIDENCE);
    expect(docEstimate(source, fit)).toBeCloseTo(fit.sourceAccuracy, 14);
    expect(averageConfidence(source)).toBeCloseTo(0.75, 14);
  });

  it('summaries of two halves merge into the whole window', () => {
    const window = [0.91, 0.42, 0.77, 0.66, 0.99, 0.58, 0.83];
    const whole = confidenceSummary(window);
    const merged = mergeConfidenceSummaries(confidenceSummary(window.slice(0, 3)), confidenceSummary(window.slice(3)));
    expect(merged.n).toBe(7);
    expect(merged.sum).toBeCloseTo(whole.sum, 13);
    expect(merged.sumSquares).toBeCloseTo(whole.sumSquares, 13);
    expect(docEstimate(merged, fit)).toBeCloseTo(docEstimate(whole, fit), 13);
  });

  it('keeps the sample variance of the window', () => {
    expect(windowConfidenceVariance(confidenceSummary([0.2, 0.4, 0.6]))).toBeCloseTo(0.04, 14);
    expect(windowConfidenceVariance(confidenceSummary([0.2]))).toBe(0);
  });

  it('refuses bad source data and empty windows', () => {
    expect(() => fitConfidenceBaseline([0.9, 0.8], [true])).toThrow('2 confidences but 1 correctness flags');
    expect(() => fitConfidenceBaseline([0.9], [true])).toThrow('at least 2 held-out rows');
    expect(() => fitConfidenceBaseline([0.9, 3.2], [true, false])).toThrow('pass probabilities, not logits');
    expect(() => averageConfidence(confidenceSummary([]))).toThrow('the window is empty');
  });
});
