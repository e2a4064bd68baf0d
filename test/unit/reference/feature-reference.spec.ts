import type { CategoricalFeatureReference, NumericFeatureReference } from '../../../src/core/reference/bundle-types.js';
import { binIndex, buildFeatureReference, numericEdges } from '../../../src/core/reference/feature-reference.js';
import { expectRefError } from './helpers.js';

const sorted = (xs: number[]) => Float64Array.from(xs).sort();
const numeric = (values: Array<number | null>, maxBins?: number) =>
  buildFeatureReference({ name: 'f', kind: 'numeric' }, values, { maxBins }) as NumericFeatureReference;

describe('binIndex', () => {
  const edges = [0, 1, 2.5, 4];
  it.each([
    ['below the minimum', -0.001, 0],
    ['far below', -Infinity, 0],
    ['== minimum', 0, 1],
    ['interior', 0.5, 1],
    ['== an interior edge', 1, 2],
    ['just below an interior edge', 2.4999, 2],
    ['== another interior edge', 2.5, 3],
    ['== maximum (last interior bin)', 4, 3],
    ['above the maximum', 4.000001, 4],
    ['far above', Infinity, 4],
  ])('%s', (_what, x, bin) => {
    expect(binIndex(edges, x)).toBe(bin);
  });

  it('agrees with a linear scan on many edges', () => {
    const many = Array.from({ length: 513 }, (_, i) => i * i);
    for (let x = -3; x < 513 * 513 + 3; x += 97) {
      const linear = x < many[0]! ? 0 : x > many[512]! ? 513 : x === many[512] ? 512 : many.findIndex((e) => e > x);
      expect(binIndex(many, x)).toBe(linear);
    }
  });

  it('refuses NaN', () => {
    expect(() => binIndex(edges, Number.NaN)).toThrow(RangeError);
  });
});

describe('numericEdges', () => {
  it('uses every distinct value plus the next double above the maximum when there are few', () => {
    const edges = numericEdges(sorted([3, 1, 2, 2, 1, 3, 3]), 512);
    expect(edges.slice(0, 3)).toEqual([1, 2, 3]);
    expect(edges).toHaveLength(4);
    expect(edges[3]).toBeGreaterThan(3);
    expect(edges[3]! - 3).toBe(Number.EPSILON * 2); // one ulp above 3
  });

  it('gives a 0/1 flag one bin per value', () => {
    const ref = numeric([0, 1, 1, 0, 1]);
    expect(ref.counts).toEqual([0, 2, 3, 0]);
    expect(binIndex(ref.edges, 2)).toBe(3);
  });

  it('switches to quantile edges above maxBins distinct values, keeping min and max', () => {
    const xs = sorted(Array.from({ length: 101 }, (_, i) => i));
    expect(numericEdges(xs, 101)).toHaveLength(102);
    expect(numericEdges(xs, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(numericEdges(xs, 100)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('drops repeated quantiles under heavy ties', () => {
    const xs = sorted([...new Array<number>(90).fill(0), ...Array.from({ length: 10 }, (_, i) => i + 1)]);
    const edges = numericEdges(xs, 8);
    expect(edges[0]).toBe(0);
    expect(edges[edges.length - 1]).toBe(10);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
    expect(edges.length).toBeLessThan(9);
  });

  it('refuses no values and a bad maxBins', () => {
    expect(() => numericEdges(new Float64Array(0), 8)).toThrow(RangeError);
    expect(() => numericEdges(sorted([1, 2]), 0)).toThrow(RangeError);
  });
});

describe('buildFeatureReference', () => {
  it('summarises a numeric feature: counts sum to n, empty outer bins, moments', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? null : Math.sin(i) * 100 + i / 10));
    const ref = numeric(values, 64);
    const xs = values.filter((v): v is number => v !== null);
    expect(ref.n).toBe(1800);
    expect(ref.missing).toBe(200);
    expect(ref.counts.reduce((a, b) => a + b, 0)).toBe(ref.n);
    expect(ref.counts).toHaveLength(ref.edges.length + 1);
    expect(ref.edges.length).toBeLessThanOrEqual(65);
    expect(ref.counts[0]).toBe(0);
    expect(ref.counts[ref.edges.length]).toBe(0);
    expect(ref.min).toBe(Math.min(...xs));
    expect(ref.max).toBe(Math.max(...xs));
    expect(ref.edges[0]).toBe(ref.min);
    expect(ref.edges[ref.edges.length - 1]).toBe(ref.max);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(ref.mean).toBeCloseTo(mean, 9);
    expect(ref.std).toBeCloseTo(Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)), 9);
  });

  it('counts exactly per value when values are few', () => {
    const ref = numeric([5, 7, 7, null, 9, 9, 11]);
    expect(ref.edges.slice(0, 4)).toEqual([5, 7, 9, 11]);
    expect(ref.counts).toEqual([0, 1, 2, 2, 1, 0]);
    expect([ref.n, ref.missing, ref.mean, ref.min, ref.max]).toEqual([6, 1, 8, 5, 11]);
    expect(ref.std).toBeCloseTo(Math.sqrt(22 / 5), 12);
  });

  it('orders categories by descending count, then by name', () => {
    const ref = buildFeatureReference({ name: 'c', kind: 'categorical' }, [
      'b', 'a', true, null, 'b', 'a', 'c', 'true', 'B', 3, null,
    ]) as CategoricalFeatureReference;
    expect(ref.categories).toEqual(['a', 'b', 'true', '3', 'B', 'c']);
    expect(ref.counts).toEqual([2, 2, 2, 1, 1, 1]);
    expect([ref.n, ref.missing]).toEqual([9, 2]);
  });

  it('names the feature and row of a non-number in a numeric feature, and refuses all-null', async () => {
    await expectRefError(() => numeric([1, 'x' as unknown as number]), 'reference column "f"', 'string "x" on row 2');
    await expectRefError(() => numeric([null, null]), 'reference column "f": all 2 values are null');
  });
});
