/**
 * Publishes to an output topic in sends the broker accepts (send-chunks.ts), each retried with
 * jittered exponential backoff while its failure is retriable, for at most `giveUpAfterMs`. A
 * non-retriable failure, or retriable ones past that bound, throw PublishFailedError: the caller
 * then halts the pipeline, so no input offset is committed past output that was not written.
 */
import type { Producer } from 'kafkajs';
import type { Logger } from '../logging.js';
import { chunkRecords, type OutgoingRecord } from './send-chunks.js';
import { classifyPublishError, PublishAbortedError, PublishFailedError, type PublishFailure } from './publish-errors.js';

export interface RetryPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Failed attempts after which each further failure is logged as an error. */
  warnAfter: number;
  /** How long retriable failures of one send are retried before giving up. */
  giveUpAfterMs: number;
}

export interface PublishArgs {
  producer: Producer;
  sink: string;
  topic: string;
  records: OutgoingRecord[];
  /** The topic's (and broker's) record batch limit. */
  limitBytes: number;
  policy: RetryPolicy;
  logger: Logger;
  /** Before every attempt. */
  onSend?: () => void;
  /** After every attempt: undefined on success, else the failure. */
  onAttempt: (failure: PublishFailure | undefined) => void;
  isStopping: () => boolean;
  /** Called while waiting, e.g. the consumer's heartbeat so the group keeps the member. */
  whileWaiting?: () => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export async function publishWithRetry(args: PublishArgs): Promise<void> {
  if (args.records.length === 0) return;
  let chunks: OutgoingRecord[][];
  try {
    chunks = chunkRecords(args.records, args.limitBytes);
  } catch (error) {
    const failure = classifyPublishError(error);
    args.onAttempt(failure);
    throw new PublishFailedError(args.sink, args.topic, failure, 0);
  }
  for (const chunk of chunks) await sendChunk(args, chunk);
}

async function sendChunk(args: PublishArgs, messages: OutgoingRecord[]): Promise<void> {
  const random = args.random ?? Math.random;
  const now = args.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      args.onSend?.();
      await args.producer.send({ topic: args.topic, messages });
      args.onAttempt(undefined);
      return;
    } catch (error) {
      const failure = classifyPublishError(error);
      args.onAttempt(failure);
      if (!failure.retriable || now() - started >= args.policy.giveUpAfterMs) throw new PublishFailedError(args.sink, args.topic, failure, attempt);
      const log = attempt >= args.policy.warnAfter ? args.logger.error : args.logger.warn;
      log(`publishing ${messages.length} message(s) to ${args.topic} failed (attempt ${attempt}, ${failure.code}); retrying`, { error: failure.message });
      if (args.isStopping()) throw new PublishAbortedError(`stopped while publishing to ${args.topic}`);
      const ceiling = Math.min(args.policy.maxBackoffMs, args.policy.initialBackoffMs * 2 ** (attempt - 1));
      await sleep(ceiling / 2 + (random() * ceiling) / 2);
      await args.whileWaiting?.().catch(() => undefined);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
