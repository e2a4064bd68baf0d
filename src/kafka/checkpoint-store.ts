/**
 * Durable per-model state on a compacted Kafka topic (key = model), in the versioned codec of
 * core/detectors/state-codec.ts. Written in the same transaction as the alerts of the windows it
 * covers and the input offsets past them; read back in full (committed transactions only) at
 * startup. A record that cannot be read stops the start with the reason (reading it partly would
 * silently lose a detector's state).
 */
import type { Admin, Kafka } from 'kafkajs';
import { readTopicToEnd } from './topic-reader.js';
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

/**
 * Reads the state topic from the beginning to its current end, committed transactions only; the
 * last record per model wins.
 */
export async function readCheckpoints(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<Map<string, ModelCheckpoint>> {
  const result = new Map<string, ModelCheckpoint>();
  await readTopicToEnd(kafka, topic, ({ key, value }) => {
    // A tombstone (null value) deletes the key; anything else must decode fully or startup stops.
    if (value === null) result.delete(key?.toString() ?? '');
    else {
      const c = decodeCheckpoint(value.toString('utf8'));
      result.set(c.model, c);
    }
  }, { timeoutMs, groupPrefix: 'shiftwatch-restore' });
  return result;
}
