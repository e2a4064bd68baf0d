/**
 * What the two Kafka engines do alike: the ingest engine (one process, or a shared replica's worker)
 * and a shared replica's aggregator (aggregate-engine.ts).
 */
import type { Kafka } from 'kafkajs';
import type { ShiftwatchConfig } from '../config/index.js';
import type { ModelCheckpoint } from '../core/detectors/state-codec.js';
import type { Logger } from '../logging.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Readiness } from '../service/readiness.js';
import { readCheckpoints } from './checkpoint-store.js';
import type { RetryPolicy } from './publisher.js';

/** Consumer retries: short backoffs, so consuming resumes within seconds of the broker coming back. */
export const CONSUMER_RETRY = { initialRetryTime: 300, maxRetryTime: 2000, retries: 10 };

/** How a delivery is retried, from the `alerts` settings. */
export function publishPolicy(a: ShiftwatchConfig['alerts']): RetryPolicy {
  return { initialBackoffMs: a.initialBackoffMs, maxBackoffMs: a.maxBackoffMs, warnAfter: a.publishRetries, giveUpAfterMs: a.publishTimeoutMs };
}

/**
 * Halts the pipeline for good in this process (nothing is committed from now on) and says why;
 * false when it had halted already. The caller stops its own consumer.
 */
export function haltPipeline(readiness: Readiness, metrics: MetricsRecorder, logger: Logger, reason: string): boolean {
  if (readiness.halted()) return false;
  readiness.halt(reason);
  metrics.m.pipelineHalts.inc();
  logger.error(`pipeline halted, nothing more is committed; restart the service once the cause is fixed (it replays from the last commit): ${reason}`);
  return true;
}

/** Reads the state topic and restores each model's checkpoint into `target`; warns of detectors no longer configured. */
export async function restoreCheckpoints(
  kafka: Kafka, topic: string, logger: Logger,
  target: { restore(checkpoint: ModelCheckpoint): { unknownDetectors: string[] } | undefined },
  restored: (checkpoint: ModelCheckpoint) => void = () => undefined,
): Promise<void> {
  for (const checkpoint of (await readCheckpoints(kafka, topic)).values()) {
    const r = target.restore(checkpoint);
    if (r === undefined) continue;
    restored(checkpoint);
    if (r.unknownDetectors.length > 0) logger.warn(`model ${checkpoint.model}: the checkpoint holds state of detectors no longer configured (${r.unknownDetectors.join(', ')}); it is dropped`);
  }
}

/** "topic/partition" → its parts. */
export function splitKey(key: string): { topic: string; partition: number } {
  const slash = key.lastIndexOf('/');
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
}
