/**
 * A plain-text table for the terminal: fixed column widths, cells wrapped onto as many lines as
 * they need. A cell is a string (wrapped at spaces) or a list (items joined by ", ", wrapped
 * between items); an empty cell or list shows as "-".
 */
import { at } from '../core/indexing.js';

export interface Column {
  title: string;
  width: number;
}

export type Cell = string | readonly string[];

const GAP = '  ';

/** Greedy wrap of `words` joined by `separator` into lines of at most `width` (a longer word gets a line of its own). */
function wrap(words: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [i, word] of words.entries()) {
    const piece = i < words.length - 1 ? `${word}${separator.trimEnd()}` : word;
    const candidate = line === '' ? piece : `${line} ${piece}`;
    if (line !== '' && candidate.length > width) {
      lines.push(line);
      line = piece;
    } else {
      line = candidate;
    }
  }
  return [...lines, line];
}

export function cellLines(cell: Cell, width: number): string[] {
  if (typeof cell === 'string') return cell === '' ? ['-'] : wrap(cell.split(' '), ' ', width);
  return cell.length === 0 ? ['-'] : wrap(cell, ', ', width);
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string[] {
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(at(columns, i, 'table columns').width))).join(GAP).trimEnd();
  const out = [line(columns.map((c) => c.title)), line(columns.map((c) => '-'.repeat(c.width)))];
  for (const row of rows) {
    const wrapped = columns.map((c, i) => cellLines(row[i] ?? '', c.width));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let h = 0; h < height; h++) out.push(line(wrapped.map((w) => w[h] ?? '')));
  }
  return out;
}
