/**
 * Kafka transactions with kafkajs 2.2.4 against the project's Kafka 4.1 broker, through the
 * service's own TransactionalProducer and topic reader: a committed transaction is seen by a
 * read_committed reader and an aborted one is not (although its records are in the log); offsets
 * sent in a transaction keep their metadata; a second producer with the same transactional id
 * fences the first and ends the transaction it left open.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { TransactionalProducer, sendOffsets, type OffsetToCommit } from '../../src/kafka/transactional-producer.js';
import { TransactionStepError } from '../../src/kafka/publish-errors.js';
import { readAllRecords } from '../../src/kafka/topic-reader.js';
import { createLogger } from '../../src/logging.js';
import { randomName, testBrokers } from '../support/kafka-env.js';

const logger = createLogger('error', 'test', () => undefined);
const values = (records: Array<{ value: Buffer | null }>) => records.map((r) => r.value?.toString() ?? null);
const send = (topic: string, ...texts: string[]) => [{ sink: 'alerts', topic, chunks: [texts.map((t) => ({ key: 'm', value: t }))] }];

describe('Kafka transactions (kafkajs on the test broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  const out = randomName('tx-out');
  const input = randomName('tx-in');
  const groupId = randomName('tx-group');
  const producers: TransactionalProducer[] = [];
  const producer = async (transactionalId: string) => {
    const p = new TransactionalProducer(kafka, { transactionalId, groupId }, logger);
    producers.push(p);
    await p.connect();
    return p;
  };

  beforeAll(async () => {
    kafka = new Kafka({ clientId: randomName('tx'), brokers: testBrokers(), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: out, numPartitions: 1 }, { topic: input, numPartitions: 2 }] });
  });

  afterAll(async () => {
    for (const p of producers) await p.disconnect().catch(() => undefined);
    await admin.disconnect();
  });

  it('commits records and offsets with their metadata together; an aborted transaction leaves neither', async () => {
    const p = await producer(randomName('tx-id'));
    const offsets: OffsetToCommit[] = [
      { topic: input, partition: 0, offset: '7', metadata: '{"v":1,"clock":1764331200000,"handled":9}' },
      { topic: input, partition: 1, offset: '3', metadata: null },
    ];
    await p.deliver(send(out, 'committed-1', 'committed-2'), offsets);
    // An aborted transaction, through kafkajs directly: its records reach the log, its offsets do not count.
    const raw = kafka.producer({ transactionalId: randomName('tx-raw'), idempotent: true, maxInFlightRequests: 1 });
    await raw.connect();
    const txn = await raw.transaction();
    await txn.send({ topic: out, messages: [{ key: 'm', value: 'aborted' }] });
    await sendOffsets(txn, groupId, [{ topic: input, partition: 0, offset: '99', metadata: 'aborted' }]);
    await txn.abort();
    await raw.disconnect();

    expect(values(await readAllRecords(kafka, out))).toEqual(['committed-1', 'committed-2']);
    expect(values(await readAllRecords(kafka, out, { readUncommitted: true }))).toEqual(['committed-1', 'committed-2', 'aborted']);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(committed!.partitions.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '7', metadata: '{"v":1,"clock":1764331200000,"handled":9}' },
      { partition: 1, offset: '3', metadata: null },
    ]);
  });

  it('a restart under the same transactional id fences the old producer and aborts what it left open', async () => {
    const id = randomName('tx-id');
    const topic = randomName('tx-zombie');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    const zombie = await producer(id);
    await zombie.deliver(send(topic, 'before'), []);
    // A process that died inside a transaction: records sent, never committed nor aborted.
    const dead = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    await dead.connect();
    const open = await dead.transaction();
    await open.send({ topic, messages: [{ key: 'm', value: 'left open' }] });
    // The restart: connecting fences both, and ends the open transaction (aborted) before it resolves.
    await producer(id);
    expect(values(await readAllRecords(kafka, topic, { timeoutMs: 10_000 }))).toEqual(['before']);
    const error = await zombie.deliver(send(topic, 'from the zombie'), [{ topic: input, partition: 0, offset: '1000', metadata: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionStepError);
    expect(error).toMatchObject({ retriable: false, message: expect.stringMatching(/fenced: another process uses the transactional id/) });
    await expect(open.commit()).rejects.toThrow();
    await dead.disconnect();
    expect(values(await readAllRecords(kafka, topic, { timeoutMs: 10_000 }))).toEqual(['before']);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(committed!.partitions.find((x) => x.partition === 0)!.offset).not.toBe('1000');
  });
});
