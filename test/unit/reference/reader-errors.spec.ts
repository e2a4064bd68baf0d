import { readReferenceRows } from '../../../src/core/reference/readers.js';
import { expectRefError, scratch } from './helpers.js';

const files = scratch();
afterAll(() => files.cleanup());

describe('reference reader errors', () => {
  it('rejects an unknown extension and says which formats work', async () => {
    const path = files.write('data.parquet', 'x');
    const err = await expectRefError(() => readReferenceRows(path), '".parquet"', '.csv', '.jsonl');
    expect(err.column).toBeUndefined();
  });

  it('rejects a missing file', async () => {
    await expectRefError(() => readReferenceRows(files.write('x.csv', '') + '.gone.csv'), 'cannot read', 'Fix: check the reference data path');
  });

  it.each([
    ['empty.csv', ''],
    ['blank.csv', '\n\n'],
    ['empty.jsonl', ''],
    ['blank.jsonl', '\n  \n'],
  ])('says "no rows" for an empty file (%s)', async (name, content) => {
    await expectRefError(() => readReferenceRows(files.write(name, content)), 'no rows', 'no data');
  });

  it('says "no rows" for a CSV with only a header', async () => {
    await expectRefError(() => readReferenceRows(files.write('header.csv', 'a,b\n')), 'no rows', 'only a header row');
  });

  it('names the physical line of a ragged row, counting line breaks inside quotes', async () => {
    const path = files.write('ragged.csv', 'a,b\n1,"two\nlines"\n2,3\n4,5,6\n7,8\n');
    const err = await expectRefError(() => readReferenceRows(path), 'ragged.csv line 5 has 3 cells but the header has 2', 'quote');
    expect(err.column).toBeUndefined();
  });

  it('names the line of a short row', async () => {
    await expectRefError(() => readReferenceRows(files.write('short.csv', 'a,b,c\n1,2,3\n4,5\n')), 'line 3 has 2 cells');
  });

  it('names the line of an unclosed quote and of junk after a closing quote', async () => {
    await expectRefError(() => readReferenceRows(files.write('open.csv', 'a,b\n1,2\n3,"never\nclosed\n')), 'line 3', 'never closed');
    await expectRefError(() => readReferenceRows(files.write('junk.csv', 'a,b\n1,"x"y\n')), 'line 2', 'after a closing quote');
  });

  it('rejects empty and duplicate header names', async () => {
    await expectRefError(() => readReferenceRows(files.write('noname.csv', ',a\n0,1\n')), 'header cell 1 is empty', 'index=False');
    const dup = await expectRefError(() => readReferenceRows(files.write('dup.csv', 'a,b, a\n1,2,3\n')), 'reference column "a"', 'twice');
    expect(dup.column).toBe('a');
  });

  it('names the line of invalid JSON', async () => {
    const path = files.write('bad.jsonl', '{"a": 1}\n\n{"a": 2,}\n{"a": 3}\n');
    await expectRefError(() => readReferenceRows(path), 'bad.jsonl line 3 is not valid JSON', 'one JSON object per line');
  });

  it('names the line of a JSON value that is not an object', async () => {
    await expectRefError(() => readReferenceRows(files.write('arr.jsonl', '{"a": 1}\n[1, 2]\n')), 'line 2 is an array, not a JSON object');
    await expectRefError(() => readReferenceRows(files.write('num.jsonl', '7\n')), 'line 1 is a number, not a JSON object');
  });

  it('names the key and the line of a nested value', async () => {
    const path = files.write('nested.jsonl', '{"a": 1, "b": "x"}\n{"a": 2, "b": {"c": 1}}\n');
    const err = await expectRefError(() => readReferenceRows(path), 'reference column "b"', 'line 2', 'an object', 'flatten');
    expect(err.column).toBe('b');
    const arr = await expectRefError(
      () => readReferenceRows(files.write('nested-arr.jsonl', '{"features": {"tags": ["a"]}}\n')),
      'line 1: value is an array',
    );
    expect(arr.column).toBe('tags');
  });

  it('rejects a JSON number too large to be finite', async () => {
    const err = await expectRefError(() => readReferenceRows(files.write('inf.jsonl', '{"x": 1e999}\n')), 'line 1', 'non-finite number Infinity');
    expect(err.column).toBe('x');
  });
});
