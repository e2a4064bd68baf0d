/**
 * Malformed input of every kind the fuzz scenario sends, each a generator of one Kafka record for
 * the classifier model (bench/chaos/classifier.ts) or its labels topic. Some are valid by the
 * contract (a huge unknown feature, an unseen category) and may be accepted: the scenario counts
 * whatever the service does with each; its invariant is that every message is accounted for.
 */
import type { OutgoingRecord } from '../../src/kafka/send-chunks.js';
import { EVENT_TIME_ZERO } from '../../tools/picture/scenario-data.js';
import { MODEL } from './classifier.js';

export interface FuzzKind {
  name: string;
  topic: 'events' | 'labels';
  /** A message of 900 KB or more, sent alone. */
  big?: boolean;
  make(i: number): OutgoingRecord;
}

type Json = Record<string, unknown>;

const features = (i: number): Json => ({ x0: 0.1, x1: -0.3, x2: 0.7 + (i % 7) / 10, x3: 1.2, x4: -0.8, x5: 0.05, channel: 'web' });
const event = (i: number, change: (e: Json) => void = () => undefined): Json => {
  const e: Json = { model: MODEL, id: `fuzz-${i}`, ts: EVENT_TIME_ZERO + i, features: features(i), prediction: { probs: [0.4, 0.3, 0.2, 0.1] } };
  change(e);
  return e;
};
const json = (name: string, change: (e: Json) => void): FuzzKind => ({ name, topic: 'events', make: (i) => ({ key: `${name}-${i}`, value: JSON.stringify(event(i, change)) }) });
const raw = (name: string, value: (i: number) => string | Buffer | null): FuzzKind => ({ name, topic: 'events', make: (i) => ({ key: `${name}-${i}`, value: value(i) }) });
const feature = (name: string, key: string, value: unknown): FuzzKind => json(name, (e) => ((e.features as Json)[key] = value));
const prediction = (name: string, value: unknown): FuzzKind => json(name, (e) => (e.prediction = value));
const label = (name: string, value: (i: number) => string | null): FuzzKind => ({ name, topic: 'labels', make: (i) => ({ key: `${name}-${i}`, value: value(i) }) });
const KB = 1024;

export const FUZZ_KINDS: readonly FuzzKind[] = [
  // Not JSON, or not an object.
  raw('null_value', () => null),
  raw('empty_string', () => ''),
  raw('whitespace', () => ' \n\t '),
  raw('truncated_json', (i) => JSON.stringify(event(i)).slice(0, 40)),
  raw('invalid_utf8', () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])),
  raw('binary_garbage', (i) => Buffer.from(Array.from({ length: 64 }, (_, k) => (i * 31 + k * 17) % 256))),
  raw('nan_literal', (i) => JSON.stringify(event(i)).replace('"x0":0.1', '"x0":NaN')),
  raw('infinity_literal', (i) => JSON.stringify(event(i)).replace('"x1":-0.3', '"x1":-Infinity')),
  raw('json_array', () => '[1,2,3]'),
  raw('json_number', () => '42'),
  raw('json_string', () => '"an event"'),
  raw('json_null', () => 'null'),
  raw('json_true', () => 'true'),
  raw('byte_order_mark', (i) => `\uFEFF${JSON.stringify(event(i))}`),
  raw('deep_nesting', (i) => JSON.stringify(event(i)).replace('"x3":1.2', `"x3":${'['.repeat(5000)}${']'.repeat(5000)}`)),
  raw('number_overflow', (i) => JSON.stringify(event(i)).replace('"x4":-0.8', '"x4":1e999')),
  // Envelope fields.
  json('version_2', (e) => (e.v = 2)),
  json('version_string', (e) => (e.v = '1')),
  json('missing_model', (e) => delete e.model),
  json('empty_model', (e) => (e.model = '')),
  json('numeric_model', (e) => (e.model = 7)),
  json('object_model', (e) => (e.model = { name: MODEL })),
  json('unknown_model', (e) => (e.model = 'no-such-model')),
  json('huge_model_name', (e) => (e.model = 'm'.repeat(100 * KB))),
  json('object_id', (e) => (e.id = { id: 1 })),
  json('array_id', (e) => (e.id = [1, 2])),
  // Event time.
  json('ts_garbage', (e) => (e.ts = 'yesterday at noon')),
  json('ts_negative', (e) => (e.ts = -5)),
  json('ts_1e300', (e) => (e.ts = 1e300)),
  json('ts_year_9999', (e) => (e.ts = '9999-12-31T23:59:59Z')),
  json('ts_before_2000', (e) => (e.ts = Date.UTC(1990, 0, 1))),
  json('ts_boolean', (e) => (e.ts = true)),
  json('ts_next_week', (e) => (e.ts = Date.now() + 7 * 24 * 3600 * 1000)),
  // Features.
  json('missing_features', (e) => delete e.features),
  json('array_features', (e) => (e.features = [1, 2, 3])),
  json('string_features', (e) => (e.features = 'x0=1')),
  json('null_features', (e) => (e.features = null)),
  feature('object_value', 'x0', { v: 1 }),
  feature('array_value', 'x1', [1, 2]),
  feature('numeric_as_string', 'x2', '0.7'),
  feature('numeric_as_boolean', 'x3', true),
  feature('categorical_as_number', 'channel', 3),
  feature('categorical_as_boolean', 'channel', false),
  feature('proto_key', '__proto__', 5),
  feature('unseen_category_emoji', 'channel', '🦄\u0000\u202e'),
  json('ten_thousand_unknown_features', (e) => Object.assign(e.features as Json, Object.fromEntries(Array.from({ length: 10_000 }, (_, k) => [`u${k}`, k])))),
  // Predictions.
  prediction('prediction_not_object', 'high'),
  prediction('probs_not_array', { probs: 0.9 }),
  prediction('probs_one_element', { probs: [1] }),
  prediction('probs_with_string', { probs: [0.5, '0.5', 0, 0] }),
  prediction('probs_above_one', { probs: [1.5, -0.5, 0, 0] }),
  prediction('probs_negative', { probs: [0.6, 0.6, -0.2, 0] }),
  prediction('probs_sum_above_one', { probs: [0.9, 0.9, 0.9, 0.9] }),
  prediction('probs_all_zero', { probs: [0, 0, 0, 0] }),
  prediction('probs_wrong_length', { probs: [0.5, 0.5] }),
  prediction('logits_with_null', { logits: [1, null, 0, 0] }),
  prediction('label_object', { label: { k: 1 } }),
  prediction('value_string', { value: 'three' }),
  // Labels topic.
  label('label_truncated_json', () => '{"model":"clf","id":'),
  label('label_empty', () => null),
  label('label_not_object', () => '[1]'),
  label('label_missing_model', (i) => JSON.stringify({ id: `fuzz-${i}`, label: 1 })),
  label('label_unknown_model', (i) => JSON.stringify({ model: 'nope', id: `fuzz-${i}`, label: 1 })),
  label('label_missing_id', () => JSON.stringify({ model: MODEL, label: 1 })),
  label('label_negative', (i) => JSON.stringify({ model: MODEL, id: `fuzz-${i}`, label: -1 })),
  label('label_fraction', (i) => JSON.stringify({ model: MODEL, id: `fuzz-${i}`, label: 1.5 })),
  label('label_beyond_classes', (i) => JSON.stringify({ model: MODEL, id: `fuzz-${i}`, label: 7 })),
  label('label_word', (i) => JSON.stringify({ model: MODEL, id: `fuzz-${i}`, label: 'cat' })),
  label('label_array', (i) => JSON.stringify({ model: MODEL, id: `fuzz-${i}`, label: [1] })),
  // 900 KB and more, each sent alone (the broker's default limit is 1048588 bytes per batch).
  { name: 'big_malformed_json', topic: 'events', big: true, make: (i) => ({ key: `big-json-${i}`, value: `{"model":"clf","features":{"x0":"${'z'.repeat(900 * KB)}` }) },
  { name: 'big_unknown_feature', topic: 'events', big: true, make: (i) => ({ key: `big-unknown-${i}`, value: JSON.stringify(event(i, (e) => ((e.features as Json).blob = 'b'.repeat(950 * KB)))) }) },
  { name: 'big_category', topic: 'events', big: true, make: (i) => ({ key: `big-category-${i}`, value: JSON.stringify(event(i, (e) => ((e.features as Json).channel = 'c'.repeat(920 * KB)))) }) },
  { name: 'big_key_bad_value', topic: 'events', big: true, make: (i) => ({ key: 'k'.repeat(900 * KB) + String(i), value: '{"model":' }) },
];
