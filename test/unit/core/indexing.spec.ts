import { at, entry, outOfRange } from '../../../src/core/indexing.js';

describe('checked indexed access', () => {
  it('returns the element at an index inside the bounds, for arrays and typed arrays', () => {
    expect(at([10, 20, 30], 2)).toBe(30);
    expect(at(new Float64Array([1.5, 2.5]), 0)).toBe(1.5);
  });

  it('fails with a message naming what was indexed when the index is out of range', () => {
    expect(() => at([1, 2], 2, 'class prior')).toThrow(new RangeError('class prior: index 2 out of range [0, 2)'));
    expect(() => at([1, 2], -1)).toThrow(/index -1 out of range/);
    expect(() => at([1, 2], 0.5)).toThrow(RangeError);
  });

  it('fails the same way through outOfRange on the right of ??, and only when the element is missing', () => {
    const xs = new Float64Array([0, 2]);
    expect(xs[0] ?? outOfRange('weights', 0, xs)).toBe(0);
    expect(() => xs[2] ?? outOfRange('weights', 2, xs)).toThrow(new RangeError('weights: index 2 out of range [0, 2)'));
  });

  it('reads a record entry, including one whose value is undefined on purpose, and names a missing key', () => {
    expect(entry({ a: 1 }, 'a')).toBe(1);
    expect(entry<number | undefined>({ a: undefined }, 'a')).toBeUndefined();
    expect(() => entry({ a: 1 }, 'b', 'feature index')).toThrow("feature index: no entry 'b'");
  });
});
