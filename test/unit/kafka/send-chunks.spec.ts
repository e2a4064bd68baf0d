import { BATCH_OVERHEAD_BYTES, chunkRecords, maxPayloadBytes, recordBytes, RecordTooLargeError } from '../../../src/kafka/send-chunks.js';

const record = (bytes: number, key: string | null = null) => ({ key, value: 'v'.repeat(bytes) });

describe('send chunks', () => {
  it('keeps records in order and every send within the limit', () => {
    const records = Array.from({ length: 5000 }, (_, i) => record(200 + (i % 97), `k${i}`));
    const limit = 100_000;
    const chunks = chunkRecords(records, limit);
    expect(chunks.flat()).toEqual(records);
    for (const c of chunks) expect(c.reduce((n, r) => n + recordBytes(r), 0) + BATCH_OVERHEAD_BYTES).toBeLessThanOrEqual(limit);
    // Chunks are full: joining any chunk with the next record would exceed the budget.
    for (let i = 0; i + 1 < chunks.length; i++) {
      const used = chunks[i]!.reduce((n, r) => n + recordBytes(r), 0);
      expect(used + recordBytes(chunks[i + 1]![0]!) + BATCH_OVERHEAD_BYTES).toBeGreaterThan(limit);
    }
  });

  it('counts multi-byte characters as bytes', () => {
    const r = { key: null, value: 'é'.repeat(1000) };
    expect(recordBytes(r)).toBe(2000 + recordBytes({ key: null, value: '' }));
  });

  it('sends a record exactly at the payload limit alone, and refuses a larger one', () => {
    const limit = 10_000;
    expect(chunkRecords([record(maxPayloadBytes(limit))], limit)).toHaveLength(1);
    expect(() => chunkRecords([record(10), record(maxPayloadBytes(limit) + 1)], limit)).toThrow(RecordTooLargeError);
  });

  it('returns no chunk for no record', () => {
    expect(chunkRecords([], 1000)).toEqual([]);
  });
});
