import { buildFeatureReference } from '../../../src/core/reference/feature-reference.js';
import { addEvent, emptySummary, mergeSummaries, checkFeatures, type WindowSummary } from '../../../src/core/window/summary.js';
import { syntheticRows } from '../../support/synthetic.js';
import { referencesFor } from '../../support/fixtures.js';

const refs = referencesFor(syntheticRows(3000, 1));
const known = new Set(refs.map((r) => r.name));

/** Counts must match exactly; tail sums (floating point) to 1e-9 relative. */
function expectSame(x: WindowSummary, y: WindowSummary): void {
  const strip = (w: WindowSummary) => ({ ...w, features: w.features.map((f) => (f.kind === 'numeric' ? { ...f, tail: null } : f)) });
  expect(strip(x)).toEqual(strip(y));
  x.features.forEach((f, j) => {
    const g = y.features[j]!;
    if (f.kind !== 'numeric' || g.kind !== 'numeric') return;
    expect(Math.abs(f.tail.above - g.tail.above)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(g.tail.above)));
    expect(Math.abs(f.tail.below - g.tail.below)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(g.tail.below)));
  });
}

function summarise(rows: ReturnType<typeof syntheticRows>, tsStart = 0): WindowSummary {
  const s = emptySummary(refs);
  rows.forEach((r, i) => addEvent(s, refs, r, tsStart + i, (k) => known.has(k)));
  return s;
}

describe('window summaries', () => {
  const rows = syntheticRows(900, 42, { kind: 'mean', feature: 'amount', logShift: 2 });
  const [a, b, c] = [summarise(rows.slice(0, 300), 0), summarise(rows.slice(300, 600), 300), summarise(rows.slice(600), 600)];

  it('merge is commutative', () => {
    expect(mergeSummaries(a, b)).toEqual(mergeSummaries(b, a));
  });

  it('merge is associative', () => {
    expectSame(mergeSummaries(mergeSummaries(a, b), c), mergeSummaries(a, mergeSummaries(b, c)));
  });

  it('merging panes equals summarising the whole window', () => {
    const merged = mergeSummaries(mergeSummaries(a, b), c);
    expect(merged.n).toBe(900);
    expectSame(merged, summarise(rows, 0));
    expect([merged.minTs, merged.maxTs]).toEqual([0, 899]);
  });

  it('the empty summary is the identity of merge', () => {
    expect(mergeSummaries(a, emptySummary(refs))).toEqual(a);
  });

  it('counts missing and unknown features without failing', () => {
    const s = emptySummary(refs);
    const missing = addEvent(s, refs, { amount: 10, surprise: 1 }, 0, (k) => known.has(k));
    expect(missing).toHaveLength(refs.length - 1);
    expect(s.unknownFeatureValues).toBe(1);
  });

  it('shifted values beyond the reference range land in the tail bin with their distance', () => {
    const amount = refs.find((r) => r.name === 'amount')!;
    if (amount.kind !== 'numeric') throw new Error('amount must be numeric');
    const s = emptySummary(refs);
    addEvent(s, refs, { amount: amount.max + 5 }, 0, () => true);
    const f = s.features[0]!;
    expect(f.kind === 'numeric' && f.counts[f.counts.length - 1]).toBe(1);
    expect(f.kind === 'numeric' && f.tail.above).toBeCloseTo(5, 9);
  });

  it('rejects a string for a numeric feature before touching state', () => {
    expect(checkFeatures(refs, { amount: 'twelve' })).toEqual({ feature: 'amount', expected: 'number', got: 'string' });
    expect(checkFeatures(refs, { amount: 12, country: 'DE' })).toBeUndefined();
  });

  it('takes a string for a categorical feature, a boolean or a number only where its reference had them', () => {
    expect(checkFeatures(refs, { country: 7 })).toEqual({ feature: 'country', expected: 'string (a category of its reference)', got: 'number' });
    expect(checkFeatures(refs, { country: true })).toEqual({ feature: 'country', expected: 'string (a category of its reference)', got: 'boolean' });
    const flags = buildFeatureReference({ name: 'vip', kind: 'categorical' }, [true, false, true]);
    const codes = buildFeatureReference({ name: 'zip', kind: 'categorical' }, [10115, 80331, 20095]);
    expect(checkFeatures([flags, codes], { vip: false, zip: 10115 })).toBeUndefined();
    expect(checkFeatures([flags, codes], { vip: 'true', zip: '80331' })).toBeUndefined();
    expect(checkFeatures([flags], { vip: 1 })).toMatchObject({ feature: 'vip', expected: 'string or a boolean (a category of its reference)', got: 'number' });
    expect(checkFeatures([codes], { zip: false })).toMatchObject({ feature: 'zip', expected: 'string or a number (a category of its reference)', got: 'boolean' });
  });
});
