import type { Row } from '../../../src/core/reference/row.js';
import { inferSchema } from '../../../src/core/reference/schema.js';
import { expectRefError } from './helpers.js';

function table(columns: Record<string, Row[string][]>): { rows: Row[]; columns: string[] } {
  const names = Object.keys(columns);
  const n = columns[names[0]!]!.length;
  const rows = Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((c) => [c, columns[c]![i]!])) as Row);
  return { rows, columns: names };
}

describe('inferSchema', () => {
  const base = table({
    id: ['a', 'b', 'c', 'd'],
    ts: [1, 2, 3, 4],
    age: [31, null, 40.5, 22],
    month: [1, 12, 3, 3],
    country: ['DE', 'FR', null, 'DE'],
    vip: [true, false, null, true],
    label: [0, 1, 0, 1],
    model: ['m', 'm', 'm', 'm'],
    prediction: [0.1, 0.9, 0.2, 0.8],
  });

  it('infers numeric and categorical kinds and skips the default non-feature columns', () => {
    expect(inferSchema(base.rows, base.columns)).toEqual([
      { name: 'age', kind: 'numeric' },
      { name: 'month', kind: 'numeric' },
      { name: 'country', kind: 'categorical' },
      { name: 'vip', kind: 'categorical' },
    ]);
  });

  it('lets overrides re-include default non-features, change kinds and ignore columns; exclude drops', () => {
    const specs = inferSchema(base.rows, base.columns, {
      overrides: { label: 'categorical', prediction: 'numeric', month: 'categorical', vip: 'ignore' },
      exclude: ['country'],
    });
    expect(specs).toEqual([
      { name: 'age', kind: 'numeric' },
      { name: 'month', kind: 'categorical' },
      { name: 'label', kind: 'categorical' },
      { name: 'prediction', kind: 'numeric' },
    ]);
  });

  it('reports mixed numbers and strings with counts and the first string', async () => {
    const x: Row[string][] = Array.from({ length: 9_883 }, (_, i) => i);
    for (let k = 0; k < 12; k++) x[56 + k * 100] = k === 0 ? 'n/a' : 'missing';
    const { rows, columns } = table({ x, y: x.map((_, i) => i % 3) });
    const err = await expectRefError(
      () => inferSchema(rows, columns),
      'reference column "x": mixed types: 9,871 numbers and 12 strings (first string "n/a" on row 57)',
      'Fix: clean the column, or force its type with --categorical x (or models[].schema.categorical in the config)',
    );
    expect(err.column).toBe('x');
    expect(inferSchema(rows, columns, { overrides: { x: 'categorical' } })[0]).toEqual({ name: 'x', kind: 'categorical' });
  });

  it('reports numbers mixed with booleans, naming the earliest non-number', async () => {
    const { rows, columns } = table({ f: [1, 2, 'x', true, false] });
    await expectRefError(() => inferSchema(rows, columns), '2 numbers and 1 string and 2 booleans (first string "x" on row 3)');
    const t2 = table({ f: [1, true, 'x'] });
    await expectRefError(() => inferSchema(t2.rows, t2.columns), '(first boolean true on row 2)');
  });

  it('refuses a numeric override on a column with strings', async () => {
    const { rows, columns } = table({ f: ['a', 'b', 1] });
    const err = await expectRefError(
      () => inferSchema(rows, columns, { overrides: { f: 'numeric' } }),
      'is declared numeric but the column has 2 strings',
      '--categorical f',
    );
    expect(err.column).toBe('f');
  });

  it('refuses an all-null column', async () => {
    const { rows, columns } = table({ ok: [1, 2, 3], empty: [null, null, null] });
    const err = await expectRefError(() => inferSchema(rows, columns), 'reference column "empty": all 3 values are null', '--exclude empty');
    expect(err.column).toBe('empty');
  });

  it('refuses a constant column, nulls aside', async () => {
    const { rows, columns } = table({ ok: [1, 2, 3], c: ['x', null, 'x'] });
    const err = await expectRefError(
      () => inferSchema(rows, columns),
      'reference column "c": constant column: every non-null value is "x"',
      'Fix: drop it with --exclude c (or models[].schema.exclude in the config), or fix the export',
    );
    expect(err.column).toBe('c');
    expect(inferSchema(rows, columns, { exclude: ['c'] })).toEqual([{ name: 'ok', kind: 'numeric' }]);
  });

  it('refuses overrides for unknown columns, and a schema with no features left', async () => {
    await expectRefError(() => inferSchema(base.rows, base.columns, { overrides: { agee: 'numeric' } }), '"agee"', 'check the spelling');
    const t = table({ id: [1, 2], label: [0, 1] });
    await expectRefError(() => inferSchema(t.rows, t.columns), 'no feature columns left');
  });
});
