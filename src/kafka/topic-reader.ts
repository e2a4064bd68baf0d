/**
 * Reads a topic from its beginning to where it ends at the start of the read, as a read_committed
 * consumer (kafkajs's default isolation): records of aborted transactions, and of transactions still
 * open, are never seen. The service writes its outputs in transactions, so every reader of the
 * alerts, dead-letter and state topics goes through here.
 *
 * "Where it ends" is the high watermark, and in a transactional topic that is not a record count:
 * each commit or abort marker takes an offset, and aborted records keep theirs. The reader follows
 * each partition's position from the batches kafkajs fetched (its END_BATCH_PROCESS event fires
 * also for a batch that held only markers or aborted records), never from records counted.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface ReadOptions {
  timeoutMs?: number;
  /** The throw-away consumer group is named `<groupPrefix>-<uuid>` and deleted afterwards. */
  groupPrefix?: string;
  /** Also records of aborted and open transactions (to show what an abort left in the log); never for outputs. */
  readUncommitted?: boolean;
}

/** Calls `onRecord` for each committed record of `topic` up to its current end, in offset order per partition; a throw from `onRecord` stops the read with that error. */
export async function readTopicToEnd(kafka: Kafka, topic: string, onRecord: (record: TopicRecord) => void, options: ReadOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix ?? 'shiftwatch-reader'}-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
    if (pending.size === 0) return;
    const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, readUncommitted: options.readUncommitted === true });
    let failed: ((error: unknown) => void) | undefined;
    let done: (() => void) | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic) return;
      const end = pending.get(payload.partition);
      if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) pending.delete(payload.partition);
      if (pending.size === 0) done!();
    });
    await consumer.connect();
    const timer = setTimeout(() => failed!(new Error(`reading ${topic} did not reach its end within ${timeoutMs} ms (${pending.size} partition(s) short; an open transaction holds read_committed readers back until it ends)`)), timeoutMs);
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            try {
              onRecord({ partition: batch.partition, offset: m.offset, key: m.key, value: m.value, ...(m.headers === undefined ? {} : { headers: m.headers }) });
            } catch (error) {
              failed!(error);
              return;
            }
          }
        },
      });
      await finished;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Every committed record of `topic` up to its current end. */
export async function readAllRecords(kafka: Kafka, topic: string, options: ReadOptions = {}): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  await readTopicToEnd(kafka, topic, (r) => records.push(r), options);
  return records;
}
