import {
  averageConfidenceInterval,
  conformalHalfWidth,
  conformalInterval,
  docInterval,
  normalInterval,
  percentile,
  widerInterval,
  wilsonCountInterval,
} from '../../../src/core/accuracy/intervals.js';
import { confidenceSummary, fitConfidenceBaseline } from '../../../src/core/accuracy/baselines.js';

describe('wilsonCountInterval', () => {
  it('matches the spec vector (A.8): â = 0.8, m = 500 gives [0.76271, 0.83271]', () => {
    const interval = wilsonCountInterval(400, 500);
    expect(interval.kind).toBe('wilson');
    expect(interval.lower).toBeCloseTo(0.76271, 5);
    expect(interval.upper).toBeCloseTo(0.83271, 5); // exact z = 1.95996…; z = 1.96 would round to 0.83272
  });

  it('accepts a fractional (tie-weighted) count', () => {
    const interval = wilsonCountInterval(399.5, 500);
    expect(interval.lower).toBeLessThan(0.76271);
    expect(interval.lower).toBeGreaterThan(0.7615);
  });

  it('stays inside [0, 1] and is not degenerate at â = 0 or 1', () => {
    const zero = wilsonCountInterval(0, 50);
    expect(zero.lower).toBe(0);
    expect(zero.upper).toBeGreaterThan(0.05);
    const one = wilsonCountInterval(50, 50);
    expect(one.upper).toBe(1);
    expect(one.lower).toBeLessThan(0.95);
  });

  it('narrows with the window size and widens with the coverage', () => {
    const width = (i: { lower: number; upper: number }) => i.upper - i.lower;
    expect(width(wilsonCountInterval(1600, 2000))).toBeLessThan(width(wilsonCountInterval(400, 500)));
    expect(width(wilsonCountInterval(400, 500, 0.99))).toBeGreaterThan(width(wilsonCountInterval(400, 500, 0.95)));
  });

  it('rejects an empty window, a count outside [0, n] and a bad coverage', () => {
    expect(() => wilsonCountInterval(0, 0)).toThrow(RangeError);
    expect(() => wilsonCountInterval(12, 10)).toThrow(RangeError);
    expect(() => wilsonCountInterval(5, 10, 1)).toThrow('coverage must be in (0, 1)');
  });
});

describe('conformalHalfWidth', () => {
  const nine = [0.05, 0.01, 0.03, 0.09, 0.02, 0.07, 0.04, 0.08, 0.06];

  it('takes the ⌈(n+1)·coverage⌉-th smallest past error', () => {
    // n = 9, coverage 0.55: rank ⌈5.5⌉ = 6 → 0.06; without the (n+1) correction ⌈4.95⌉ = 5 → 0.05.
    expect(conformalHalfWidth(nine, 0.55)).toBe(0.06);
    // n = 9, coverage 0.9: rank ⌈9⌉ = 9 → the largest error.
    expect(conformalHalfWidth(nine, 0.9)).toBe(0.09);
    // n = 19, coverage 0.9: rank (n+1)·0.9 = 18 exactly, not 19 through rounding of the product.
    const nineteen = Array.from({ length: 19 }, (_, i) => (i + 1) / 100);
    expect(conformalHalfWidth(nineteen, 0.9)).toBe(0.18);
  });

  it('is infinite when the rank exceeds the number of past errors', () => {
    expect(conformalHalfWidth(nine, 0.95)).toBe(Infinity); // ⌈9.5⌉ = 10 > 9
    expect(conformalHalfWidth([], 0.5)).toBe(Infinity);
  });

  it('rejects negative or NaN errors and a coverage outside (0, 1)', () => {
    expect(() => conformalHalfWidth([0.1, -0.2], 0.5)).toThrow('absolute values');
    expect(() => conformalHalfWidth([0.1, NaN], 0.5)).toThrow('absolute values');
    expect(() => conformalHalfWidth([0.1], 0)).toThrow('coverage must be in (0, 1)');
  });

  it('gives a clipped interval labelled conformal', () => {
    const interval = conformalInterval(0.97, 0.05);
    expect(interval).toMatchObject({ upper: 1, kind: 'conformal' });
    expect(interval.lower).toBeCloseTo(0.92, 15);
  });
});

describe('normal intervals for AC and DoC', () => {
  const window = confidenceSummary([0.9, 0.8, 0.7, 0.95, 0.6]);

  it('AC uses the window\'s sample variance of confidences', () => {
    const mean = 0.79;
    const variance = [0.9, 0.8, 0.7, 0.95, 0.6].reduce((a, c) => a + (c - mean) ** 2, 0) / 4;
    const half = 1.959963984540054 * Math.sqrt(variance / 5);
    const interval = averageConfidenceInterval(window);
    expect(interval.kind).toBe('normal');
    expect(interval.lower).toBeCloseTo(mean - half, 12);
    expect(interval.upper).toBeCloseTo(mean + half, 12);
  });

  it('DoC adds the source term\'s variance (independent samples)', () => {
    const fit = fitConfidenceBaseline([0.9, 0.6, 0.8, 0.7], [true, false, true, true]);
    const acOnly = averageConfidenceInterval(window);
    const doc = docInterval(window, fit);
    expect(doc.upper - doc.lower).toBeGreaterThan(acOnly.upper - acOnly.lower);
    const variance = 0.0205 / 5 + fit.sourceGapVariance / 4; // window sample variance is 0.0205
    const centre = 0.75 - (0.75 - 0.79);
    expect(doc.upper).toBeCloseTo(Math.min(1, centre + 1.959963984540054 * Math.sqrt(variance)), 12);
  });

  it('normalInterval clips to [0, 1]', () => {
    expect(normalInterval(0.99, 0.01)).toMatchObject({ upper: 1 });
    expect(normalInterval(0.01, 0.01)).toMatchObject({ lower: 0 });
  });
});

describe('percentile and widerInterval', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([10, 0], 0.025)).toBeCloseTo(0.25, 15);
    expect(percentile([7], 0.975)).toBe(7);
  });

  it('keeps the wider interval', () => {
    const a = { lower: 0.7, upper: 0.8, kind: 'wilson' as const };
    const b = { lower: 0.72, upper: 0.86, kind: 'bootstrap' as const };
    expect(widerInterval(a, b)).toBe(b);
    expect(widerInterval(b, a)).toBe(b);
  });
});
