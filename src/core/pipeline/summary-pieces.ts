/**
 * A summaries record larger than the topic takes in one Kafka record (a window of many events, or a
 * wide flow) travels in pieces: consecutive slices of its UTF-8 bytes, each a record of its own
 * whose header names the record's piece set, the piece's index and the count. A record that fits
 * goes out whole, without the header.
 *
 * A worker sends every piece of a record in the same transaction, so a read_committed reader sees
 * all of them or none. Other workers write to the same partition meanwhile, so pieces are put back
 * together per set, not per partition; and a reader that commits must not commit past the first
 * piece of a record still missing pieces (`firstOffsets`), so that a restart reads them all again.
 */
import { SummaryRecordError } from './summary-record.js';

/** The header of a piece: "<set> <index>/<count>". */
export const PIECE_HEADER = 'shiftwatch-piece';
/** Room a piece header takes in a record, at most (its key, a set id of up to 40 characters, the index and count, framing). */
export const PIECE_HEADER_BYTES = 96;

export interface SummaryPayload {
  value: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * The record `text` as payloads of at most `roomBytes` bytes each: itself when it fits, else its
 * pieces under the set id `setId` (unique among the writers of a topic, at most 40 characters).
 */
export function summaryPayloads(text: string, roomBytes: number, setId: () => string): SummaryPayload[] {
  if (!(roomBytes >= 1024)) throw new RangeError(`a summaries record must be allowed at least 1024 bytes, got ${roomBytes}: raise the summaries topic's max.message.bytes`);
  if (Buffer.byteLength(text) <= roomBytes) return [{ value: text }];
  const bytes = Buffer.from(text, 'utf8');
  const count = Math.ceil(bytes.length / roomBytes);
  const set = setId();
  if (set.length === 0 || set.length > 40 || /\s/.test(set)) throw new RangeError(`a piece set id must be 1 to 40 characters without spaces, got ${JSON.stringify(set)}`);
  return Array.from({ length: count }, (_, i) => ({
    value: bytes.subarray(i * roomBytes, Math.min(bytes.length, (i + 1) * roomBytes)),
    headers: { [PIECE_HEADER]: `${set} ${i}/${count}` },
  }));
}

interface OpenSet {
  partitionKey: string;
  firstOffset: number;
  next: number;
  count: number;
  chunks: Buffer[];
}

const HEADER = /^(\S{1,40}) (\d{1,9})\/(\d{1,9})$/;

/** Puts pieces back together, per set, in the order one partition delivers them. */
export class PieceAssembler {
  private readonly open = new Map<string, OpenSet>();

  /**
   * A piece read at `offset` of `partitionKey`, with its header. Returns the whole record and where
   * its first piece was once the last piece is in; undefined before. Throws SummaryRecordError for a
   * header it cannot read or a piece out of order (a topic written by something else).
   */
  add(header: string, partitionKey: string, offset: number, bytes: Uint8Array): { text: string; firstOffset: number } | undefined {
    const [, set, indexText, countText] = HEADER.exec(header) ?? [];
    const index = Number(indexText);
    const count = Number(countText);
    if (set === undefined || !(count >= 2 && index < count)) throw new SummaryRecordError(`a summaries record has the piece header ${JSON.stringify(header)}; expected "<set> <index>/<count>"`);
    let open = this.open.get(set);
    if (index === 0 && open === undefined) {
      open = { partitionKey, firstOffset: offset, next: 0, count, chunks: [] };
      this.open.set(set, open);
    }
    if (open === undefined || open.next !== index || open.count !== count || open.partitionKey !== partitionKey) {
      const expected = open === undefined ? 'its first piece was not read' : `piece ${open.next}/${open.count} of ${open.partitionKey} was due`;
      throw new SummaryRecordError(`piece ${index}/${count} of summaries record set ${set} read at ${partitionKey} offset ${offset}, but ${expected}`);
    }
    // Copied: a fetched message's bytes are a view of the whole fetch response.
    open.chunks.push(Buffer.from(bytes));
    open.next += 1;
    if (open.next < count) return undefined;
    this.open.delete(set);
    return { text: Buffer.concat(open.chunks).toString('utf8'), firstOffset: open.firstOffset };
  }

  /** Per partition, the offset of the first piece of a record still missing pieces. */
  firstOffsets(): Map<string, number> {
    const result = new Map<string, number>();
    for (const o of this.open.values()) result.set(o.partitionKey, Math.min(result.get(o.partitionKey) ?? o.firstOffset, o.firstOffset));
    return result;
  }

  clear(): void {
    this.open.clear();
  }
}
