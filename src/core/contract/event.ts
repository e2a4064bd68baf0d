/**
 * Data contract v1: inference events. Decoding never throws on bad input; it returns a reason from
 * a closed set so the message can be dead-lettered and counted.
 */
import { probabilityProblem } from './probabilities.js';

export type FeatureValue = number | string | boolean | null;

/**
 * A model output per class: an array in the order of the model's reference bundle, or an object
 * keyed by class name (mapped to that order by the model's class list, see classes.ts).
 */
export type ClassValues = number[] | Record<string, number>;

export interface Prediction {
  probs?: ClassValues;
  logits?: ClassValues;
  label?: number | string;
  value?: number;
}

export interface InferenceEvent {
  v: 1;
  model: string;
  id?: string;
  /** Event time, epoch milliseconds (the broker timestamp when the event carries none). */
  ts: number;
  features: Record<string, FeatureValue>;
  prediction?: Prediction;
}

export const DEAD_LETTER_REASONS = [
  'oversized',
  'empty',
  'malformed_json',
  'non_finite_number',
  'not_an_object',
  'unsupported_version',
  'missing_model',
  'invalid_field',
  'unknown_model',
  'wrong_type',
  'timestamp_out_of_range',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type DecodeResult =
  /** `featureCount`: how many keys the event's features hold (counted while checking them). */
  | { ok: true; event: InferenceEvent; featureCount: number }
  | { ok: false; reason: DeadLetterReason; detail: string };

export interface DecodeOptions {
  maxBytes: number;
  /** Used when the event has no `ts`, and as the reference time of `timestamps`. */
  brokerTimestampMs: number;
  /** The range an event's own `ts` must lie in; default: no check. */
  timestamps?: TimestampRange;
}

/** Event times accepted, relative to the message's broker timestamp and absolutely. */
export interface TimestampRange {
  /** Most milliseconds `ts` may be ahead of the broker timestamp. */
  maxFutureMs: number;
  /** Most milliseconds `ts` may be behind the broker timestamp; undefined: no limit. */
  maxPastMs?: number;
  /** Earliest `ts` accepted, epoch milliseconds. */
  earliestMs: number;
}

const fail = (reason: DeadLetterReason, detail: string): DecodeResult => ({ ok: false, reason, detail });
const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const NON_FINITE_LITERAL = /(?:^|[\s,:[])-?(?:NaN|Infinity)(?:[\s,}\]]|$)/;

export function decodeEvent(bytes: Uint8Array | null, options: DecodeOptions): DecodeResult {
  if (bytes === null || bytes.length === 0) return fail('empty', 'message has no value');
  if (bytes.length > options.maxBytes) {
    return fail('oversized', `message is ${bytes.length} bytes, the limit is ${options.maxBytes} (kafka.maxMessageBytes)`);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (NON_FINITE_LITERAL.test(text)) return fail('non_finite_number', 'NaN and Infinity are not valid JSON numbers');
    return fail('malformed_json', `not valid JSON: ${(error as Error).message}`);
  }
  return validateEvent(parsed, options.brokerTimestampMs, options.timestamps);
}

export function validateEvent(parsed: unknown, brokerTimestampMs: number, range?: TimestampRange): DecodeResult {
  if (!isPlainObject(parsed)) return fail('not_an_object', 'an event must be a JSON object');
  if (parsed.v !== undefined && parsed.v !== 1) return fail('unsupported_version', `v=${JSON.stringify(parsed.v)}; this service reads v=1`);
  const model = parsed.model;
  if (model === undefined || model === null || model === '') return fail('missing_model', 'field "model" is required');
  if (typeof model !== 'string') return fail('invalid_field', '"model" must be a string');
  if (parsed.id !== undefined && typeof parsed.id !== 'string' && typeof parsed.id !== 'number') {
    return fail('invalid_field', '"id" must be a string or a number');
  }
  const ts = parseTimestamp(parsed.ts, brokerTimestampMs);
  if (ts === undefined) return fail('invalid_field', '"ts" must be epoch milliseconds or an ISO-8601 string');
  const outOfRange = range === undefined ? undefined : timestampProblem(ts, brokerTimestampMs, range);
  if (outOfRange !== undefined) return fail('timestamp_out_of_range', outOfRange);
  if (!isPlainObject(parsed.features)) return fail('invalid_field', '"features" must be an object');
  const features = parsed.features;
  let featureCount = 0;
  for (const name in features) {
    featureCount += 1;
    const value = features[name];
    if (typeof value === 'number') {
      if (value - value !== 0) return fail('non_finite_number', `feature "${name}" is not a finite number`);
    } else if (value !== null && typeof value !== 'string' && typeof value !== 'boolean') {
      return fail('invalid_field', `feature "${name}" must be a number, string, boolean or null`);
    }
  }
  const prediction = validatePrediction(parsed.prediction);
  if (typeof prediction === 'string') return fail('invalid_field', prediction);
  const event: InferenceEvent = { v: 1, model, ts, features: parsed.features as Record<string, FeatureValue> };
  if (parsed.id !== undefined) event.id = String(parsed.id);
  if (prediction !== undefined) event.prediction = prediction;
  return { ok: true, event, featureCount };
}

/** A `ts` field: epoch milliseconds or an ISO-8601 string; `fallback` when absent; undefined when invalid. */
export function parseTimestamp(ts: unknown, fallback: number): number | undefined {
  if (ts === undefined || ts === null) return fallback;
  if (typeof ts === 'number') return Number.isFinite(ts) && ts >= 0 ? ts : undefined;
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

const shownTime = (ms: number) => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));

/** Why an event time lies outside the accepted range, or undefined. */
export function timestampProblem(ts: number, brokerMs: number, range: TimestampRange): string | undefined {
  if (ts > brokerMs + range.maxFutureMs) {
    return `"ts" ${shownTime(ts)} is more than ${range.maxFutureMs} ms ahead of the message's broker timestamp ${shownTime(brokerMs)} (validation.maxFutureMs)`;
  }
  if (range.maxPastMs !== undefined && ts < brokerMs - range.maxPastMs) {
    return `"ts" ${shownTime(ts)} is more than ${range.maxPastMs} ms behind the message's broker timestamp ${shownTime(brokerMs)} (validation.maxPastMs)`;
  }
  if (ts < range.earliestMs) return `"ts" ${shownTime(ts)} is before ${shownTime(range.earliestMs)} (validation.earliestTimestamp)`;
  return undefined;
}

/** Returns the prediction, undefined when absent, or a problem description. */
function validatePrediction(raw: unknown): Prediction | undefined | string {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) return '"prediction" must be an object';
  const out: Prediction = {};
  for (const key of ['probs', 'logits'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : isPlainObject(v) ? Object.values(v) : undefined;
    if (values === undefined || values.length < 2 || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return `"prediction.${key}" must be an array of at least two finite numbers, or an object of at least two class names to finite numbers`;
    }
    if (key === 'probs') {
      const problem = probabilityProblem(values as number[]);
      if (problem !== undefined) return `"prediction.probs": ${problem}`;
    }
    out[key] = v as ClassValues;
  }
  if (raw.label !== undefined) {
    if (typeof raw.label !== 'number' && typeof raw.label !== 'string') return '"prediction.label" must be a number or string';
    out.label = raw.label;
  }
  if (raw.value !== undefined) {
    if (typeof raw.value !== 'number' || !Number.isFinite(raw.value)) return '"prediction.value" must be a finite number';
    out.value = raw.value;
  }
  return out;
}
