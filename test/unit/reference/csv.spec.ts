import { CsvParser, parseCsvCell } from '../../../src/core/reference/csv.js';
import { readReferenceRows } from '../../../src/core/reference/readers.js';
import { scratch } from './helpers.js';

const files = scratch();
afterAll(() => files.cleanup());

function parseAll(chunks: string[]): Array<[string[], number]> {
  const out: Array<[string[], number]> = [];
  const p = new CsvParser('t.csv', (cells, line) => out.push([cells, line]));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}

describe('CSV reader', () => {
  it('handles quoted commas, doubled quotes and line breaks inside quotes', async () => {
    const path = files.write(
      'quotes.csv',
      'name,note,x\n"Smith, J.","said ""hi""",1\n"multi\nline","a\r\nb",2\n"",plain,3\n',
    );
    const { rows, columns, format } = await readReferenceRows(path);
    expect(format).toBe('csv');
    expect(columns).toEqual(['name', 'note', 'x']);
    expect(rows).toEqual([
      { name: 'Smith, J.', note: 'said "hi"', x: 1 },
      { name: 'multi\nline', note: 'a\r\nb', x: 2 },
      { name: null, note: 'plain', x: 3 },
    ]);
  });

  it('turns empty cells and NA/null (any case) into null, and types numbers and booleans', async () => {
    const path = files.write(
      'types.csv',
      'a,b,c,d,e,f,g\n,NA,na,null,NULL, Na ,N/A\n1e3,-0.5,.5,007,1e999,NaN,0x1F\ntrue,FALSE,True,abc, x ,"12",""\n',
    );
    const { rows } = await readReferenceRows(path);
    expect(rows[0]).toEqual({ a: null, b: null, c: null, d: null, e: null, f: null, g: 'N/A' });
    expect(rows[1]).toEqual({ a: 1000, b: -0.5, c: 0.5, d: 7, e: '1e999', f: 'NaN', g: '0x1F' });
    expect(rows[2]).toEqual({ a: true, b: false, c: true, d: 'abc', e: ' x ', f: 12, g: null });
  });

  it('accepts CRLF, a byte order mark, blank lines and a missing final line break', async () => {
    const path = files.write('crlf.csv', '\uFEFF a ,b\r\n1,x\r\n\r\n2,y\r\n\n3,z');
    const { rows, columns } = await readReferenceRows(path);
    expect(columns).toEqual(['a', 'b']);
    expect(rows).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
      { a: 3, b: 'z' },
    ]);
  });

  it('keeps a trailing empty cell and a quoted empty single-column row', () => {
    expect(parseAll(['a,b\n1,\n']).map(([c]) => c)).toEqual([['a', 'b'], ['1', '']]);
    expect(parseAll(['a\n""\n\nx']).map(([c]) => c)).toEqual([['a'], [''], ['x']]);
  });

  it('gives the same records whatever the chunk boundaries, with start lines', () => {
    const text = 'h1,h2\r\n"a,""b""\r\nc",d\r\n\r\ne,"f"\rg,h\n';
    const whole = parseAll([text]);
    expect(whole).toEqual([
      [['h1', 'h2'], 1],
      [['a,"b"\r\nc', 'd'], 2],
      [['e', 'f'], 5],
      [['g', 'h'], 6],
    ]);
    expect(parseAll([...text])).toEqual(whole);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
  });

  it('streams a multi-chunk file with progress, and stops at maxRows', async () => {
    const body = Array.from({ length: 60_000 }, (_, i) => `${i},"label ${i % 7}, quoted"`).join('\n');
    const path = files.write('big.csv', `x,tag\n${body}\n`);
    const seen: Array<{ bytes: number; totalBytes: number; rows: number }> = [];
    const { rows } = await readReferenceRows(path, { onProgress: (p) => seen.push(p) });
    expect(rows).toHaveLength(60_000);
    expect(rows[59_999]).toEqual({ x: 59_999, tag: 'label 2, quoted' });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
    const last = seen[seen.length - 1]!;
    expect(last.bytes).toBe(last.totalBytes);
    expect(last.rows).toBe(60_000);

    const limited = await readReferenceRows(path, { maxRows: 10 });
    expect(limited.rows).toHaveLength(10);
    expect(limited.rows[9]).toEqual({ x: 9, tag: 'label 2, quoted' });
  });

  it('types single cells', () => {
    expect(parseCsvCell(' 42 ')).toBe(42);
    expect(parseCsvCell('+1.5E-2')).toBe(0.015);
    expect(parseCsvCell('1.2.3')).toBe('1.2.3');
    expect(parseCsvCell('truth')).toBe('truth');
  });
});

describe('CSV header names', () => {
  it('reads a column called __proto__ as data, not as a prototype', async () => {
    const { rows } = await readReferenceRows(files.write('proto.csv', '__proto__,a\n1,2\n'));
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(rows[0], '__proto__')?.value).toBe(1);
  });
});
