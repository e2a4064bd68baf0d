/** Kafka helpers for the e2e benchmark: fill a topic with inference events, and the raw-consume baseline. */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { waitFor } from '../src/demo/wait.js';
// The service's fetch sizes, so that only the work per message differs.
import { inputFetchSizes } from '../src/kafka/fetch-sizes.js';
import { createGenerator, eventJson } from './synthetic.js';

/** Full count windows the topic holds: windows are cut per input partition, so each partition's remainder stays open. */
export async function fullCountWindows(brokers: string[], topic: string, windowSize: number): Promise<number> {
  const admin = new Kafka({ clientId: 'shiftwatch-bench-offsets', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Math.floor((Number(p.high) - Number(p.low)) / windowSize), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Produced {
  topic: string;
  partitions: number;
  events: number;
  valueBytesMean: number;
  produceS: number;
  shiftedWindows: number;
}

/**
 * Creates `topic` with `partitions` partitions and produces `events` JSON inference events to it,
 * continuing the generator after its reference rows. Windows w with w mod 25 in 20..23 (in produce
 * order) get a +1 sd shift on f05, so the service fires and resolves alerts along the way.
 */
export async function produceEvents(args: {
  brokers: string[];
  topic: string;
  partitions: number;
  events: number;
  windowSize: number;
  model: string;
  features: number;
  seed: number;
  referenceRows: number;
}): Promise<Produced> {
  const { brokers, topic, events, windowSize, referenceRows } = args;
  const shifted = (e: number) => Math.floor(e / windowSize) % 25 >= 20 && Math.floor(e / windowSize) % 25 <= 23;
  const gen = createGenerator({
    features: args.features,
    seed: args.seed,
    shift: { feature: 5, sds: 1, when: (i) => i >= referenceRows && shifted(i - referenceRows) },
  });
  // Advance past the reference rows so live rows are fresh draws, not copies of the reference.
  for (let i = 0; i < referenceRows; i++) gen.row(i);
  const kafka = new Kafka({ clientId: 'shiftwatch-bench-producer', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: args.partitions }] });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  const startTs = Date.UTC(2026, 10, 28, 9, 0, 0);
  try {
    const CHUNK = 1000; // about 0.5 MB per request, under the broker's 1 MB record batch limit
    // Up to 3 requests in flight while the next chunk is generated; one connection per broker
    // keeps them in order.
    const inFlight: Promise<unknown>[] = [];
    for (let e = 0; e < events; e += CHUNK) {
      const messages: { key: string; value: string }[] = [];
      for (let k = e; k < Math.min(events, e + CHUNK); k++) {
        const i = referenceRows + k;
        const value = eventJson(args.model, `req-${k}`, startTs + k * 100, gen.names, gen.row(i));
        bytes += Buffer.byteLength(value);
        messages.push({ key: `req-${k}`, value });
      }
      inFlight.push(producer.send({ topic, messages, acks: -1 }));
      if (inFlight.length >= 3) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  const produceS = (performance.now() - started) / 1000;
  const windows = Math.floor(events / windowSize);
  let shiftedWindows = 0;
  for (let w = 0; w < windows; w++) if (shifted(w * windowSize)) shiftedWindows += 1;
  return { topic, partitions: args.partitions, events, valueBytesMean: bytes / events, produceS, shiftedWindows };
}

export interface ConsumeTiming {
  /** From connect() to the first message handed to the consumer code. */
  startupMs: number;
  /** From the first message to the last one of the topic. */
  consumeMs: number;
  eventsPerS: number;
}

/**
 * A parse-only reader's count and timing: each value is JSON-parsed (one feature summed, so the
 * parse is not optimized away); events per second run from the first message to the `events`-th.
 */
export class ParseMeter {
  count = 0;
  checksum = 0;
  first = Number.NaN;
  last = Number.NaN;

  constructor(
    private readonly events: number,
    /** The feature summed into the checksum. */
    private readonly feature: string,
  ) {}

  read(values: ReadonlyArray<{ value: Buffer | null }>): void {
    if (values.length === 0) return;
    if (Number.isNaN(this.first)) this.first = performance.now();
    for (const message of values) {
      const event = JSON.parse(message.value!.toString('utf8')) as { features?: Record<string, number> };
      this.checksum += event.features?.[this.feature] ?? 0;
      this.count += 1;
    }
    if (this.count >= this.events && Number.isNaN(this.last)) this.last = performance.now();
  }

  done(): boolean {
    return this.count >= this.events;
  }

  eventsPerSecond(): number {
    return this.events / ((this.last - this.first) / 1000);
  }
}

/**
 * Baseline: a kafkajs consumer (fresh group, from the beginning, eachBatch) that only JSON.parses
 * each value, until it has read `events` messages of `topic` (of all its topics when several).
 */
export async function rawConsume(brokers: string[], topic: string | readonly string[], events: number, groupId: string, timeoutMs: number, eventPartitions = 1): Promise<ConsumeTiming & { checksum: number }> {
  const kafka = new Kafka({ clientId: 'shiftwatch-bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, ...inputFetchSizes(eventPartitions) });
  const t0 = performance.now();
  const meter = new ParseMeter(events, 'f00');
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: typeof topic === 'string' ? [topic] : [...topic], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => meter.read(batch.messages) });
    await waitFor(() => meter.done(), timeoutMs, `the raw consumer to read ${events} events`, 20);
  } finally {
    await consumer.disconnect();
  }
  const consumeMs = meter.last - meter.first;
  return { startupMs: meter.first - t0, consumeMs, eventsPerS: meter.eventsPerSecond(), checksum: meter.checksum };
}
