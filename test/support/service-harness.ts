/**
 * Runs the real service (Nest HTTP + Kafka transport) against the test broker with random topic
 * and group names, and gives tests a producer and readers for the output topics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { INestApplication } from '@nestjs/common';
import { parseConfig, type ShiftwatchConfig } from '../../src/config/index.js';
import { createRuntime, type ServiceRuntime } from '../../src/service/runtime.js';
import { startService } from '../../src/app/bootstrap.js';
import { writeBundle } from '../../src/core/fit/bundle-io.js';
import { syntheticRows, type Shift } from './synthetic.js';
import { waitFor } from '../../src/demo/wait.js';
import { syntheticBundle } from './fixtures.js';
import type { ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { randomName, testBrokers } from './kafka-env.js';
import { readAllRecords, type TopicRecord } from '../../src/kafka/topic-reader.js';

export const WINDOW = 500;

export interface Harness {
  config: ShiftwatchConfig;
  kafka: Kafka;
  producer: Producer;
  /** Sends to the events topic in chunks small enough for the broker's request limit. */
  sendEvents(messages: { key: string; value: string | null }[]): Promise<void>;
  start(): Promise<{ runtime: ServiceRuntime; app: INestApplication; url: string }>;
  readTopic(topic: string, atLeast: number, timeoutMs?: number): Promise<{ key: string | null; value: string; partition: number; offset: string }[]>;
  close(): Promise<void>;
}

export async function createHarness(options: { partitions?: number; cooldownWindows?: number; bundle?: ReferenceBundle; config?: Record<string, unknown> } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'shiftwatch-it-'));
  await writeBundle(join(dir, 'bundle'), options.bundle ?? syntheticBundle('m1', { windowSize: WINDOW, replicates: 300 }));
  const id = randomName('it');
  const config = parseConfig({
    kafka: {
      brokers: testBrokers(), clientId: id, groupId: `${id}-group`,
      topics: { events: `${id}-events`, alerts: `${id}-alerts`, deadLetters: `${id}-dlq`, state: `${id}-state`, labels: `${id}-labels` },
      maxMessageBytes: 100_000,
    },
    http: { host: '127.0.0.1', port: 0 },
    models: [{ name: 'm1', bundle: join(dir, 'bundle') }],
    window: { type: 'count', size: WINDOW, minEvents: 100 },
    alerts: { cooldownWindows: options.cooldownWindows ?? 0, initialBackoffMs: 50 },
    logLevel: 'error',
    ...options.config,
  });
  const kafka = new Kafka({ clientId: `${id}-test`, brokers: testBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const t = config.kafka.topics;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: t.events, numPartitions: options.partitions ?? 1 }, { topic: t.labels }, { topic: t.alerts }, { topic: t.deadLetters }] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const apps: INestApplication[] = [];
  return {
    config, kafka, producer,
    async sendEvents(messages) {
      for (let i = 0; i < messages.length; i += 1000) {
        await producer.send({ topic: config.kafka.topics.events, messages: messages.slice(i, i + 1000) });
      }
    },
    async start() {
      const runtime = await createRuntime(config);
      const app = await startService(runtime);
      apps.push(app);
      return { runtime, app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
    },
    async readTopic(topic, atLeast, timeoutMs = 60_000) {
      // Read the topic to its end (committed transactions only) until it holds at least `atLeast` records.
      let records: TopicRecord[] = [];
      await waitFor(async () => {
        records = await readAllRecords(kafka, topic, { timeoutMs, groupPrefix: randomName('reader') });
        return records.length >= atLeast;
      }, timeoutMs, `${atLeast} record(s) on ${topic}`, 200);
      return records
        .map((r) => ({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? '', partition: r.partition, offset: r.offset }))
        .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
    },
    async close() {
      for (const app of apps) await app.close().catch(() => undefined);
      await producer.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Event messages for whole windows, each window clean or shifted. */
export function eventMessages(shifts: readonly Shift[], seed = 100, model = 'm1'): { key: string; value: string }[] {
  return shifts.flatMap((shift, w) =>
    syntheticRows(WINDOW, seed + w, shift).map((features, i) => {
      const id = `w${w}-r${i}`;
      return { key: id, value: JSON.stringify({ model, id, ts: 1_764_331_200_000 + (w * WINDOW + i) * 100, features }) };
    }),
  );
}

export const CLEAN: Shift = { kind: 'none' };
export const AMOUNT_SHIFT: Shift = { kind: 'mean', feature: 'amount', logShift: 0.5 };
export const COUNTRY_SHIFT: Shift = { kind: 'mix', feature: 'country', probs: [0.1, 0.2, 0.5, 0.15, 0.05] };
