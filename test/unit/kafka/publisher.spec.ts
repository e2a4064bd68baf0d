/** The plan of a delivery's sends, and the retry loop and its bounds with scripted attempts (the real transactions are exercised by test/integration/kafka-transactions.spec.ts and dead-letters.spec.ts). */
import { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { planSends, withRetries } from '../../../src/kafka/publisher.js';
import { classifyPublishError, PublishAbortedError, PublishFailedError, TransactionStepError } from '../../../src/kafka/publish-errors.js';
import { createLogger } from '../../../src/logging.js';

/** As kafkajs's retrier throws a broker's non-retriable error: wrapped, with the protocol error as its cause. */
function tooLarge(): Error {
  const protocol = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'The request included a message larger than the max message size the server will accept' } as never);
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
  return new NonRetriable(protocol, { cause: protocol });
}
const connection = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');

/** An attempt (one transaction) that fails with the next scripted outcome, counting its calls. */
function scripted(outcomes: Array<Error | 'ok'>): { attempt: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    attempt: async () => {
      calls += 1;
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
    },
    calls: () => calls,
  };
}

const policy = { initialBackoffMs: 1, maxBackoffMs: 2, warnAfter: 100, giveUpAfterMs: 60_000 };
const base = { what: 'a test batch', policy, logger: createLogger('error', 'test', () => undefined), isStopping: () => false };
const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: `record ${i} `.padEnd(200, '.') }));

describe('classifying produce errors', () => {
  it('takes the broker error type and its retriable flag from inside the kafkajs wrappers', () => {
    expect(classifyPublishError(tooLarge())).toMatchObject({ retriable: false, code: 'MESSAGE_TOO_LARGE' });
    expect(classifyPublishError(new KafkaJSNumberOfRetriesExceeded(connection(), { retryCount: 3, retryTime: 10 } as never))).toMatchObject({ retriable: true, code: 'KafkaJSConnectionError' });
    expect(classifyPublishError(connection())).toMatchObject({ retriable: true });
    expect(classifyPublishError(new TypeError('bug'))).toMatchObject({ retriable: false, code: 'TypeError' });
  });

  it('retries a group coordinator kafkajs could not find (it is elected again after a broker restart)', () => {
    expect(classifyPublishError(new (KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error)('Failed to find group coordinator'))).toMatchObject({ retriable: true, code: 'KafkaJSGroupCoordinatorNotFound' });
  });
});

describe('planning the sends of a delivery', () => {
  it('splits each topic\'s records into sends within its limit, in order, and skips empty topics', () => {
    const plan = planSends([
      { sink: 'dead_letters', topic: 'dlq', records: records(200), limitBytes: 10_000 },
      { sink: 'alerts', topic: 'alerts', records: [], limitBytes: 10_000 },
      { sink: 'state', topic: 'state', records: records(2), limitBytes: 10_000 },
    ]);
    expect(plan.map((p) => p.sink)).toEqual(['dead_letters', 'state']);
    expect(plan[0]!.chunks.length).toBeGreaterThan(3);
    expect(plan[0]!.chunks.flat().map((r) => r.value)).toEqual(records(200).map((r) => r.value));
  });

  it('refuses a record larger than the topic accepts before anything is sent', () => {
    expect(() => planSends([{ sink: 'alerts', topic: 'alerts', records: [{ key: null, value: 'x'.repeat(20_000) }], limitBytes: 10_000 }]))
      .toThrow(/publishing to alerts \(alerts\) failed after 0 attempt\(s\): RECORD_TOO_LARGE \(not retriable\)/);
  });
});

describe('delivering with retries', () => {
  it('retries a retriable failure, then succeeds', async () => {
    const { attempt, calls } = scripted([new TransactionStepError('alerts', 'a', connection()), connection(), 'ok']);
    await withRetries(base, attempt);
    expect(calls()).toBe(3);
  });

  it('stops at once on a non-retriable failure and names the step that failed', async () => {
    const { attempt, calls } = scripted([new TransactionStepError('dead_letters', 'dlq', tooLarge())]);
    await expect(withRetries(base, attempt)).rejects.toThrow(/publishing to dlq \(dead_letters\) failed after 1 attempt\(s\): MESSAGE_TOO_LARGE \(not retriable\)/);
    expect(calls()).toBe(1);
  });

  it('does not retry a step marked not retriable although its cause is (a commit of unknown outcome)', async () => {
    const { attempt, calls } = scripted([new TransactionStepError('commit', 'tx', connection(), false)]);
    await expect(withRetries(base, attempt)).rejects.toThrow(PublishFailedError);
    expect(calls()).toBe(1);
  });

  it('retries a step marked retriable although its cause is not (the producer\'s transaction state, which a new producer leaves behind)', async () => {
    const { attempt, calls } = scripted([new TransactionStepError('offsets', 'g', tooLarge(), true), 'ok']);
    await withRetries(base, attempt);
    expect(calls()).toBe(2);
  });

  it('gives up on retriable failures after publishTimeoutMs', async () => {
    let clock = 0;
    const { attempt, calls } = scripted(Array.from({ length: 1000 }, connection));
    const counted = async () => {
      clock += 1000;
      await attempt();
    };
    await expect(withRetries({ ...base, now: () => clock, policy: { ...policy, giveUpAfterMs: 5000 } }, counted)).rejects.toThrow(/retried for too long/);
    expect(calls()).toBe(5);
  });

  it('stops retrying when the service is stopping', async () => {
    const { attempt, calls } = scripted([connection(), connection()]);
    await expect(withRetries({ ...base, isStopping: () => true }, attempt)).rejects.toThrow(PublishAbortedError);
    expect(calls()).toBe(1);
  });
});
