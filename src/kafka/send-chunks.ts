/**
 * Splits the records of one logical publish into sends that the broker accepts. A produce request
 * carries one record batch per partition, and the broker rejects a batch larger than the topic's
 * `max.message.bytes` (MESSAGE_TOO_LARGE, not retriable). Since the partitioner may put every
 * record of a send on one partition, the whole send is budgeted against the limit, with room for
 * the batch header and each record's framing. Pure: the same chunks serve a plain producer send,
 * or several sends inside one Kafka transaction.
 */

export interface OutgoingRecord {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** Framing a record takes in a record batch beyond its key and value, at most (length, attributes, timestamp and offset deltas, key and value lengths, header count: varints). */
export const RECORD_OVERHEAD_BYTES = 64;
/** Framing of one record header beyond its key and value (their lengths: varints). */
export const HEADER_OVERHEAD_BYTES = 10;
/** A record batch's header (61 bytes in format v2), rounded up. */
export const BATCH_OVERHEAD_BYTES = 128;

/** Bytes a record adds to a send. */
export function recordBytes(record: OutgoingRecord): number {
  const size = (x: string | Buffer | null) => (x === null ? 0 : Buffer.byteLength(x));
  let headers = 0;
  for (const [k, v] of Object.entries(record.headers ?? {})) headers += size(k) + size(v) + HEADER_OVERHEAD_BYTES;
  return size(record.key) + size(record.value) + headers + RECORD_OVERHEAD_BYTES;
}

/** The most bytes a record's key and value may take together under a topic limit of `limitBytes`. */
export function maxPayloadBytes(limitBytes: number): number {
  return limitBytes - BATCH_OVERHEAD_BYTES - RECORD_OVERHEAD_BYTES;
}

/** A single record is larger than the topic accepts: no split can send it. */
export class RecordTooLargeError extends Error {
  constructor(readonly index: number, readonly bytes: number, readonly limitBytes: number) {
    super(`record ${index} takes ${bytes} bytes, more than the ${limitBytes}-byte limit of the topic allows`);
  }
}

/**
 * Consecutive runs of `records`, in order, each small enough to go out as one send under a topic
 * (and broker) limit of `limitBytes`. Throws RecordTooLargeError when one record cannot fit at all.
 */
export function chunkRecords<T extends OutgoingRecord>(records: readonly T[], limitBytes: number): T[][] {
  const budget = limitBytes - BATCH_OVERHEAD_BYTES;
  const chunks: T[][] = [];
  let current: T[] = [];
  let used = 0;
  records.forEach((record, index) => {
    const bytes = recordBytes(record);
    if (bytes > budget) throw new RecordTooLargeError(index, bytes, limitBytes);
    if (used + bytes > budget && current.length > 0) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(record);
    used += bytes;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
