/**
 * Streams a reference data file (CSV or JSON Lines) into typed rows for `shiftwatch fit`.
 * The file is read in chunks, never whole, and progress is reported after every chunk and once at
 * the end. Every problem is a ReferenceDataError naming the file line (and the column when there is one).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import { CsvParser, parseCsvCell } from './csv.js';
import type { CellValue, Row } from './row.js';

export interface ReadOptions {
  onProgress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
  /** Stop after this many data rows (the rest of the file is not read). */
  maxRows?: number;
}
export interface ReadResult {
  rows: Row[];
  format: 'csv' | 'jsonl';
  columns: string[];
}

const FORMATS: Record<string, 'csv' | 'jsonl'> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json-lines': 'jsonl' };

/**
 * Reads `path`, choosing the format by extension (.csv; .jsonl, .ndjson, .json-lines).
 * CSV: header row required (names trimmed, non-empty, unique); see parseCsvCell for cell typing.
 * JSONL: one object per line, blank lines skipped; values must be numbers, strings, booleans or null
 * (JSON strings stay strings, even "12" or "NA"); a row `{ "features": {...}, ... }` (the inference
 * event shape) contributes its `features`, its `label` and its prediction (see flattenEvent). Columns are the union in first-seen order and
 * rows missing a column get null for it.
 */
export async function readReferenceRows(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new ReferenceDataError(
      undefined,
      `cannot tell the format of ${path} from its extension "${extname(path)}"`,
      'export the reference as .csv (with a header row) or as JSON Lines (.jsonl, .ndjson or .json-lines)',
    );
  }
  let totalBytes: number;
  try {
    totalBytes = (await stat(path)).size;
  } catch (e) {
    throw new ReferenceDataError(undefined, `cannot read ${path} (${(e as Error).message})`, 'check the reference data path');
  }
  const maxRows = options.maxRows ?? Infinity;
  const rows: Row[] = [];
  const sink = format === 'csv' ? csvSink(path, rows, maxRows) : jsonlSink(path, rows, maxRows);
  let bytes = 0;
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte order mark
      first = false;
    }
    sink.push(text);
    options.onProgress?.({ bytes, totalBytes, rows: rows.length });
    if (rows.length >= maxRows) break;
  }
  if (rows.length < maxRows) {
    sink.push(decoder.end());
    sink.end();
  }
  options.onProgress?.({ bytes, totalBytes, rows: rows.length });
  const columns = sink.columns();
  if (rows.length === 0) {
    const what = format === 'csv' && columns.length > 0 ? 'only a header row' : 'no data';
    throw new ReferenceDataError(
      undefined,
      `no rows: ${path} has ${what}`,
      format === 'csv' ? 'export the reference data with a header row followed by data rows' : 'write one JSON object per line',
    );
  }
  if (format === 'jsonl') fillMissing(rows, columns);
  return { rows, format, columns };
}

interface Sink {
  push(text: string): void;
  end(): void;
  columns(): string[];
}

/** Sets a cell without ever touching the prototype (a column may be called "__proto__"). */
function setCell(row: Row, key: string, value: CellValue): void {
  if (key === '__proto__') Object.defineProperty(row, key, { value, writable: true, enumerable: true, configurable: true });
  else row[key] = value;
}

function csvSink(path: string, rows: Row[], maxRows: number): Sink {
  let header: string[] | undefined;
  const parser = new CsvParser(path, (cells, line) => {
    if (header === undefined) {
      header = checkHeader(path, cells);
      return;
    }
    if (cells.length !== header.length) {
      throw new ReferenceDataError(
        undefined,
        `${path} line ${line} has ${cells.length} cells but the header has ${header.length}`,
        'give every row one cell per header column, and quote cells that contain commas or line breaks ("a, b")',
      );
    }
    const row: Row = {};
    for (const [j, name] of header.entries()) setCell(row, name, parseCsvCell(at(cells, j, 'CSV cells')));
    rows.push(row);
    if (rows.length >= maxRows) parser.stopped = true;
  });
  return { push: (t) => parser.push(t), end: () => parser.end(), columns: () => header ?? [] };
}

function checkHeader(path: string, cells: string[]): string[] {
  const names = cells.map((c) => c.trim());
  const seen = new Set<string>();
  names.forEach((name, j) => {
    if (name === '') {
      throw new ReferenceDataError(
        undefined,
        `${path} line 1: header cell ${j + 1} is empty`,
        'name every column in the header row (a pandas index exports as an unnamed column: use to_csv(index=False))',
      );
    }
    if (seen.has(name)) {
      throw new ReferenceDataError(name, `${path} line 1: the header names this column twice`, 'give every column a unique name');
    }
    seen.add(name);
  });
  return names;
}

function jsonlSink(path: string, rows: Row[], maxRows: number): Sink {
  const columns = new Set<string>();
  let pending = '';
  let line = 0;
  const handle = (raw: string): void => {
    line += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (rows.length >= maxRows || text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ReferenceDataError(
        undefined,
        `${path} line ${line} is not valid JSON (${(e as Error).message})`,
        'write exactly one JSON object per line (JSON Lines), with no line breaks inside an object',
      );
    }
    if (!isPlainObject(parsed)) {
      throw new ReferenceDataError(undefined, `${path} line ${line} is ${describe(parsed)}, not a JSON object`, 'write one JSON object per line, e.g. {"age": 31, "country": "DE"}');
    }
    const row = isPlainObject(parsed.features) ? flattenEvent(parsed, parsed.features) : parsed;
    for (const key of Object.keys(row)) {
      const v = row[key];
      const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
      if (!ok) {
        throw new ReferenceDataError(
          key,
          `${path} line ${line}: value is ${describe(v)}; only numbers, strings, booleans and null are supported`,
          'flatten nested values into top-level keys (e.g. "address.city": "Berlin") or drop them before fit',
        );
      }
      columns.add(key);
    }
    rows.push(row as Row);
  };
  return {
    push(text) {
      const parts = (pending + text).split('\n');
      pending = parts.pop()!;
      for (const part of parts) handle(part);
    },
    end() {
      if (pending !== '') handle(pending);
      pending = '';
    },
    columns: () => [...columns],
  };
}

/**
 * An inference-event-shaped row contributes its features, its label, and its prediction as the
 * columns `prob_<k>` / `logit_<k>` (an array: class index k; an object: class name k) or
 * `prediction` (a regression value).
 */
function flattenEvent(event: Record<string, unknown>, features: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...features };
  if (event.label !== undefined) row.label = event.label;
  const prediction = event.prediction;
  if (isPlainObject(prediction)) {
    for (const [key, prefix] of [['probs', 'prob'], ['logits', 'logit']] as const) {
      const v = prediction[key];
      if (Array.isArray(v)) v.forEach((x, k) => (row[`${prefix}_${k}`] = x));
      else if (isPlainObject(v)) for (const [name, x] of Object.entries(v)) row[`${prefix}_${name}`] = x;
    }
    if (prediction.value !== undefined) row.prediction = prediction.value;
  }
  return row;
}

function fillMissing(rows: Row[], columns: string[]): void {
  for (const row of rows) {
    if (Object.keys(row).length === columns.length) continue;
    for (const c of columns) if (!Object.hasOwn(row, c)) setCell(row, c, null);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : `the non-finite number ${String(v)}`;
  return `a ${typeof v}`;
}
