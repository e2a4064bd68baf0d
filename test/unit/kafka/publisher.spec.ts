/** The retry loop and its bounds, with a scripted producer (a fake: the real broker is exercised by test/integration/dead-letters.spec.ts). */
import type { Producer } from 'kafkajs';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { publishWithRetry } from '../../../src/kafka/publisher.js';
import { classifyPublishError, PublishFailedError } from '../../../src/kafka/publish-errors.js';
import { createLogger } from '../../../src/logging.js';

/** As kafkajs's retrier throws a broker's non-retriable error: wrapped, with the protocol error as its cause. */
function tooLarge(): Error {
  const protocol = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'The request included a message larger than the max message size the server will accept' } as never);
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
  return new NonRetriable(protocol, { cause: protocol });
}
const connection = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');

function scripted(outcomes: Array<Error | 'ok'>): { producer: Producer; sends: number[] } {
  const sends: number[] = [];
  const producer = {
    send: async ({ messages }: { messages: unknown[] }) => {
      sends.push(messages.length);
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return [];
    },
  } as unknown as Producer;
  return { producer, sends };
}

const policy = { initialBackoffMs: 1, maxBackoffMs: 2, warnAfter: 100, giveUpAfterMs: 60_000 };
const base = { sink: 'dead_letters', topic: 'dlq', limitBytes: 10_000, policy, logger: createLogger('error', 'test', () => undefined), isStopping: () => false };
const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: `record ${i} `.padEnd(200, '.') }));

describe('classifying produce errors', () => {
  it('takes the broker error type and its retriable flag from inside the kafkajs wrappers', () => {
    expect(classifyPublishError(tooLarge())).toMatchObject({ retriable: false, code: 'MESSAGE_TOO_LARGE' });
    expect(classifyPublishError(new KafkaJSNumberOfRetriesExceeded(connection(), { retryCount: 3, retryTime: 10 } as never))).toMatchObject({ retriable: true, code: 'KafkaJSConnectionError' });
    expect(classifyPublishError(connection())).toMatchObject({ retriable: true });
    expect(classifyPublishError(new TypeError('bug'))).toMatchObject({ retriable: false, code: 'TypeError' });
  });
});

describe('publishing with retries', () => {
  it('splits a large publish into sends within the limit', async () => {
    const { producer, sends } = scripted([]);
    const attempts: unknown[] = [];
    await publishWithRetry({ ...base, producer, records: records(200), onAttempt: (f) => attempts.push(f) });
    expect(sends.reduce((a, b) => a + b, 0)).toBe(200);
    expect(sends.length).toBeGreaterThan(3);
    expect(attempts.every((a) => a === undefined)).toBe(true);
  });

  it('retries a retriable failure, then succeeds', async () => {
    const { producer, sends } = scripted([connection(), connection(), 'ok']);
    const failures: string[] = [];
    await publishWithRetry({ ...base, producer, records: records(3), onAttempt: (f) => f && failures.push(f.code) });
    expect(sends).toEqual([3, 3, 3]);
    expect(failures).toEqual(['KafkaJSConnectionError', 'KafkaJSConnectionError']);
  });

  it('stops at once on a non-retriable failure and says why', async () => {
    const { producer, sends } = scripted([tooLarge()]);
    const failures: boolean[] = [];
    const attempt = publishWithRetry({ ...base, producer, records: records(3), onAttempt: (f) => f && failures.push(f.retriable) });
    await expect(attempt).rejects.toThrow(PublishFailedError);
    await expect(publishWithRetry({ ...base, producer: scripted([tooLarge()]).producer, records: records(1), onAttempt: () => undefined })).rejects.toThrow(/MESSAGE_TOO_LARGE \(not retriable\)/);
    expect(sends).toEqual([3]);
    expect(failures).toEqual([false]);
  });

  it('gives up on retriable failures after publishTimeoutMs', async () => {
    const { producer, sends } = scripted(Array.from({ length: 1000 }, connection));
    let clock = 0;
    const attempt = publishWithRetry({ ...base, producer, records: records(1), onAttempt: () => (clock += 1000), now: () => clock, policy: { ...policy, giveUpAfterMs: 5000 } });
    await expect(attempt).rejects.toThrow(/retried for too long/);
    expect(sends.length).toBe(5);
  });

  it('refuses a record larger than the topic accepts without sending anything', async () => {
    const { producer, sends } = scripted([]);
    await expect(publishWithRetry({ ...base, producer, records: [{ key: null, value: 'x'.repeat(20_000) }], onAttempt: () => undefined })).rejects.toThrow(/RECORD_TOO_LARGE/);
    expect(sends).toEqual([]);
  });
});
