/**
 * `client`: raw consume rate of the Kafka clients on the scale scenario's events (a `--partitions`
 * topic filled before any consumer starts), each reading the whole topic in a fresh group from the
 * beginning and JSON-parsing every value, alternated `--repeats` times:
 *
 * - kafkajs, `eachBatch`, the service's fetch sizes (what `scale` calls the raw consume rate);
 * - @confluentinc/kafka-javascript through its KafkaJS-compatible API (`eachBatch`, batches of up to
 *   `--batch` messages, 1,000 by default);
 * - @confluentinc/kafka-javascript's own API (`consume(batch)` in a loop).
 *
 * The Confluent client is not a dependency of shiftwatch: `scripts/build-confluent-client` builds it
 * into `.cache/confluent-kafka-javascript` (`--confluent-dir` to use another directory).
 *
 *   {"scenario":"client","kafkajsEventsPerSecond","confluentKafkaJsApiEventsPerSecond","confluentNativeEventsPerSecond","confluentNativeOverKafkajs","confluentKafkaJsApiOverKafkajs"}
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intFlag, parseFlags, UsageError } from './args.js';
import { machineInfo } from './machine.js';
import { ParseMeter, rawConsume } from './kafka-io.js';
import { median, round } from './stats.js';
import { waitFor } from '../src/demo/wait.js';
import { repoRoot } from '../src/infra/kafka-paths.js';
import { ChaosRig } from './chaos/rig.js';
import { classifierWindow } from './chaos/classifier.js';

export const CLIENT_FLAGS = ['events', 'partitions', 'repeats', 'batch', 'confluent-dir'] as const;

const log = (line: string) => process.stderr.write(`[client] ${line}\n`);
const TIMEOUT_MS = 300_000;

/** The parts of @confluentinc/kafka-javascript this benchmark uses (its own types are not installed with shiftwatch). */
interface ConfluentMessage {
  value: Buffer | null;
}
interface NativeConsumer {
  connect(options: object, cb: (err: Error | null) => void): void;
  subscribe(topics: string[]): void;
  consume(n: number, cb: (err: Error | null, messages: ConfluentMessage[]) => void): void;
  setDefaultConsumeTimeout(ms: number): void;
  disconnect(cb: () => void): void;
}
interface KafkaJsApiConsumer {
  connect(): Promise<void>;
  subscribe(options: { topics: string[] }): Promise<void>;
  run(options: { eachBatch: (payload: { batch: { messages: ConfluentMessage[] } }) => Promise<void> }): Promise<void>;
  disconnect(): Promise<void>;
}
interface ConfluentModule {
  KafkaConsumer: new (global: Record<string, unknown>, topic: Record<string, unknown>) => NativeConsumer;
  KafkaJS: { Kafka: new (config: Record<string, unknown>) => { consumer(config: Record<string, unknown>): KafkaJsApiConsumer }; logLevel: { NOTHING: number } };
  librdkafkaVersion?: string;
}

function loadConfluent(dir: string): ConfluentModule {
  const manifest = join(resolve(dir), 'package.json');
  if (!existsSync(join(resolve(dir), 'node_modules', '@confluentinc', 'kafka-javascript'))) {
    throw new UsageError(`@confluentinc/kafka-javascript is not built in ${dir}: run scripts/build-confluent-client first (or pass --confluent-dir)`);
  }
  return createRequire(manifest)('@confluentinc/kafka-javascript') as ConfluentModule;
}

export async function runClient(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, CLIENT_FLAGS);
  const partitions = intFlag(flags, 'partitions', 4, 1);
  const repeats = intFlag(flags, 'repeats', 2, 1);
  const batch = intFlag(flags, 'batch', 1000, 1);
  const perRound = 1000 * partitions;
  const events = Math.max(2, Math.round(intFlag(flags, 'events', 200_000, 1) / perRound)) * perRound;
  const confluent = loadConfluent(flags.get('confluent-dir') ?? join(repoRoot(), '.cache', 'confluent-kafka-javascript'));

  const rig = await ChaosRig.create({ log });
  try {
    const topics = rig.topics();
    await rig.createTopics(topics, partitions);
    const producer = await rig.producer();
    for (let w = 0; w < events / perRound; w++) await rig.sendSpread(producer, topics.events, classifierWindow(w, perRound, false).events, partitions);
    log(`${events} events on ${partitions} partitions written`);
    const rates: Record<'kafkajs' | 'kafkaJsApi' | 'native', number[]> = { kafkajs: [], kafkaJsApi: [], native: [] };
    for (let r = 0; r < repeats; r++) {
      rates.kafkajs.push((await rawConsume(rig.brokers, topics.events, events, `${rig.id}-kafkajs-${r}`, TIMEOUT_MS, partitions)).eventsPerS);
      rates.kafkaJsApi.push(await confluentKafkaJsApi(confluent, rig.brokers, topics.events, events, `${rig.id}-kjsapi-${r}`, batch));
      rates.native.push(await confluentNative(confluent, rig.brokers, topics.events, events, `${rig.id}-native-${r}`, batch));
      log(`round ${r + 1}: kafkajs ${rates.kafkajs.at(-1)!.toFixed(0)}, Confluent KafkaJS API ${rates.kafkaJsApi.at(-1)!.toFixed(0)}, Confluent native ${rates.native.at(-1)!.toFixed(0)} events/s`);
    }
    const [kafkajs, kafkaJsApi, native] = [median(rates.kafkajs), median(rates.kafkaJsApi), median(rates.native)];
    return {
      scenario: 'client',
      kafkajsEventsPerSecond: Math.round(kafkajs),
      confluentKafkaJsApiEventsPerSecond: Math.round(kafkaJsApi),
      confluentNativeEventsPerSecond: Math.round(native),
      confluentNativeOverKafkajs: round(native / kafkajs, 2),
      confluentKafkaJsApiOverKafkajs: round(kafkaJsApi / kafkajs, 2),
      events,
      partitions,
      repeats,
      batch,
      librdkafka: confluent.librdkafkaVersion ?? null,
      machine: machineInfo(),
    };
  } finally {
    await rig.close();
  }
}

async function confluentKafkaJsApi(mod: ConfluentModule, brokers: string[], topic: string, events: number, groupId: string, batch: number): Promise<number> {
  const kafka = new mod.KafkaJS.Kafka({ kafkaJS: { brokers, logLevel: mod.KafkaJS.logLevel.NOTHING } });
  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false }, 'js.consumer.max.batch.size': batch });
  const meter = new ParseMeter(events, 'x0');
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ eachBatch: async ({ batch }) => meter.read(batch.messages) });
    await waitFor(() => meter.done(), TIMEOUT_MS, `the Confluent KafkaJS-API consumer to read ${events} events`, 20);
  } finally {
    await consumer.disconnect();
  }
  return meter.eventsPerSecond();
}

async function confluentNative(mod: ConfluentModule, brokers: string[], topic: string, events: number, groupId: string, batch: number): Promise<number> {
  const consumer = new mod.KafkaConsumer({ 'group.id': groupId, 'metadata.broker.list': brokers.join(','), 'enable.auto.commit': false }, { 'auto.offset.reset': 'earliest' });
  await new Promise<void>((ok, fail) => consumer.connect({}, (err) => (err ? fail(err) : ok())));
  const meter = new ParseMeter(events, 'x0');
  try {
    consumer.subscribe([topic]);
    consumer.setDefaultConsumeTimeout(100);
    const deadline = Date.now() + TIMEOUT_MS;
    while (!meter.done()) {
      if (Date.now() > deadline) throw new Error(`the Confluent consumer read ${meter.count} of ${events} events in ${TIMEOUT_MS} ms`);
      meter.read(await new Promise<ConfluentMessage[]>((ok, fail) => consumer.consume(batch, (err, messages) => (err ? fail(err) : ok(messages)))));
    }
  } finally {
    await new Promise<void>((ok) => consumer.disconnect(() => ok()));
  }
  return meter.eventsPerSecond();
}
