/**
 * Publishes to an output topic with jittered exponential backoff. A failure never crashes the
 * consumer: it is counted and retried until it succeeds or the service is stopping, and the caller
 * commits input offsets only after publishing succeeded, so nothing is lost meanwhile.
 */
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '../logging.js';

export interface RetryPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Failed attempts after which each further failure is logged as an error. */
  warnAfter: number;
}

export class PublishAborted extends Error {}

export async function publishWithRetry(args: {
  producer: Producer;
  topic: string;
  messages: Message[];
  policy: RetryPolicy;
  logger: Logger;
  onAttempt: (ok: boolean) => void;
  isStopping: () => boolean;
  /** Called while waiting, e.g. the consumer's heartbeat so the group keeps the member. */
  whileWaiting?: () => Promise<void>;
  random?: () => number;
}): Promise<void> {
  if (args.messages.length === 0) return;
  const random = args.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      await args.producer.send({ topic: args.topic, messages: args.messages });
      args.onAttempt(true);
      return;
    } catch (error) {
      args.onAttempt(false);
      const log = attempt >= args.policy.warnAfter ? args.logger.error : args.logger.warn;
      log(`publishing ${args.messages.length} message(s) to ${args.topic} failed (attempt ${attempt}); retrying`, { error: String(error) });
      if (args.isStopping()) throw new PublishAborted(`stopped while publishing to ${args.topic}`);
      const ceiling = Math.min(args.policy.maxBackoffMs, args.policy.initialBackoffMs * 2 ** (attempt - 1));
      await sleep(ceiling / 2 + (random() * ceiling) / 2);
      await args.whileWaiting?.().catch(() => undefined);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
