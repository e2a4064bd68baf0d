/**
 * Incremental RFC 4180 CSV parser: fed text chunk by chunk, it emits one record (array of raw cell
 * strings) at a time together with the physical line the record starts on. Quoted fields may hold
 * commas, doubled quotes ("") and line breaks. Records end at LF, CRLF or a lone CR.
 * Lenient where exporters commonly deviate: a quote inside an unquoted field is kept literally,
 * and fully blank lines are skipped. A character other than a separator right after a closing quote,
 * or a quote left open at end of input, is an error naming the line.
 */
import { ReferenceDataError } from '../errors.js';
import type { CellValue } from './row.js';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

const START = 0; // at the start of a field
const UNQUOTED = 1; // inside an unquoted field
const QUOTED = 2; // inside a quoted field
const AFTER_QUOTE = 3; // just read a quote inside a quoted field: closing quote, or first half of ""

export type RecordHandler = (cells: string[], line: number) => void;

export class CsvParser {
  private state = START;
  private field = '';
  private record: string[] = [];
  private sawQuote = false;
  private skipLf = false;
  private line = 1;
  private recordLine = 1;
  /** Set by the owner to stop parsing the rest of the input (e.g. after maxRows). */
  stopped = false;

  constructor(
    private readonly source: string,
    private readonly onRecord: RecordHandler,
  ) {}

  push(text: string): void {
    let run = -1; // start of a pending run of literal characters in `text`
    for (let i = 0; i < text.length && !this.stopped; i++) {
      const c = text.charCodeAt(i);
      if (this.skipLf) {
        this.skipLf = false;
        if (c === LF) continue;
      }
      if (this.state === QUOTED) {
        if (c === QUOTE) {
          if (run >= 0) this.field += text.slice(run, i);
          run = -1;
          this.state = AFTER_QUOTE;
        } else {
          if (run < 0) run = i;
          if (c === LF) this.line += 1;
        }
      } else if (this.state === AFTER_QUOTE) {
        if (c === QUOTE) {
          this.field += '"';
          this.state = QUOTED;
        } else if (c === COMMA) {
          this.endField();
        } else if (c === CR || c === LF) {
          this.endRecord(c);
        } else {
          throw new ReferenceDataError(
            undefined,
            `${this.source} line ${this.line}: unexpected character ${JSON.stringify(text[i])} after a closing quote`,
            'inside a quoted field write a quote as two quotes (""), and put nothing between the closing quote and the next comma',
          );
        }
      } else if (this.state === START && c === QUOTE) {
        this.state = QUOTED;
        this.sawQuote = true;
      } else if (c === COMMA || c === CR || c === LF) {
        if (run >= 0) this.field += text.slice(run, i);
        run = -1;
        if (c === COMMA) this.endField();
        else this.endRecord(c);
      } else {
        this.state = UNQUOTED;
        if (run < 0) run = i;
      }
    }
    if (run >= 0 && !this.stopped) this.field += text.slice(run);
  }

  /** Ends the input: flushes a last record without a trailing line break. */
  end(): void {
    if (this.stopped) return;
    if (this.state === QUOTED) {
      throw new ReferenceDataError(
        undefined,
        `${this.source} line ${this.recordLine}: a quoted field is never closed`,
        'close every opening quote; a quote inside a quoted field is written as two quotes ("")',
      );
    }
    if (this.state !== START || this.record.length > 0 || this.sawQuote) this.endRecord(-1);
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.state = START;
  }

  private endRecord(c: number): void {
    this.endField();
    const cells = this.record;
    const blank = cells.length === 1 && cells[0] === '' && !this.sawQuote;
    const line = this.recordLine;
    this.record = [];
    this.sawQuote = false;
    if (c === CR) this.skipLf = true;
    if (c >= 0) this.line += 1;
    this.recordLine = this.line;
    if (!blank) this.onRecord(cells, line);
  }
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Types one raw CSV cell. Quoting does not change the result (as in pandas): empty, `NA` and `null`
 * (any case, surrounding spaces ignored) are null; `true`/`false` (any case) are booleans; decimal
 * numbers that are finite are numbers (so `1e999`, `NaN`, `0x1F` stay strings); anything else is the
 * cell text, unchanged.
 */
export function parseCsvCell(raw: string): CellValue {
  const t = raw.trim();
  if (t === '') return null;
  if (t.length <= 5) {
    const lower = t.toLowerCase();
    if (lower === 'na' || lower === 'null') return null;
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  if (NUMBER.test(t)) {
    const v = Number(t);
    if (Number.isFinite(v)) return v;
  }
  return raw;
}
