/**
 * Smoke test of the real Kafka broker every integration test runs against (started by
 * test/support/global-setup.ts, or external via SHIFTWATCH_TEST_BROKERS): topic admin, keyed
 * produce, consumer-group consumption and committed offsets. No fixed sleeps: every wait is on
 * a condition with a deadline.
 */
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { randomName, testBrokers } from '../support/kafka-env.js';

const N = 90;
const PARTITIONS = 3;

/** Resolves when `done()` says so after an event, rejects at the deadline with `what()` in the message. */
function deadline(ms: number, what: () => string): { promise: Promise<void>; check: (done: boolean) => void; cancel: () => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
  return {
    promise,
    check: (done) => {
      if (done) {
        clearTimeout(timer);
        resolve();
      }
    },
    cancel: () => clearTimeout(timer),
  };
}

describe('local Kafka broker', () => {
  const topic = randomName('sw-it-broker');
  const groupId = randomName('sw-it-group');
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: randomName('sw-it-client'), brokers: testBrokers(), logLevel: logLevel.ERROR });
    admin = kafka.admin();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('creates a 3-partition topic and lists it', async () => {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(topic);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions).toHaveLength(PARTITIONS);
  });

  it('delivers N keyed messages to a consumer group exactly once and shows its committed offsets', async () => {
    const messages = Array.from({ length: N }, (_, i) => ({ key: `key-${i % 30}`, value: JSON.stringify({ seq: i }) }));
    await producer.send({ topic, acks: -1, messages });
    const high = await admin.fetchTopicOffsets(topic);
    expect(high.reduce((sum, p) => sum + Number(p.high), 0)).toBe(N);

    const received: { seq: number; key: string; partition: number; offset: string }[] = [];
    const nextOffsets = new Map<number, string>();
    const allReceived = deadline(60_000, () => `${N} messages (got ${received.length})`);

    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const seq = (JSON.parse(message.value!.toString()) as { seq: number }).seq;
        received.push({ seq, key: message.key!.toString(), partition, offset: message.offset });
        nextOffsets.set(partition, (BigInt(message.offset) + 1n).toString());
        allReceived.check(received.length >= N);
      },
    });
    try {
      await allReceived.promise;
    } finally {
      allReceived.cancel();
    }

    // Exactly N, each sequence number once, and every key always on the same partition.
    expect(received).toHaveLength(N);
    expect(new Set(received.map((m) => m.seq)).size).toBe(N);
    expect([...new Set(received.map((m) => m.seq))].sort((a, b) => a - b)).toEqual(messages.map((_, i) => i));
    const partitionOfKey = new Map<string, number>();
    for (const m of received) {
      expect(partitionOfKey.get(m.key) ?? m.partition).toBe(m.partition);
      partitionOfKey.set(m.key, m.partition);
    }
    expect(new Set(received.map((m) => m.partition)).size).toBeGreaterThan(1);

    await consumer.commitOffsets([...nextOffsets].map(([partition, offset]) => ({ topic, partition, offset })));

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, p.offset]));
    for (const p of high) {
      // A partition that got no messages has nothing committed (-1).
      const expected = p.high === '0' ? '-1' : p.high;
      expect({ partition: p.partition, committed: byPartition.get(p.partition) }).toEqual({ partition: p.partition, committed: expected });
    }
    expect([...byPartition.values()].reduce((sum, offset) => sum + Math.max(0, Number(offset)), 0)).toBe(N);
  });
});
