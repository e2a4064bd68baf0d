/**
 * Delivery of one batch's outputs as one Kafka transaction, retried whole: the records are split
 * into sends the broker accepts (send-chunks.ts), and an attempt that fails is aborted and tried
 * again with jittered exponential backoff while its failure is retriable, for at most
 * `giveUpAfterMs`. A non-retriable failure, or retriable ones past that bound, throw
 * PublishFailedError: the caller then halts the pipeline, and since nothing of the failed attempt
 * was committed, no input offset moves past output that was not written.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging.js';
import { chunkRecords, type OutgoingRecord } from './send-chunks.js';
import { classifyPublishError, PublishAbortedError, PublishFailedError, TransactionStepError } from './publish-errors.js';

export interface RetryPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Failed attempts after which each further failure is logged as an error. */
  warnAfter: number;
  /** How long retriable failures of one delivery are retried before giving up. */
  giveUpAfterMs: number;
}

/** The records of one output topic in a delivery. */
export interface SinkRecords {
  sink: string;
  topic: string;
  records: OutgoingRecord[];
  /** The topic's (and broker's) record batch limit. */
  limitBytes: number;
}

/** The sends of one output topic, each within its limit. */
export interface PlannedSends {
  sink: string;
  topic: string;
  chunks: OutgoingRecord[][];
}

/** Splits each topic's records into sends; a record that fits no send throws PublishFailedError (not retriable) before anything is sent. */
export function planSends(outputs: readonly SinkRecords[]): PlannedSends[] {
  return outputs.filter((o) => o.records.length > 0).map((o) => {
    try {
      return { sink: o.sink, topic: o.topic, chunks: chunkRecords(o.records, o.limitBytes) };
    } catch (error) {
      throw new PublishFailedError(o.sink, o.topic, classifyPublishError(error), 0);
    }
  });
}

export interface RetryArgs {
  policy: RetryPolicy;
  logger: Logger;
  /** What is being delivered, for logs. */
  what: string;
  isStopping: () => boolean;
  /** Called while waiting, e.g. the consumer's heartbeat so the group keeps the member. */
  whileWaiting?: () => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** Runs `attempt` until it succeeds; see the file comment for when it gives up. */
export async function withRetries(args: RetryArgs, attempt: () => Promise<void>): Promise<void> {
  const random = args.random ?? Math.random;
  const now = args.now ?? Date.now;
  const started = now();
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (error instanceof PublishFailedError || error instanceof PublishAbortedError) throw error;
      const step = error instanceof TransactionStepError ? error : undefined;
      const failure = classifyPublishError(step?.error ?? error);
      const retriable = step?.retriable ?? failure.retriable;
      if (!retriable || now() - started >= args.policy.giveUpAfterMs) {
        throw new PublishFailedError(step?.sink ?? 'transaction', step?.topic ?? args.what, { ...failure, retriable }, n);
      }
      const log = n >= args.policy.warnAfter ? args.logger.error : args.logger.warn;
      log(`delivering ${args.what} failed (attempt ${n}, ${step ? `${step.sink}: ` : ''}${failure.code}); the transaction was aborted and is retried`, { error: failure.message });
      if (args.isStopping()) throw new PublishAbortedError(`stopped while delivering ${args.what}`);
      const ceiling = Math.min(args.policy.maxBackoffMs, args.policy.initialBackoffMs * 2 ** (n - 1));
      await sleep(ceiling / 2 + (random() * ceiling) / 2);
      await args.whileWaiting?.().catch(() => undefined);
    }
  }
}
