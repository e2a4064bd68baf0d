/**
 * The reference's time order. Without a time column it is the file's order; with one
 * (`--time-column`), rows are sorted by it, stably (rows with equal times keep their file order),
 * before anything else is fitted, so that every contiguous block of the reference is a stretch of
 * time. Times are numbers (any unit, e.g. epoch milliseconds) or ISO-8601 strings, one kind per column.
 */
import { ReferenceDataError } from '../errors.js';
import type { Row } from './row.js';

/** The row indices in time order. */
export function timeOrder(rows: readonly Row[], columns: readonly string[], column: string): number[] {
  if (!columns.includes(column)) {
    throw new ReferenceDataError(column, 'is named by --time-column but is not in the reference data', `check the spelling; the columns are: ${columns.join(', ')}`);
  }
  const fix = 'give every row its time as epoch milliseconds or an ISO-8601 string (one kind for the whole column)';
  const kind = typeof rows[0]?.[column];
  const keys = rows.map((row, i) => {
    const v = row[column];
    if (v === null || v === undefined) throw new ReferenceDataError(column, `row ${i + 1} has no time`, fix);
    if (typeof v !== kind) throw new ReferenceDataError(column, `row ${i + 1} holds the ${typeof v} ${JSON.stringify(v)} in a column of ${kind}s`, fix);
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(t)) throw new ReferenceDataError(column, `row ${i + 1} holds ${JSON.stringify(v)}, not a time`, fix);
    return t;
  });
  return keys
    .map((time, i) => ({ time, i }))
    .sort((a, b) => a.time - b.time || a.i - b.i)
    .map(({ i }) => i);
}
