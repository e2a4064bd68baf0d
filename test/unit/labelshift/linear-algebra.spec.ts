import { cell, choleskySolve, columnCount, dot, matVec, transpose, truncatedPseudoInverse, zipWith } from '../../../src/core/labelshift/linear-algebra.js';

describe('label-shift linear algebra: shapes checked, errors that name what was read', () => {
  it('columnCount gives the width of a rectangular matrix and names a ragged row or a missing one', () => {
    expect(columnCount([[1, 2, 3], [4, 5, 6]], 'logits')).toBe(3);
    expect(() => columnCount([[1, 2], [3]], 'logits')).toThrow(new RangeError('logits: row 1 has 1 entries, row 0 has 2'));
    expect(() => columnCount([], 'logits')).toThrow('logits: no rows');
  });

  it('cell reads an entry and names the matrix and the entry outside it', () => {
    const m = [[1, 2], [3, 4]];
    expect(cell(m, 1, 0)).toBe(3);
    expect(() => cell(m, 2, 0, 'confusion')).toThrow(new RangeError('confusion: entry (2, 0) is outside the matrix (2 rows)'));
    expect(() => cell(m, 0, 2, 'confusion')).toThrow(/entry \(0, 2\)/);
  });

  it('zipWith and dot pair two vectors entry by entry and refuse vectors of different lengths', () => {
    expect(zipWith([1, 2, 3], [10, 20, 30], (x, y, i) => x * y + i, 'pairs')).toEqual([10, 41, 92]);
    expect(() => zipWith([1, 2], [1], (x, y) => x + y, 'weights')).toThrow(new RangeError('weights: vectors of 2 and 1 entries'));
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(() => dot([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => matVec([[1, 2, 3]], [1, 2])).toThrow(RangeError);
  });

  it('transpose and the pseudo-inverse refuse a ragged matrix instead of reading past a short row', () => {
    expect(transpose([[1, 2], [3, 4], [5, 6]])).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect(transpose([])).toEqual([]);
    expect(() => transpose([[1, 2], [3]])).toThrow('transpose: row 1 has 1 entries, row 0 has 2');
    expect(() => truncatedPseudoInverse([[1, 2], [3]], 0)).toThrow(/truncatedPseudoInverse: row 1/);
  });

  it('choleskySolve refuses a matrix whose size differs from the right-hand side', () => {
    expect(choleskySolve([[4, 0], [0, 9]], [8, 9])).toEqual([2, 1]);
    expect(() => choleskySolve([[4, 0], [0, 9]], [1, 2, 3])).toThrow(/choleskySolve: the matrix is not 3×3/);
    expect(() => choleskySolve([[4, 0], [0]], [1, 2])).toThrow(RangeError);
  });
});
