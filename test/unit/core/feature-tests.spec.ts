import { evaluateWindow } from '../../../src/core/detect/feature-tests.js';
import { addEvent, emptySummary } from '../../../src/core/window/summary.js';
import { syntheticRows, type Shift } from '../../support/synthetic.js';
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
    expect(e.windowP).toBe(1);
  });
});
