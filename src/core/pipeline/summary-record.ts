/**
 * What shared replicas hand over on the summaries topic, keyed by model so that one aggregator owns
 * each model (docs/operations.md, "Replicas"):
 *
 * - `window`: a count window one worker cut from one input partition, or one input partition's part
 *   of an event-time window, with its mergeable summary and, for classification models, the event
 *   ids of its prediction rows (for the label join);
 * - `progress`: an input partition's clock and whether it went quiet, so the aggregator knows when
 *   no partition can still send an earlier window;
 * - `labels`: delayed labels, checked and resolved to class indices by the worker that read them,
 *   with their times when read in event time (labels/label-queue.ts; absent: arrival order).
 *
 * Versioned JSON. The long per-row arrays of a window's summary (flow rows, class probabilities,
 * regression values) travel as the base64 of their float64 bytes: exact, about half the size of
 * their JSON text, and quicker to write and read. A record this version cannot read fully is refused
 * with an error that says what. A record larger than the topic takes travels in pieces
 * (summary-pieces.ts).
 */
import type { WindowSummary } from '../window/summary.js';
import type { WindowPart } from '../window/windower.js';

export const SUMMARY_RECORD_VERSION = 1;

export type SummaryRecord =
  | { kind: 'window'; model: string; lane: WindowPart; ids?: (string | null)[] }
  | { kind: 'progress'; model: string; partition: string; clock: number; quiet: boolean }
  | { kind: 'labels'; model: string; ids: string[]; labels: number[]; times?: number[] };

export class SummaryRecordError extends Error {
  constructor(message: string) {
    super(`${message}; the summaries topic was written by another version of shiftwatch or by something else: run one version per group, or give this group a new summaries topic`);
    this.name = 'SummaryRecordError';
  }
}

export function encodeSummaryRecord(r: SummaryRecord): string {
  if (r.kind === 'progress') return JSON.stringify({ v: SUMMARY_RECORD_VERSION, ...r, clock: Number.isFinite(r.clock) ? r.clock : null });
  if (r.kind === 'window') return JSON.stringify({ v: SUMMARY_RECORD_VERSION, ...r, lane: { ...r.lane, summary: packRows(r.lane.summary) } });
  return JSON.stringify({ v: SUMMARY_RECORD_VERSION, ...r });
}

/** A summary whose per-row arrays are base64 float64 strings. */
function packRows(s: WindowSummary): unknown {
  return {
    ...s,
    ...(s.flow ? { flow: { ...s.flow, rows: packFloats(s.flow.rows) } } : {}),
    ...(s.predictions ? { predictions: { ...s.predictions, probs: packFloats(s.predictions.probs) } } : {}),
    ...(s.regression ? { regression: { ...s.regression, values: packFloats(s.regression.values) } } : {}),
  };
}

function unpackRows(s: Record<string, unknown>, bad: (what: string) => Error): void {
  for (const [part, field] of [['flow', 'rows'], ['predictions', 'probs'], ['regression', 'values']] as const) {
    const holder = s[part] as Record<string, unknown> | undefined;
    if (holder === undefined) continue;
    if (holder === null || typeof holder !== 'object' || typeof holder[field] !== 'string') throw bad(`${part}.${field} must be base64 float64 values`);
    holder[field] = unpackFloats(holder[field] as string, bad);
  }
}

function packFloats(values: readonly number[]): string {
  return Buffer.from(Float64Array.from(values).buffer).toString('base64');
}

function unpackFloats(text: string, bad: (what: string) => Error): number[] {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) throw bad('a base64 float64 array has a length that is not a multiple of 8 bytes');
  // Copied into an aligned buffer: the decoded bytes may start at any offset of Node's pool.
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return Array.from(new Float64Array(aligned.buffer));
}

export function decodeSummaryRecord(text: string): SummaryRecord {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new SummaryRecordError(`a summaries record is not JSON (${(error as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new SummaryRecordError('a summaries record is not a JSON object');
  if (o.v !== SUMMARY_RECORD_VERSION) throw new SummaryRecordError(`summaries record version ${JSON.stringify(o.v)} cannot be read (this version reads ${SUMMARY_RECORD_VERSION})`);
  const model = o.model;
  if (typeof model !== 'string' || model === '') throw new SummaryRecordError('a summaries record has no model');
  const bad = (what: string) => new SummaryRecordError(`a ${String(o.kind)} record of model ${model}: ${what}`);
  switch (o.kind) {
    case 'progress': {
      if (typeof o.partition !== 'string' || typeof o.quiet !== 'boolean' || (o.clock !== null && typeof o.clock !== 'number')) throw bad('needs partition, clock and quiet');
      return { kind: 'progress', model, partition: o.partition, clock: o.clock === null ? -Infinity : (o.clock as number), quiet: o.quiet };
    }
    case 'labels': {
      const { ids, labels } = o;
      if (!Array.isArray(ids) || !Array.isArray(labels) || ids.length !== labels.length) throw bad('needs ids and class indices of equal length');
      if (!ids.every((id) => typeof id === 'string') || !labels.every((l) => Number.isInteger(l) && (l as number) >= 0)) throw bad('ids must be strings and labels class indices');
      const { times } = o;
      if (times === undefined) return { kind: 'labels', model, ids: ids as string[], labels: labels as number[] };
      if (!Array.isArray(times) || times.length !== ids.length || !times.every((t) => typeof t === 'number')) throw bad('times must be one number per label');
      return { kind: 'labels', model, ids: ids as string[], labels: labels as number[], times: times as number[] };
    }
    case 'window': {
      const lane = o.lane as Record<string, unknown> | null;
      if (lane === null || typeof lane !== 'object') throw bad('has no window');
      const numbers = ['keyClock', 'keyOffset', 'firstOffset', 'endOffset'] as const;
      if (typeof lane.id !== 'string' || typeof lane.partitionKey !== 'string' || !numbers.every((k) => typeof lane[k] === 'number')) throw bad('the window needs id, partitionKey, keyClock, keyOffset, firstOffset and endOffset');
      if (lane.lateEvents !== undefined && !(Number.isInteger(lane.lateEvents) && (lane.lateEvents as number) >= 0)) throw bad(`window ${lane.id}: lateEvents must be a count`);
      const summary = lane.summary as Record<string, unknown> | null;
      if (summary === null || typeof summary !== 'object' || typeof summary.n !== 'number' || !Array.isArray(summary.features)) throw bad(`window ${lane.id} has no summary`);
      unpackRows(summary, (what) => bad(`window ${lane.id}: ${what}`));
      if (o.ids !== undefined && !Array.isArray(o.ids)) throw bad('ids must be a list');
      return { kind: 'window', model, lane: lane as unknown as WindowPart, ...(o.ids === undefined ? {} : { ids: o.ids as (string | null)[] }) };
    }
    default:
      throw new SummaryRecordError(`a summaries record of model ${model} has kind ${JSON.stringify(o.kind)}; expected window, progress or labels`);
  }
}
