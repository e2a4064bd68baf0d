/**
 * Durable per-model state on a compacted Kafka topic (key = model), in the versioned codec of
 * core/detectors/state-codec.ts. Written after each batch that closed a window and before input
 * offsets are committed; read back in full at startup. A record that cannot be read stops the start
 * with the reason (reading it partly would silently lose a detector's state).
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { decodeCheckpoint, encodeCheckpoint as encodeText, type ModelCheckpoint } from '../core/detectors/state-codec.js';

export function encodeCheckpoint(c: ModelCheckpoint): { key: string; value: string } {
  return { key: c.model, value: encodeText(c) };
}

/** Creates the compacted state topic when it does not exist yet. */
export async function ensureStateTopic(admin: Admin, topic: string): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
}

/** Reads the state topic from the beginning to its current end; the last record per model wins. */
export async function readCheckpoints(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<Map<string, ModelCheckpoint>> {
  const admin = kafka.admin();
  await admin.connect();
  const result = new Map<string, ModelCheckpoint>();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
    if (pending.size === 0) return result;
    const groupId = `shiftwatch-restore-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} did not finish within ${timeoutMs} ms`)), timeoutMs);
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            // A tombstone (null value) deletes the key; anything else must decode fully or startup stops.
            try {
              if (message.value === null) result.delete(message.key?.toString() ?? '');
              else {
                const c = decodeCheckpoint(message.value.toString('utf8'));
                result.set(c.model, c);
              }
            } catch (error) {
              clearTimeout(timer);
              reject(error);
              return;
            }
            const end = pending.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}
