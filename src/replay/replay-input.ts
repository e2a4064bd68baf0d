/**
 * Reads what `shiftwatch replay` replays, as the events the service would receive:
 *  - CSV or JSON Lines with the reference's columns (features, the model's outputs as `prob_<class>`
 *    or however the reference declared them, an optional `label`, `id` and time column): each row
 *    becomes an event with `prediction.probs` keyed by class name, and its label a delayed label;
 *  - JSON Lines of contract-v1 events (`{"model", "id", "ts", "features", "prediction"}`), as is.
 * Rows are put in time order when there is a time column (stably). Without one, events get times
 * one millisecond apart from a fixed epoch, so a replay never depends on the clock.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import { readReferenceRows, type Row } from '../core/reference/readers.js';
import { recognizeOutputs, type OutputDeclaration } from '../core/reference/output-columns.js';
import { timeOrder } from '../core/reference/time-order.js';
import { ReferenceDataError, ReplayInputError } from '../core/errors.js';
import type { ReferenceBundle } from '../core/reference/bundle-types.js';

/** Times of events without a time column: this epoch plus one millisecond per row. */
export const REPLAY_EPOCH_MS = Date.UTC(2026, 0, 1);

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
  events: ReplayEvent[];
  /** Columns of a reference-shaped input that are not features, outputs, label, id or time (passed on, counted as unknown). */
  unknownColumns: string[];
}

export async function readReplayInput(path: string, options: ReplayInputOptions): Promise<ReplayInput> {
  try {
    const format = extname(path).toLowerCase();
    if (format === '.jsonl' || format === '.ndjson') {
      const first = await firstLine(path);
      if (first !== undefined && isContractEvent(first)) return { events: await readContractEvents(path), unknownColumns: [] };
    }
    const { rows, columns } = await readReferenceRows(path);
    return fromRows(rows, columns, options);
  } catch (error) {
    // The readers speak of "reference data"; here the file is the stream to replay.
    if (error instanceof ReferenceDataError) throw new ReplayInputError(error.message.replace(/^reference (data|column)/, (_, what: string) => (what === 'data' ? path : `column`)).replace(/reference data/g, 'replay input'));
    throw error;
  }
}

function isContractEvent(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { features?: unknown }).features === 'object';
  } catch {
    return false;
  }
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

/** Contract events, one per line; a line that is not JSON still becomes an "event" the monitor will reject. */
async function readContractEvents(path: string): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let parsed: unknown = line;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Kept as the raw text: the monitor dead-letters it like a malformed message.
    }
    const i = events.length;
    const ts = typeof (parsed as { ts?: unknown })?.ts === 'number' ? (parsed as { ts: number }).ts
      : typeof (parsed as { ts?: unknown })?.ts === 'string' ? Date.parse((parsed as { ts: string }).ts) : NaN;
    events.push({ event: parsed as Record<string, unknown>, ts: Number.isFinite(ts) ? ts : REPLAY_EPOCH_MS + i, source: parsed });
  }
  return events;
}

function fromRows(rows: Row[], columns: readonly string[], options: ReplayInputOptions): ReplayInput {
  const { bundle, model } = options;
  const timeColumn = options.timeColumn ?? (bundle.order.timeColumn !== null && columns.includes(bundle.order.timeColumn) ? bundle.order.timeColumn : undefined);
  const featureNames = bundle.features.map((f) => f.name);
  const missing = featureNames.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new ReferenceDataError(missing[0], `the replay input lacks ${missing.length === 1 ? 'this feature' : `${missing.length} features of the bundle: ${missing.join(', ')}`}`, 'replay a file with the reference\'s columns (or contract events in JSON Lines)');
  }
  const categorical = new Set(bundle.features.filter((f) => f.kind === 'categorical').map((f) => f.name));
  const ref = bundle.predictions;
  const outputs = ref === undefined ? undefined : recognizeOutputs(rows.slice(0, 1000), columns, options.outputs ?? {}, new Set(featureNames));
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
  const order = timeColumn === undefined ? undefined : timeOrder(rows, columns, timeColumn);
  const outputKey = ref?.input ?? 'probs';
  const columnsInBundleOrder = ref === undefined || outputs === undefined ? [] : ref.classNames.map((c) => outputs.columns[outputs.classNames.indexOf(c)]!);
  const events = (order ?? rows.map((_, i) => i)).map((r, i): ReplayEvent => {
    const row = rows[r]!;
    const id = row.id === null || row.id === undefined ? `row-${r + 1}` : String(row.id);
    const features: Record<string, unknown> = {};
    for (const name of featureNames) {
      const v = row[name] ?? null;
      features[name] = v !== null && categorical.has(name) ? String(v) : v;
    }
    for (const c of unknownColumns) features[c] = row[c] ?? null;
    const ts = timeColumn === undefined ? REPLAY_EPOCH_MS + i : toMillis(row[timeColumn]);
    const event: Record<string, unknown> = { model, id, ts, features };
    // In the bundle's class order, as an array: what an event keyed by class name would be read as.
    if (outputs !== undefined) event.prediction = { [outputKey]: columnsInBundleOrder.map((c) => row[c] ?? null) };
    else if (regression) event.prediction = { value: row.prediction };
    const label = row.label;
    return { event, ts, source: row, ...(label !== null && label !== undefined && (ref !== undefined) ? { label: { model, id, label: label as number | string } } : {}) };
  });
  return { events, unknownColumns };
}

function toMillis(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Date.parse(v);
  return NaN;
}
