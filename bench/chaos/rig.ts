/**
 * What every fault scenario stands on: a real Kafka broker (its own, restartable at the same port
 * and data dir, or one given with --brokers), random topic and group names, the real service as a
 * child process (`shiftwatch serve`), and readers for topics and /metrics. Everything started here
 * is stopped by close().
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { stringify } from 'yaml';
import { startLocalKafka, type LocalKafka } from '../../src/infra/local-kafka.js';
import { freePorts } from '../../src/infra/free-ports.js';
import { spawnServiceChild, type ServiceChild, type SpawnedService } from '../../tools/picture/service-child.js';
import { chunkRecords, type OutgoingRecord } from '../../src/kafka/send-chunks.js';
import { FALLBACK_LIMIT_BYTES } from '../../src/kafka/topic-limits.js';
import { readAllRecords, type TopicRecord } from '../../src/kafka/topic-reader.js';

/** SHIFTWATCH_CHAOS_KEEP=1 keeps the rig's directory (broker logs, configs, service output) to look into a miss. */
const KEEP = process.env.SHIFTWATCH_CHAOS_KEEP === '1';

export type Log = (line: string) => void;

export interface Topics {
  events: string;
  labels: string;
  alerts: string;
  deadLetters: string;
  state: string;
  /** Shared replicas: the summaries topic (default: kafka.topics.summaries's). */
  summaries?: string;
}

export type { TopicRecord } from '../../src/kafka/topic-reader.js';

export class ChaosRig {
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  private broker: LocalKafka | undefined;
  private brokerPort: number | undefined;
  private readonly spread = new Map<string, number>();
  readonly id = `chaos-${Date.now()}-${randomBytes(3).toString('hex')}`;

  private constructor(
    readonly dir: string,
    readonly brokers: string[],
    readonly kafka: Kafka,
    readonly log: Log,
  ) {}

  /** Uses `brokers` when given; otherwise starts a broker of its own on a fixed port (restartable). */
  static async create(options: { brokers?: string[]; log: Log }): Promise<ChaosRig> {
    const dir = await mkdtemp(join(tmpdir(), 'shiftwatch-chaos-'));
    let own: LocalKafka | undefined;
    let port: number | undefined;
    if (options.brokers === undefined || options.brokers.length === 0) {
      [port] = await freePorts(1);
      own = await startLocalKafka({ dataDir: join(dir, 'kafka'), brokerPort: port!, log: (l) => options.log(`[kafka] ${l}`) });
    }
    const brokers = own?.brokers ?? options.brokers!;
    const kafka = new Kafka({ clientId: 'shiftwatch-chaos', brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
    const rig = new ChaosRig(dir, brokers, kafka, options.log);
    rig.broker = own;
    rig.brokerPort = port;
    return rig;
  }

  topics(): Topics {
    return { events: `${this.id}-events`, labels: `${this.id}-labels`, alerts: `${this.id}-alerts`, deadLetters: `${this.id}-dlq`, state: `${this.id}-state`, summaries: `${this.id}-summaries` };
  }

  /** The input and output topics, each with one partition but the events topic with `eventPartitions`. */
  async createTopics(topics: Topics, eventPartitions = 1): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [topics.events, topics.labels, topics.alerts, topics.deadLetters].map((topic) => ({ topic, numPartitions: topic === topics.events ? eventPartitions : 1 })) });
    } finally {
      await admin.disconnect();
    }
  }

  /** An idempotent producer, disconnected by close(). */
  async producer(): Promise<Producer> {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
    await producer.connect();
    this.cleanups.push(() => producer.disconnect());
    return producer;
  }

  /**
   * Sends in order to partition 0 (the rig's topics have one), in sends within the broker's default
   * size limit; resolves with each record's offset. The partition is given so that kafkajs does not
   * hash the keys: its murmur2 takes minutes on a 900 KB key.
   */
  async send(producer: Producer, topic: string, records: readonly OutgoingRecord[]): Promise<number[]> {
    const offsets: number[] = [];
    for (const chunk of chunkRecords(records, FALLBACK_LIMIT_BYTES)) {
      const [meta] = await producer.send({ topic, messages: chunk.map((r) => ({ key: r.key, value: r.value, partition: 0 })) });
      const base = Number(meta!.baseOffset);
      chunk.forEach((_, i) => offsets.push(base + i));
    }
    return offsets;
  }

  /** Sends records to the topic's `partitions` partitions in turn (the k-th record ever sent to the topic goes to partition k mod partitions). */
  async sendSpread(producer: Producer, topic: string, records: readonly OutgoingRecord[], partitions: number): Promise<void> {
    let next = this.spread.get(topic) ?? 0;
    for (const chunk of chunkRecords(records, FALLBACK_LIMIT_BYTES)) {
      await producer.send({ topic, messages: chunk.map((r, i) => ({ key: r.key, value: r.value, partition: (next + i) % partitions })) });
      next += chunk.length;
      this.spread.set(topic, next);
    }
  }

  /** Offsets the topic's partitions span (high watermark minus low, summed): its record count when no transaction wrote to it. */
  async count(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Every committed record of the topic, from the beginning to its end now (read_committed, as any reader of the service's outputs must). */
  readAll(topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
    return readAllRecords(this.kafka, topic, { timeoutMs, groupPrefix: `${this.id}-reader` });
  }

  /** Writes the service's config (with `settings` over the defaults below) and starts `shiftwatch serve`. */
  async startService(topics: Topics, settings: Record<string, unknown>): Promise<ServiceChild> {
    const service = await this.spawnService(topics, settings);
    await service.waitReady(120_000);
    this.log(`service ${service.url} (pid ${service.pid}) ready`);
    return service;
  }

  /** Like startService without waiting for it to be ready; `groupId` defaults to the rig's group. */
  async spawnService(topics: Topics, settings: Record<string, unknown>, groupId = `${this.id}-group`): Promise<SpawnedService> {
    const [port] = await freePorts(1);
    const file = join(this.dir, `shiftwatch-${port}.yaml`);
    const { kafka, ...rest } = settings as { kafka?: Record<string, unknown> };
    await writeFile(file, stringify({
      kafka: { brokers: this.brokers, clientId: this.id, groupId, topics, ...kafka },
      http: { host: '127.0.0.1', port },
      logLevel: 'warn',
      ...rest,
    }));
    const service = spawnServiceChild(file, port!);
    this.cleanups.push(async () => {
      if (KEEP) await writeFile(join(this.dir, `service-${port}.log`), service.output());
      await service.stop();
    });
    return service;
  }

  /** Stops the rig's own broker with `signal` and starts it again on the same port and data dir; resolves when it answers. */
  async restartBroker(signal: 'SIGTERM' | 'SIGKILL', onDown: () => void = () => undefined, downMs = 0): Promise<{ killedAt: number; downAt: number; upAt: number }> {
    const broker = this.broker;
    if (broker === undefined || this.brokerPort === undefined) throw new Error('restartBroker needs the rig\'s own broker (no --brokers)');
    const killedAt = Date.now();
    process.kill(broker.pid, signal);
    const forced = setTimeout(() => process.kill(broker.pid, 'SIGKILL'), 30_000);
    await broker.exited;
    clearTimeout(forced);
    const downAt = Date.now();
    await broker.stop();
    onDown();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.broker = await startLocalKafka({ dataDir: join(this.dir, 'kafka'), brokerPort: this.brokerPort, log: (l) => this.log(`[kafka] ${l}`) });
    return { killedAt, downAt, upAt: Date.now() };
  }

  onClose(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    await this.broker?.stop().catch(() => undefined);
    if (KEEP) this.log(`kept ${this.dir}: the broker's logs in kafka/logs, each service's last output in service-<port>.log`);
    else await rm(this.dir, { recursive: true, force: true });
  }
}

/** The sum of the samples of `name` whose labels include `labels`, from Prometheus text exposition. */
export function metricSum(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
}

/** Input messages the service has accounted for, from its metrics: events and labels accepted, and dead letters. */
export function handled(exposition: string): { accepted: number; deadLettered: number } {
  const events = metricSum(exposition, 'shiftwatch_ingest_messages_total', { outcome: 'accepted' });
  const labels = metricSum(exposition, 'shiftwatch_labels_total');
  return { accepted: events + labels, deadLettered: metricSum(exposition, 'shiftwatch_dead_letters_total') };
}
