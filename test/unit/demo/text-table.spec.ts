/** The demo's plain-text tables: fixed columns, cells wrapped onto as many lines as they need. */
import { cellLines, formatTable } from '../../../src/demo/text-table.js';

describe('text tables', () => {
  it('wraps lists between items and text between words, never beyond the width unless one item is longer', () => {
    expect(cellLines(['feature-shift (x1, x0)', 'label-shift', 'conditional-shift (x3)'], 36)).toEqual(['feature-shift (x1, x0), label-shift,', 'conditional-shift (x3)']);
    expect(cellLines('the quick brown fox', 9)).toEqual(['the quick', 'brown fox']);
    expect(cellLines(['a-very-long-detector-name'], 5)).toEqual(['a-very-long-detector-name']);
    expect(cellLines([], 10)).toEqual(['-']);
    expect(cellLines('', 10)).toEqual(['-']);
  });

  it('lines up columns and gives a wrapped row as many lines as its tallest cell', () => {
    const lines = formatTable([{ title: 'phase', width: 8 }, { title: 'fired', width: 14 }, { title: 'n', width: 3 }], [
      ['clean', [], '6'],
      ['shift', ['feature-shift', 'label-shift'], '4'],
    ]);
    expect(lines).toEqual([
      'phase     fired           n',
      '--------  --------------  ---',
      'clean     -               6',
      'shift     feature-shift,  4',
      '          label-shift',
    ]);
  });
});
