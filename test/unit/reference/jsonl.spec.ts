import { readReferenceRows } from '../../../src/core/reference/readers.js';
import { scratch } from './helpers.js';

const files = scratch();
afterAll(() => files.cleanup());

describe('JSON Lines reader', () => {
  it('takes the union of the columns in first-seen order and fills missing ones with null', async () => {
    const path = files.write(
      'union.jsonl',
      ['{"a": 1, "b": "x"}', '{"c": true, "a": 2}', '{"b": null, "d": -1.5}'].join('\n') + '\n',
    );
    const { rows, columns, format } = await readReferenceRows(path);
    expect(format).toBe('jsonl');
    expect(columns).toEqual(['a', 'b', 'c', 'd']);
    expect(rows).toEqual([
      { a: 1, b: 'x', c: null, d: null },
      { a: 2, b: null, c: true, d: null },
      { a: null, b: null, c: null, d: -1.5 },
    ]);
  });

  it('uses the features object of inference-event shaped rows and ignores the other keys', async () => {
    const path = files.write(
      'events.ndjson',
      [
        '{"id": "e1", "model": "m", "ts": 1, "features": {"age": 31, "country": "DE"}, "prediction": 0.2}',
        '{"features": {"age": 40, "vip": false}}',
        '{"age": 22, "country": "FR"}',
      ].join('\n'),
    );
    const { rows, columns } = await readReferenceRows(path);
    expect(columns).toEqual(['age', 'country', 'vip']);
    expect(rows).toEqual([
      { age: 31, country: 'DE', vip: null },
      { age: 40, country: null, vip: false },
      { age: 22, country: 'FR', vip: null },
    ]);
  });

  it('keeps JSON strings as strings, skips blank lines, accepts a BOM, CRLF and .json-lines', async () => {
    const path = files.write('strings.json-lines', '\uFEFF{"a": "12", "b": "NA"}\r\n\r\n   \n{"a": "x", "b": ""}\r\n');
    const { rows } = await readReferenceRows(path);
    expect(rows).toEqual([
      { a: '12', b: 'NA' },
      { a: 'x', b: '' },
    ]);
  });

  it('reads a column called __proto__ as data, not as a prototype', async () => {
    const path = files.write('proto.jsonl', '{"__proto__": 1, "a": 1}\n{"a": 2}\n');
    const { rows, columns } = await readReferenceRows(path);
    expect(columns).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(rows[1])).toBe(Object.prototype);
    expect(Object.hasOwn(rows[1]!, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(rows[1], '__proto__')?.value).toBeNull();
  });

  it('stops at maxRows and reports progress', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i }));
    const path = files.write('many.jsonl', lines.join('\n'));
    const seen: number[] = [];
    const { rows } = await readReferenceRows(path, { maxRows: 7, onProgress: (p) => seen.push(p.rows) });
    expect(rows.map((r) => r['i'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen[seen.length - 1]).toBe(7);
  });
});
