/**
 * What shared replicas hand over on the summaries topic, keyed by model so that one aggregator owns
 * each model (docs/operations.md, "Replicas"):
 *
 * - `window`: a count window one worker cut from one input partition, with its mergeable summary
 *   and, for classification models, the event ids of its prediction rows (for the label join);
 * - `progress`: an input partition's clock and whether it went quiet, so the aggregator knows when
 *   no partition can still send an earlier window;
 * - `labels`: delayed labels, checked and resolved to class indices by the worker that read them.
 *
 * Versioned JSON. A record this version cannot read fully is refused with an error that says what.
 */
import type { LanePartial } from '../window/windower.js';

export const SUMMARY_RECORD_VERSION = 1;

export type SummaryRecord =
  | { kind: 'window'; model: string; lane: LanePartial; ids?: (string | null)[] }
  | { kind: 'progress'; model: string; partition: string; clock: number; quiet: boolean }
  | { kind: 'labels'; model: string; ids: string[]; labels: number[] };

export class SummaryRecordError extends Error {
  constructor(message: string) {
    super(`${message}; the summaries topic was written by another version of shiftwatch or by something else: run one version per group, or give this group a new summaries topic`);
    this.name = 'SummaryRecordError';
  }
}

export function encodeSummaryRecord(r: SummaryRecord): string {
  if (r.kind === 'progress') return JSON.stringify({ v: SUMMARY_RECORD_VERSION, ...r, clock: Number.isFinite(r.clock) ? r.clock : null });
  return JSON.stringify({ v: SUMMARY_RECORD_VERSION, ...r });
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
      return { kind: 'labels', model, ids: ids as string[], labels: labels as number[] };
    }
    case 'window': {
      const lane = o.lane as Record<string, unknown> | null;
      if (lane === null || typeof lane !== 'object') throw bad('has no window');
      const numbers = ['keyClock', 'keyOffset', 'firstOffset', 'endOffset'] as const;
      if (typeof lane.id !== 'string' || typeof lane.partitionKey !== 'string' || !numbers.every((k) => typeof lane[k] === 'number')) throw bad('the window needs id, partitionKey, keyClock, keyOffset, firstOffset and endOffset');
      const summary = lane.summary as Record<string, unknown> | null;
      if (summary === null || typeof summary !== 'object' || typeof summary.n !== 'number' || !Array.isArray(summary.features)) throw bad(`window ${lane.id} has no summary`);
      if (o.ids !== undefined && !Array.isArray(o.ids)) throw bad('ids must be a list');
      return { kind: 'window', model, lane: lane as unknown as LanePartial, ...(o.ids === undefined ? {} : { ids: o.ids as (string | null)[] }) };
    }
    default:
      throw new SummaryRecordError(`a summaries record of model ${model} has kind ${JSON.stringify(o.kind)}; expected window, progress or labels`);
  }
}
