/**
 * Durable per-model state on a compacted Kafka topic (key = model). Written after each batch that
 * closed a window and before input offsets are committed; read back in full at startup.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { ModelCheckpoint } from '../core/pipeline/monitor.js';
import { restoreDriftState } from '../core/detect/drift-state.js';
import type { Logger } from '../logging.js';

export const CHECKPOINT_VERSION = 1;

export function encodeCheckpoint(c: ModelCheckpoint): { key: string; value: string } {
  return { key: c.model, value: JSON.stringify({ v: CHECKPOINT_VERSION, ...c }) };
}

export function decodeCheckpoint(value: Buffer | null): ModelCheckpoint | undefined {
  if (value === null) return undefined;
  try {
    const raw = JSON.parse(value.toString('utf8')) as { v?: number; model?: unknown; drift?: unknown; closedThrough?: unknown };
    const drift = restoreDriftState(raw.drift);
    if (raw.v !== CHECKPOINT_VERSION || typeof raw.model !== 'string' || drift === undefined) return undefined;
    const closedThrough = raw.closedThrough as Record<string, number>;
    if (typeof closedThrough !== 'object' || closedThrough === null) return undefined;
    return { model: raw.model, drift, closedThrough };
  } catch {
    return undefined;
  }
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
export async function readCheckpoints(kafka: Kafka, topic: string, logger: Logger, timeoutMs = 30_000): Promise<Map<string, ModelCheckpoint>> {
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
            const c = decodeCheckpoint(message.value);
            if (c !== undefined) result.set(c.model, c);
            else if (message.value !== null) logger.warn(`ignoring an unreadable state record for key ${message.key?.toString() ?? '?'}`);
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
