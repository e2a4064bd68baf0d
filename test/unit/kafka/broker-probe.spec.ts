import type { Kafka } from 'kafkajs';
import { BrokerProbe } from '../../../src/kafka/broker-probe.js';
import { createLogger } from '../../../src/logging.js';
import { Readiness } from '../../../src/service/readiness.js';
import { waitFor } from '../../../src/demo/wait.js';

/** A client whose admins answer while `broker.up` is true and refuse the connection otherwise. */
function fakeKafka(broker: { up: boolean; asked: number }): Kafka {
  const answer = async <T>(value: T): Promise<T> => {
    broker.asked += 1;
    if (!broker.up) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    return value;
  };
  return {
    admin: () => ({
      connect: () => answer(undefined),
      disconnect: async () => undefined,
      fetchTopicOffsets: () => answer([{ partition: 0, offset: '10', high: '10', low: '0' }]),
      fetchOffsets: () => answer([]),
    }),
  } as unknown as Kafka;
}

describe('BrokerProbe', () => {
  it('logs one error when the broker stops answering, however long it lasts, and one line when it answers again', async () => {
    const broker = { up: true, asked: 0 };
    const lines: string[] = [];
    const logger = createLogger('info', 'test', (l) => lines.push(l));
    const readiness = new Readiness({ stallAfterMs: 3000 });
    const probe = new BrokerProbe(fakeKafka(broker), { groupId: 'g', topics: ['events'], intervalMs: 5, timeoutMs: 1000 }, { assignment: () => new Map(), positions: () => new Map() }, readiness, logger);
    const brokerOk = () => readiness.report().checks.find((c) => c.check === 'broker')!.ok;
    probe.start();
    try {
      await waitFor(() => broker.asked > 0 && brokerOk(), 5000, 'a first answer', 5);
      broker.up = false;
      await waitFor(() => !brokerOk(), 5000, 'the probe to see the outage', 5);
      const asked = broker.asked;
      await waitFor(() => broker.asked >= asked + 10, 5000, 'ten more failed probes', 5);
      broker.up = true;
      await waitFor(() => brokerOk(), 5000, 'the probe to see the broker again', 5);
    } finally {
      await probe.stop();
    }
    const errors = lines.filter((l) => / ERROR /.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('the broker does not answer: Connection error: connect ECONNREFUSED');
    expect(lines.filter((l) => / INFO /.test(l) && /the broker answers again, after \d+\.\d s/.test(l))).toHaveLength(1);
  });
});
