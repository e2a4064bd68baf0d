/** The contract's model outputs (`prediction.probs` / `logits`) and delayed labels. */
import { decodeEvent } from '../../../src/core/contract/event.js';
import { decodeLabel } from '../../../src/core/contract/label.js';
import { PROBABILITY_SUM_TOLERANCE } from '../../../src/core/contract/probabilities.js';

const opts = { maxBytes: 4096, brokerTimestampMs: 1_700_000_000_000 };
const enc = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
const decodePrediction = (prediction: unknown) => decodeEvent(enc({ model: 'm', features: {}, prediction }), opts);

describe('prediction.probs and prediction.logits', () => {
  it('accept an array in bundle order or an object keyed by class name, kept as sent', () => {
    for (const prediction of [{ probs: [0.2, 0.8] }, { probs: { fraud: 0.2, legit: 0.8 } }, { logits: { fraud: -1, legit: 2.5 } }]) {
      const r = decodePrediction(prediction);
      expect(r.ok && r.event.prediction).toEqual(prediction);
    }
  });

  it.each([
    ['[0.9, 0.9]', [0.9, 0.9], 'the probabilities sum to 1.8, not 1 (tolerance ±0.01)'],
    ['[0, 0]', [0, 0], 'the probabilities sum to 0, not 1'],
    ['an object summing to 0.5', { a: 0.25, b: 0.25 }, 'the probabilities sum to 0.5, not 1'],
    ['a value above 1', [1.2, -0.2], '1.2 is not a probability in [0, 1]'],
  ])('reject probabilities that are not a distribution (%s) as invalid_field, never renormalised', (_, probs, detail) => {
    const r = decodePrediction({ probs });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('invalid_field');
    expect(r.detail).toContain(detail);
  });

  it(`accept sums within ±${PROBABILITY_SUM_TOLERANCE} (rounded exports) and refuse just outside`, () => {
    expect(decodePrediction({ probs: [0.333, 0.333, 0.333] }).ok).toBe(true);
    expect(decodePrediction({ probs: [0.5, 0.5 + 0.9 * PROBABILITY_SUM_TOLERANCE] }).ok).toBe(true);
    expect(decodePrediction({ probs: [0.5, 0.5 + 1.1 * PROBABILITY_SUM_TOLERANCE] }).ok).toBe(false);
  });

  it('reject an object with fewer than two classes or a non-number value', () => {
    for (const prediction of [{ probs: { a: 1 } }, { probs: { a: 0.5, b: '0.5' } }, { logits: { a: 1, b: null } }, { probs: 'fraud' }]) {
      const r = decodePrediction(prediction);
      expect([r.ok, !r.ok && r.reason]).toEqual([false, 'invalid_field']);
    }
  });
});

describe('delayed label messages', () => {
  const BROKER_MS = 1_700_000_000_000;
  const decode = (value: unknown) => decodeLabel(enc(value), 4096, BROKER_MS);

  it('carry a class name or a class index as sent (the monitor resolves it against the class list)', () => {
    expect(decode({ model: 'm', id: 'a', label: 'fraud' })).toEqual({ ok: true, label: { model: 'm', id: 'a', label: 'fraud', ts: BROKER_MS } });
    expect(decode({ model: 'm', id: 7, label: 2 })).toEqual({ ok: true, label: { model: 'm', id: '7', label: 2, ts: BROKER_MS } });
    expect(decode({ model: 'm', id: 'a', label: '2' })).toEqual({ ok: true, label: { model: 'm', id: 'a', label: '2', ts: BROKER_MS } });
  });

  it('take their time from ts (epoch milliseconds or ISO-8601), else from the broker timestamp', () => {
    const tsOf = (value: unknown) => {
      const r = decode(value);
      return r.ok ? r.label.ts : r.detail;
    };
    expect(tsOf({ model: 'm', id: 'a', label: 1, ts: 1_600_000_000_123 })).toBe(1_600_000_000_123);
    expect(tsOf({ model: 'm', id: 'a', label: 1, ts: '2026-01-02T03:04:05.006Z' })).toBe(Date.parse('2026-01-02T03:04:05.006Z'));
    expect(tsOf({ model: 'm', id: 'a', label: 1, ts: null })).toBe(BROKER_MS);
    expect(tsOf({ model: 'm', id: 'a', label: 1, ts: 'yesterday' })).toBe('"ts" must be epoch milliseconds or an ISO-8601 string');
    expect(tsOf({ model: 'm', id: 'a', label: 1, ts: -5 })).toBe('"ts" must be epoch milliseconds or an ISO-8601 string');
  });

  it.each([
    [-1, '-1'], [1.5, '1.5'], ['', '""'], [true, 'true'], [undefined, 'none'],
  ])('reject the label %p as invalid_field naming it', (label, shown) => {
    const r = decode({ model: 'm', id: 'a', label });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('invalid_field');
    expect(r.detail).toBe(`"label" must be a class name or a class index (an integer >= 0), got ${shown}`);
  });
});
