/** Per-window localisation: BH over one or both families, the ranking, and onset tracking. */
import { createOnsetState, localizeWindow, updateOnset, type WindowLocalization } from '../../../src/core/localize/localize.js';
import { summarizeNull, type NullDistribution } from '../../../src/core/localize/null.js';

/** A null whose replicates are 1..B for every feature: S = B + 1 − k has p = k/(B + 1)... roughly. */
function uniformNull(features: number, B = 1999): NullDistribution {
  const values = Array.from({ length: B }, (_, i) => i + 1);
  return {
    stateVersion: 1,
    windowSize: 100,
    replicates: B,
    sampling: 'bootstrap',
    referenceSize: 0,
    seed: 0,
    poolRows: 1000,
    statistics: Array.from({ length: features }, () => summarizeNull(values, 0.1)),
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'e'];
const KINDS = NAMES.map(() => 'numeric' as const);

describe('localizeWindow', () => {
  const nul = uniformNull(5);

  it('p-values from the null, BH across features, suspects ranked by p then z', () => {
    // S = 5000, 3000 exceed every replicate (p = 1/2000); S = 1990 has p = 11/2000; 1000 and 10 are null-like.
    const r = localizeWindow({ features: NAMES, kinds: KINDS, statistics: [1000, 3000, 1990, 10, 5000], null: nul, alpha: 0.05 });
    expect(r.detected).toBe(true);
    expect(r.ranked.map((f) => f.feature)).toEqual(['e', 'b', 'c', 'a', 'd']); // e and b tie on p; e has the larger z
    expect(r.suspects).toEqual(['e', 'b', 'c']);
    const e = r.ranked[0]!;
    expect(e.pValue).toBeCloseTo(1 / 2000, 12);
    expect(e.adjustedP).toBeCloseTo((5 / 2) * (1 / 2000), 12);
    expect(e.flagged).toBe('conditional');
    expect(e.z).toBeGreaterThan(r.ranked[1]!.z);
    expect(r.ranked.find((f) => f.feature === 'c')!.pValue).toBeCloseTo(11 / 2000, 12);
    expect(r.ranked.map((f) => f.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(r.pValue).toBeCloseTo(e.adjustedP, 12);
  });

  it('nothing flagged on a null-like window', () => {
    const r = localizeWindow({ features: NAMES, kinds: KINDS, statistics: [1000, 1500, 300, 10, 1900], null: nul, alpha: 0.05 });
    expect(r.detected).toBe(false);
    expect(r.suspects).toEqual([]);
    expect(r.ranked.every((f) => f.flagged === null)).toBe(true);
  });

  it('with marginal p-values, one BH over both families says which test flagged each feature', () => {
    const r = localizeWindow({
      features: NAMES,
      kinds: KINDS,
      statistics: [5000, 5000, 10, 10, 10],
      null: nul,
      alpha: 0.05,
      marginalPValues: [1e-8, 0.7, 1e-6, 0.9, null],
    });
    const by = Object.fromEntries(r.ranked.map((f) => [f.feature, f]));
    expect(by.a!.flagged).toBe('both');
    expect(by.b!.flagged).toBe('conditional');
    expect(by.c!.flagged).toBe('marginal');
    expect(by.d!.flagged).toBeNull();
    expect(by.e!.marginalPValue).toBeNull();
    // 9 hypotheses (one marginal missing): the smallest, 1e-8, is adjusted by 9/1.
    expect(by.a!.marginalAdjustedP).toBeCloseTo(9e-8, 15);
    expect(r.ranked[0]!.feature).toBe('a');
  });
});

describe('onset tracking (time-series variant)', () => {
  const nul = uniformNull(5);
  const windowWith = (flagged: string[]): WindowLocalization =>
    localizeWindow({ features: NAMES, kinds: KINDS, statistics: NAMES.map((n) => (flagged.includes(n) ? 5000 : 10)), null: nul, alpha: 0.05 });

  it('reports the window where each flagged run began, and ends runs on quiet windows', () => {
    const state = createOnsetState();
    expect(updateOnset(state, 'w1', windowWith([])).detectedSince).toBeNull();
    const w2 = windowWith(['b']);
    const u2 = updateOnset(state, 'w2', w2);
    expect(u2).toEqual({ detectedSince: 'w2', started: ['b'], ended: [] });
    expect(w2.ranked.find((f) => f.feature === 'b')!.since).toBe('w2');
    const w3 = windowWith(['b', 'c']);
    const u3 = updateOnset(state, 'w3', w3);
    expect(u3).toEqual({ detectedSince: 'w2', started: ['c'], ended: [] });
    expect(w3.ranked.find((f) => f.feature === 'b')!.since).toBe('w2');
    expect(w3.ranked.find((f) => f.feature === 'c')!.since).toBe('w3');
    expect(updateOnset(state, 'w4', windowWith(['c']))).toEqual({ detectedSince: 'w2', started: [], ended: ['b'] });
    expect(updateOnset(state, 'w5', windowWith([]))).toEqual({ detectedSince: null, started: [], ended: ['c'] });
    expect(JSON.parse(JSON.stringify(state))).toEqual({ stateVersion: 1, endAfter: 1, detection: null, features: {} });
  });

  it('endAfter = 2 bridges a single quiet window', () => {
    const state = createOnsetState(2);
    updateOnset(state, 'w1', windowWith(['a']));
    expect(updateOnset(state, 'w2', windowWith([])).detectedSince).toBe('w1');
    expect(updateOnset(state, 'w3', windowWith(['a'])).detectedSince).toBe('w1');
    updateOnset(state, 'w4', windowWith([]));
    expect(updateOnset(state, 'w5', windowWith([])).ended).toEqual(['a']);
  });
});
