/**
 * Reads what `shiftwatch replay` replays, as the events the service would receive:
 *  - CSV or JSON Lines with the reference's columns (features, the model's outputs as `prob_<class>`
 *    or however the reference declared them, an optional `label`, `id` and time column): each row
 *    becomes an event with `prediction.probs` in the bundle's class order, and its label a delayed label;
 *  - JSON Lines of contract-v1 events (`{"model", "id", "ts", "features", "prediction"}`), as is.
 * The file is streamed in batches, so a replay's memory does not grow with the file. Events are
 * replayed in file order, as `serve` takes them in arrival order; the time column only gives them
 * their times. Without one, events get times one millisecond apart from a fixed epoch, so a replay
 * never depends on the clock.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Row } from '../core/reference/row.js';
import { CsvParser, parseCsvCell } from '../core/reference/csv.js';
import { recognizeOutputs, type OutputDeclaration } from '../core/reference/output-columns.js';
import { ReferenceDataError, ReplayInputError } from '../core/errors.js';
import type { ReferenceBundle } from '../core/reference/bundle-types.js';
import { at } from '../core/indexing.js';

/** Times of events without a time column: this epoch plus one millisecond per row. */
export const REPLAY_EPOCH_MS = Date.UTC(2026, 0, 1);
/** Rows read before the model outputs are recognised (enough to tell probabilities from features). */
const SAMPLE_ROWS = 1000;
const BATCH = 4096;

export interface ReplayEvent {
  /** The event as the service would parse it from the events topic. */
  event: Record<string, unknown>;
  /** Its time (the broker timestamp the service would see). */
  ts: number;
  /** The delayed label found with it, if any. */
  label?: { model: string; id: string; label: number | string };
  /** The row as read, for rejected.jsonl. */
  source: unknown;
}

export interface ReplayInputOptions {
  /** The model of reference-shaped rows (contract events name their own). */
  model: string;
  bundle: ReferenceBundle;
  /** How the reference named its outputs (`--classes`, `--prob-prefix`), when not `prob_<class>`. */
  outputs?: OutputDeclaration;
  /** The time column; default: the bundle's (`fit --time-column`) when the input has it. */
  timeColumn?: string;
}

export interface ReplayInput {
  /** The events in replay order, in batches. */
  batches: AsyncIterable<ReplayEvent[]>;
  /** Bytes of the file read so far, of `total` (for a progress bar). */
  progress: { read: number; total: number };
  /** Columns of a reference-shaped input that are not features, outputs, label, id or time (passed on, counted as unknown). */
  unknownColumns: string[];
}

export async function openReplayInput(path: string, options: ReplayInputOptions): Promise<ReplayInput> {
  const total = (await stat(path).catch(() => ({ size: 0 }))).size;
  let current: ReturnType<typeof createReadStream> | undefined;
  const progress = { get read() { return current?.bytesRead ?? 0; }, total };
  const open = () => (current = createReadStream(path, { highWaterMark: 1 << 20 }));
  try {
    const jsonl = ['.jsonl', '.ndjson'].includes(extname(path).toLowerCase());
    if (!jsonl && extname(path).toLowerCase() !== '.csv') {
      throw new ReplayInputError(`cannot tell the format of ${path} from its extension: replay .csv (with a header row) or JSON Lines (.jsonl, .ndjson)`);
    }
    if (jsonl) {
      const first = await firstLine(path);
      if (first !== undefined && isContractEvent(first)) return { batches: contractEvents(path, open), unknownColumns: [], progress };
    }
    const rows = jsonl ? jsonRows(path, open) : csvRows(path, open);
    const sample: Row[] = [];
    let columns: string[] = [];
    const iterator = rows[Symbol.asyncIterator]();
    while (sample.length < SAMPLE_ROWS) {
      const next = await iterator.next();
      if (next.done) break;
      columns = next.value.columns;
      sample.push(...next.value.rows);
    }
    const convert = rowConverter(sample, columns, options);
    const rest = { [Symbol.asyncIterator]: () => iterator };
    return { batches: rethrowing(path, streamed(sample, rest, convert.event)), unknownColumns: convert.unknownColumns, progress };
  } catch (error) {
    throw asReplayError(path, error);
  }
}

/** Reading errors speak of "reference data"; here the file is the stream to replay. */
function asReplayError(path: string, error: unknown): unknown {
  if (!(error instanceof ReferenceDataError)) return error;
  return new ReplayInputError(error.message.replace(/^reference (data|column)/, (_, what: string) => (what === 'data' ? path : 'column')).replace(/reference data/g, 'replay input'));
}

async function* rethrowing(path: string, batches: AsyncIterable<ReplayEvent[]>): AsyncIterable<ReplayEvent[]> {
  try {
    yield* batches;
  } catch (error) {
    throw asReplayError(path, error);
  }
}

interface RowBatch {
  rows: Row[];
  columns: string[];
}

type Open = () => NodeJS.ReadableStream;

async function* csvRows(path: string, open: Open): AsyncIterable<RowBatch> {
  let header: string[] | undefined;
  let pending: Row[] = [];
  const parser = new CsvParser(path, (cells, line) => {
    if (header === undefined) {
      header = cells.map((c) => c.trim());
      return;
    }
    if (cells.length !== header.length) {
      throw new ReferenceDataError(undefined, `${path} line ${line} has ${cells.length} cells but the header has ${header.length}`, 'give every row one cell per header column');
    }
    const row = Object.create(null) as Row; // a column may be called "__proto__"
    for (const [j, name] of header.entries()) row[name] = parseCsvCell(at(cells, j, 'CSV cells'));
    pending.push(row);
  });
  const decoder = new StringDecoder('utf8');
  for await (const chunk of open() as AsyncIterable<Buffer>) {
    parser.push(decoder.write(chunk));
    if (pending.length > 0) {
      yield { rows: pending, columns: header! };
      pending = [];
    }
  }
  parser.push(decoder.end());
  parser.end();
  if (pending.length > 0) yield { rows: pending, columns: header ?? [] };
}

async function* jsonRows(path: string, open: Open): AsyncIterable<RowBatch> {
  const columns = new Set<string>();
  let rows: Row[] = [];
  let n = 0;
  for await (const line of createInterface({ input: open(), crlfDelay: Infinity })) {
    n += 1;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new ReferenceDataError(undefined, `${path} line ${n} is not valid JSON (${(error as Error).message})`, 'write one JSON object per line');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ReferenceDataError(undefined, `${path} line ${n} is not a JSON object`, 'write one JSON object per line');
    for (const key of Object.keys(parsed)) columns.add(key);
    rows.push(parsed as Row);
    if (rows.length >= BATCH) {
      yield { rows, columns: [...columns] };
      rows = [];
    }
  }
  if (rows.length > 0) yield { rows, columns: [...columns] };
}

async function firstLine(path: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    lines.close();
    return line;
  }
  return undefined;
}

function isContractEvent(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { features?: unknown }).features === 'object';
  } catch {
    return false;
  }
}

/** Contract events, one per line; a line that is not JSON still becomes an "event" the monitor will reject. */
async function* contractEvents(path: string, open: Open): AsyncIterable<ReplayEvent[]> {
  let batch: ReplayEvent[] = [];
  let i = 0;
  for await (const line of createInterface({ input: open(), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let parsed: unknown = line;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Kept as the raw text: the monitor dead-letters it like a malformed message.
    }
    const raw = (parsed as { ts?: unknown } | null)?.ts;
    const ts = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
    batch.push({ event: parsed as Record<string, unknown>, ts: Number.isFinite(ts) ? ts : REPLAY_EPOCH_MS + i, source: parsed });
    i += 1;
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function* streamed(sample: Row[], rest: AsyncIterable<RowBatch>, event: (row: Row, index: number) => ReplayEvent): AsyncIterable<ReplayEvent[]> {
  let index = 0;
  const convert = (rows: readonly Row[]) => rows.map((row) => event(row, index++));
  yield convert(sample);
  for await (const batch of rest) yield convert(batch.rows);
}

interface RowConverter {
  timeColumn: string | undefined;
  unknownColumns: string[];
  event(row: Row, index: number): ReplayEvent;
}

/** How a reference-shaped row becomes an event, decided once from the columns and a sample of rows. */
function rowConverter(sample: readonly Row[], columns: readonly string[], options: ReplayInputOptions): RowConverter {
  const { bundle, model } = options;
  const timeColumn = options.timeColumn ?? (bundle.order.timeColumn !== null && columns.includes(bundle.order.timeColumn) ? bundle.order.timeColumn : undefined);
  if (timeColumn !== undefined && !columns.includes(timeColumn)) {
    throw new ReferenceDataError(timeColumn, 'is named by --time-column but is not in the replay input', `check the spelling; the columns are: ${columns.join(', ')}`);
  }
  const featureNames = bundle.features.map((f) => f.name);
  const missing = featureNames.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new ReferenceDataError(missing[0], `the replay input lacks ${missing.length === 1 ? 'this feature' : `${missing.length} features of the bundle: ${missing.join(', ')}`}`, 'replay a file with the reference\'s columns (or contract events in JSON Lines)');
  }
  const featureColumns = bundle.features.map((f) => ({ name: f.name, categorical: f.kind === 'categorical' }));
  const ref = bundle.predictions;
  const outputs = ref === undefined ? undefined : recognizeOutputs(sample, columns, options.outputs ?? {}, new Set(featureNames));
  if (ref !== undefined && outputs === undefined) {
    throw new ReferenceDataError(undefined, `model ${model} is a classifier but the replay input has no model outputs (${ref.input === 'probs' ? 'prob_' : 'logit_'}<class> columns)`, 'replay a file with the outputs the reference had; if they are named otherwise, pass the same --classes / --prob-prefix as to fit');
  }
  if (outputs !== undefined && ref !== undefined) {
    const unknown = outputs.classNames.filter((c) => !ref.classNames.includes(c));
    if (unknown.length > 0) throw new ReferenceDataError(outputs.columns[0], `the replay input's outputs name the class ${JSON.stringify(unknown[0])}, which model ${model} does not have (${ref.classNames.join(', ')})`, 'replay data of the model the bundle was fitted for');
  }
  const regression = bundle.regression !== undefined && columns.includes('prediction');
  const roles = new Set([...featureNames, ...(outputs?.columns ?? []), 'label', 'id', 'model', ...(timeColumn ? [timeColumn] : []), ...(regression ? ['prediction'] : [])]);
  const unknownColumns = columns.filter((c) => !roles.has(c));
  const outputKey = ref?.input ?? 'probs';
  // In the bundle's class order, as an array: what an event keyed by class name would be read as.
  const outputColumns = ref === undefined || outputs === undefined ? [] : ref.classNames.map((c) => at(outputs.columns, outputs.classNames.indexOf(c), 'model output columns'));
  return {
    timeColumn,
    unknownColumns,
    event(row, index) {
      const id = row.id === null || row.id === undefined ? `row-${index + 1}` : String(row.id);
      const features: Record<string, unknown> = {};
      for (const { name, categorical } of featureColumns) {
        const v = row[name] ?? null;
        features[name] = v !== null && categorical ? String(v) : v;
      }
      for (const name of unknownColumns) features[name] = row[name] ?? null;
      const ts = timeColumn === undefined ? REPLAY_EPOCH_MS + index : toMillis(row[timeColumn]);
      const event: Record<string, unknown> = { model, id, ts, features };
      if (outputs !== undefined) {
        const values = outputColumns.map((column) => row[column] ?? null);
        event.prediction = outputKey === 'probs' ? { probs: values } : { logits: values };
      } else if (regression) event.prediction = { value: row.prediction };
      const label = row.label;
      const replayed: ReplayEvent = { event, ts, source: row };
      if (label !== null && label !== undefined && ref !== undefined) replayed.label = { model, id, label: label as number | string };
      return replayed;
    },
  };
}

function toMillis(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Date.parse(v);
  return NaN;
}
