import { evaluateWindow, calibrate } from '../../../src/core/detect/feature-tests.js';
import { addEvent, emptySummary } from '../../../src/core/window/summary.js';
import { syntheticRows, type Shift } from '../../../src/demo/synthetic.js';
import { referencesFor, TEST_OPTIONS } from '../../support/fixtures.js';

const refs = referencesFor(syntheticRows(10_000, 3));

function evaluate(shift: Shift, seed: number, n = 1000) {
  const s = emptySummary(refs);
  for (const r of syntheticRows(n, seed, shift)) addEvent(s, refs, r, 0, () => true);
  return evaluateWindow(refs, s, TEST_OPTIONS);
}

describe('per-feature window tests', () => {
  it('flag only the mean-shifted numeric feature, and rank it by effect size', () => {
    const e = evaluate({ kind: 'mean', feature: 'amount', logShift: 0.35 }, 99);
    expect(e.features.filter((f) => f.flagged).map((f) => f.feature)).toEqual(['amount']);
    const amount = e.features.find((f) => f.feature === 'amount')!;
    expect(amount.test).toBe('ks');
    expect(amount.pValue).toBeLessThan(1e-10);
    expect(amount.wassersteinNormalized).toBeGreaterThan(0.1);
    expect(amount.psi).toBeGreaterThan(0.05);
  });

  it('flag only the categorical feature whose mix changed', () => {
    const e = evaluate({ kind: 'mix', feature: 'country', probs: [0.15, 0.25, 0.4, 0.15, 0.05] }, 98);
    expect(e.features.filter((f) => f.flagged).map((f) => f.feature)).toEqual(['country']);
    expect(e.features.find((f) => f.feature === 'country')!.jsDistance).toBeGreaterThan(0.1);
  });

  it('treat an unseen category as a shift, not a crash', () => {
    const s = emptySummary(refs);
    const rows = syntheticRows(500, 97).map((r, i) => (i % 5 === 0 ? { ...r, country: 'ZZ' } : r));
    for (const r of rows) addEvent(s, refs, r, 0, () => true);
    const country = evaluateWindow(refs, s, TEST_OPTIONS).features.find((f) => f.feature === 'country')!;
    expect(country.flagged).toBe(true);
    expect(country.unseenCategories).toEqual(['ZZ']);
  });

  it('keep clean windows quiet at about the nominal rate', () => {
    let windowsWithFlags = 0;
    for (let seed = 200; seed < 260; seed++) if (evaluate({ kind: 'none' }, seed, 500).features.some((f) => f.flagged)) windowsWithFlags++;
    // BH at 0.05 controls the FDR; under the global null that is the chance of any flag: expect ~3 of 60.
    expect(windowsWithFlags).toBeLessThanOrEqual(9);
  });

  it('report features with too few values as untested', () => {
    const s = emptySummary(refs);
    for (const r of syntheticRows(10, 1)) addEvent(s, refs, r, 0, () => true);
    const e = evaluateWindow(refs, s, TEST_OPTIONS);
    expect(e.features.every((f) => !f.tested && f.pValue === 1)).toBe(true);
    expect(e.minAdjustedP).toBe(1);
  });
});

describe('calibration against the simulated null', () => {
  const nulls = { windowSize: 100, method: 'block-bootstrap' as const, blocks: 4, minAdjustedP: [0.01, 0.2, 0.5, 0.9] };
  it('is the empirical p-value inside the null', () => {
    expect(calibrate(0.3, nulls)).toBeCloseTo(3 / 5, 12);
    expect(calibrate(0.9, nulls)).toBeCloseTo(5 / 5, 12);
  });
  it('is never more extreme than the closed form', () => {
    const lenient = { ...nulls, minAdjustedP: [0.5, 0.6, 0.7, 0.8] };
    expect(calibrate(0.55, lenient)).toBe(0.55);
  });
  it('beyond the most extreme null value, takes the more conservative of closed form and extrapolation', () => {
    expect(calibrate(0.001, nulls)).toBeCloseTo(0.1 / 5, 12);
    const far = { ...nulls, minAdjustedP: [1e-20, 0.2, 0.5, 0.9] };
    expect(calibrate(1e-25, far)).toBeCloseTo(1e-5 / 5, 12);
  });
  it('falls back to the closed form without a null', () => {
    expect(calibrate(0.003)).toBe(0.003);
  });
});
