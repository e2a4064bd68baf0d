import { decodeEvent } from '../../../src/core/contract/event.js';
import { buildDeadLetter } from '../../../src/core/contract/dead-letter.js';

const opts = { maxBytes: 1024, brokerTimestampMs: 1_700_000_000_000 };
const enc = (s: string) => Buffer.from(s, 'utf8');
const reasonOf = (s: string | null) => {
  const r = decodeEvent(s === null ? null : enc(s), opts);
  return r.ok ? 'ok' : r.reason;
};

describe('inference event contract v1', () => {
  it('accepts a well-formed event and keeps its fields', () => {
    const r = decodeEvent(enc(JSON.stringify({ model: 'fraud-v3', id: 'req-1', ts: 1764331200123, features: { amount: 12.5, country: 'DE', vip: true, x: null }, prediction: { probs: [0.9, 0.1] } })), opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toEqual({ v: 1, model: 'fraud-v3', id: 'req-1', ts: 1764331200123, features: { amount: 12.5, country: 'DE', vip: true, x: null }, prediction: { probs: [0.9, 0.1] } });
  });

  it('falls back to the broker timestamp and parses ISO-8601 times', () => {
    const a = decodeEvent(enc('{"model":"m","features":{}}'), opts);
    const b = decodeEvent(enc('{"model":"m","ts":"2026-11-28T12:00:00Z","features":{}}'), opts);
    expect(a.ok && a.event.ts).toBe(opts.brokerTimestampMs);
    expect(b.ok && b.event.ts).toBe(Date.UTC(2026, 10, 28, 12));
  });

  it.each([
    ['empty', null],
    ['empty', ''],
    ['malformed_json', '{"model": "m", "features": {'],
    ['non_finite_number', '{"model": "m", "features": {"a": NaN}}'],
    ['non_finite_number', '{"model": "m", "features": {"a": -Infinity}}'],
    ['non_finite_number', '{"model": "m", "features": {"a": 1e999}}'],
    ['not_an_object', '[1, 2]'],
    ['unsupported_version', '{"v": 2, "model": "m", "features": {}}'],
    ['missing_model', '{"features": {"a": 1}}'],
    ['invalid_field', '{"model": 7, "features": {}}'],
    ['invalid_field', '{"model": "m", "features": {"a": {"b": 1}}}'],
    ['invalid_field', '{"model": "m", "features": [1]}'],
    ['invalid_field', '{"model": "m", "ts": "yesterday", "features": {}}'],
    ['invalid_field', '{"model": "m", "features": {}, "prediction": {"probs": [1.2, -0.2]}}'],
    ['invalid_field', '{"model": "m", "features": {}, "prediction": {"logits": [1]}}'],
  ])('rejects %s: %s', (reason, text) => {
    expect(reasonOf(text)).toBe(reason);
  });

  describe('event time within the accepted range', () => {
    const broker = Date.UTC(2026, 11, 6, 12);
    const range = { maxFutureMs: 24 * 3600 * 1000, earliestMs: Date.UTC(2000, 0, 1) };
    const decode = (ts: unknown, extra: Partial<typeof range> & { maxPastMs?: number } = {}) =>
      decodeEvent(enc(JSON.stringify({ model: 'm', ts, features: {} })), { maxBytes: 1024, brokerTimestampMs: broker, timestamps: { ...range, ...extra } });

    it.each([
      ['up to a day ahead of the broker timestamp', broker + 24 * 3600 * 1000],
      ['long before the broker timestamp (a replay)', Date.UTC(2001, 0, 1)],
      ['an ISO-8601 time', '2026-12-06T13:00:00Z'],
    ])('accepts %s', (_, ts) => {
      expect(decode(ts).ok).toBe(true);
    });

    it.each([
      ['more than a day ahead', broker + 24 * 3600 * 1000 + 1, /ahead of the message's broker timestamp 2026-12-06T12:00:00.000Z \(validation.maxFutureMs\)/],
      ['1e300', 1e300, /"ts" 1e\+300 is more than 86400000 ms ahead/],
      ['the year 9999', '9999-12-31T00:00:00Z', /"ts" 9999-12-31T00:00:00.000Z is more than/],
      ['before 2000', Date.UTC(1999, 11, 31), /is before 2000-01-01T00:00:00.000Z \(validation.earliestTimestamp\)/],
    ])('rejects %s as timestamp_out_of_range', (_, ts, detail) => {
      const r = decode(ts);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe('timestamp_out_of_range');
        expect(r.detail).toMatch(detail);
      }
    });

    it('rejects times further behind than maxPastMs when it is set', () => {
      const r = decode(broker - 3_600_001, { maxPastMs: 3_600_000 });
      expect(!r.ok && r.reason).toBe('timestamp_out_of_range');
      expect(decode(broker - 3_600_000, { maxPastMs: 3_600_000 }).ok).toBe(true);
    });

    it('checks the broker timestamp itself when the event has no ts', () => {
      const r = decodeEvent(enc('{"model":"m","features":{}}'), { maxBytes: 1024, brokerTimestampMs: 0, timestamps: range });
      expect(!r.ok && r.reason).toBe('timestamp_out_of_range');
    });
  });

  it('rejects an oversized message before parsing it', () => {
    const big = JSON.stringify({ model: 'm', features: { s: 'x'.repeat(2000) } });
    const r = decodeEvent(enc(big), opts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('oversized');
      expect(r.detail).toContain('kafka.maxMessageBytes');
    }
  });

  it('dead letters keep the original bytes, origin and reason', () => {
    const value = enc('not json');
    const d = buildDeadLetter({ reason: 'malformed_json', detail: 'x', origin: { topic: 't', partition: 2, offset: '41', timestamp: '5' }, key: enc('k'), value, now: new Date(0) });
    expect(Buffer.from(d.valueBase64!, 'base64').toString()).toBe('not json');
    expect(Buffer.from(d.keyBase64!, 'base64').toString()).toBe('k');
    expect(d.origin).toEqual({ topic: 't', partition: 2, offset: '41', timestamp: '5' });
    expect(d.failedAt).toBe('1970-01-01T00:00:00.000Z');
  });
});
