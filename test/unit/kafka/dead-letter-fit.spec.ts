import { createHash } from 'node:crypto';
import { buildDeadLetter, deadLetterBytes, fitDeadLetter, MAX_DETAIL_CHARS, MAX_MODEL_CHARS } from '../../../src/core/contract/dead-letter.js';

const origin = { topic: 'events', partition: 3, offset: '1234', timestamp: '1764331200000' };
const letter = (key: Buffer | null, value: Buffer | null) => buildDeadLetter({ reason: 'oversized', detail: 'too big', origin, key, value, now: new Date(0) });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fitting a dead letter into the topic limit', () => {
  it('leaves a letter that fits untouched', () => {
    const d = letter(Buffer.from('k'), Buffer.from('small'));
    expect(fitDeadLetter(d, 10_000)).toBe(d);
  });

  it('cuts the value to a prefix, with its original size and hash, within the limit', () => {
    const value = Buffer.from(Array.from({ length: 800_000 }, (_, i) => i % 251));
    const fitted = fitDeadLetter(letter(Buffer.from('key'), value), 1_000_000);
    expect(deadLetterBytes(fitted)).toBeLessThanOrEqual(1_000_000);
    expect(deadLetterBytes(fitted)).toBeGreaterThan(999_000);
    const kept = Buffer.from(fitted.valueBase64!, 'base64');
    expect(fitted.truncated).toEqual({ value: { originalBytes: 800_000, keptBytes: kept.length, sha256: sha(value) } });
    expect(kept.equals(value.subarray(0, kept.length))).toBe(true);
    expect(Buffer.from(fitted.keyBase64!, 'base64').toString()).toBe('key');
    expect(fitted.origin).toEqual(origin);
    expect(fitted.reason).toBe('oversized');
  });

  it('cuts a huge key to at most half the room and keeps most of the value', () => {
    const key = Buffer.alloc(600_000, 1);
    const value = Buffer.alloc(600_000, 2);
    const fitted = fitDeadLetter(letter(key, value), 500_000);
    expect(deadLetterBytes(fitted)).toBeLessThanOrEqual(500_000);
    expect(fitted.truncated!.key!.sha256).toBe(sha(key));
    expect(fitted.truncated!.value!.sha256).toBe(sha(value));
    expect(fitted.truncated!.key!.keptBytes).toBeLessThanOrEqual(fitted.truncated!.value!.keptBytes);
    expect(fitted.truncated!.value!.keptBytes).toBeGreaterThan(150_000);
  });

  it('bounds the detail and the model name it quotes', () => {
    const d = buildDeadLetter({ reason: 'unknown_model', detail: 'x'.repeat(100_000), origin, key: null, value: null, model: 'm'.repeat(100_000), now: new Date(0) });
    expect(d.detail.length).toBe(MAX_DETAIL_CHARS);
    expect(d.model!.length).toBe(MAX_MODEL_CHARS);
  });
});
