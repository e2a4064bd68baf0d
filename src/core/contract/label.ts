/**
 * Data contract v1: delayed labels, `{ "model": "fraud-v3", "id": "req-8f2c", "label": 1, "ts": ... }`.
 * The label is a class name or a class index (a number, or a string holding one); which class it
 * means depends on the model's class list, so the monitor resolves it (predictions/classes.ts).
 */
import { parseTimestamp, type DeadLetterReason } from './event.js';

export interface LabelMessage {
  model: string;
  id: string;
  /** As sent: a class name or a class index. */
  label: number | string;
  /** When the label became known, epoch milliseconds: its `ts`, else the message's broker timestamp. */
  ts: number;
}

export type LabelDecodeResult = { ok: true; label: LabelMessage } | { ok: false; reason: DeadLetterReason; detail: string };

export function decodeLabel(bytes: Uint8Array | null, maxBytes: number, brokerTimestampMs: number): LabelDecodeResult {
  const fail = (reason: DeadLetterReason, detail: string): LabelDecodeResult => ({ ok: false, reason, detail });
  if (bytes === null || bytes.length === 0) return fail('empty', 'message has no value');
  if (bytes.length > maxBytes) return fail('oversized', `message is ${bytes.length} bytes, the limit is ${maxBytes} (kafka.maxMessageBytes)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch (error) {
    return fail('malformed_json', `not valid JSON: ${(error as Error).message}`);
  }
  return validateLabel(parsed, brokerTimestampMs);
}

/** Checks an already parsed label message. */
export function validateLabel(parsed: unknown, brokerTimestampMs: number): LabelDecodeResult {
  const fail = (reason: DeadLetterReason, detail: string): LabelDecodeResult => ({ ok: false, reason, detail });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('not_an_object', 'a label must be a JSON object');
  const o = parsed as Record<string, unknown>;
  if (typeof o.model !== 'string' || o.model === '') return fail('missing_model', 'field "model" is required');
  if (typeof o.id !== 'string' && typeof o.id !== 'number') return fail('invalid_field', 'field "id" (the event id the label belongs to) is required');
  const label = o.label;
  const valid = (typeof label === 'string' && label.trim() !== '') || (typeof label === 'number' && Number.isInteger(label) && label >= 0);
  if (!valid) {
    return fail('invalid_field', `"label" must be a class name or a class index (an integer >= 0), got ${label === undefined ? 'none' : JSON.stringify(label)}`);
  }
  const ts = parseTimestamp(o.ts, brokerTimestampMs);
  if (ts === undefined) return fail('invalid_field', '"ts" must be epoch milliseconds or an ISO-8601 string');
  return { ok: true, label: { model: o.model, id: String(o.id), label: label as number | string, ts } };
}
