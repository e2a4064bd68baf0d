/**
 * The aggregator of shared replicas (`kafka.replicas: shared`): a consumer group of its own on the
 * summaries topic, so that Kafka places each model (its partition of that topic) on one replica.
 * Each batch of summary records goes to the pure aggregator; the alerts of the windows it released,
 * the checkpoints of their models and the summaries offsets up to the first window still held are
 * delivered in one transaction, awaited before the next batch (so a rebalance never finds one in
 * flight). At every assignment the aggregator starts over from the group's commits and checkpoints:
 * kafkajs reads each partition again from its committed offset, which rebuilds the held windows.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ShiftwatchConfig } from '../config/index.js';
import { replicaIdOf, transactionalIdOf } from '../config/kafka.js';
import { committedBy, fenceDepartedReplicas, roundRobinNamingReplica } from './departed-replicas.js';
import type { Aggregator } from '../core/pipeline/aggregator.js';
import { PIECE_HEADER } from '../core/pipeline/summary-pieces.js';
import type { RuntimeOutput } from '../core/pipeline/model-runtime.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Logger } from '../logging.js';
import type { Readiness } from '../service/readiness.js';
import { announceDelivered, type IngestListener } from './outcomes.js';
import { CONSUMER_RETRY, haltPipeline, publishPolicy, restoreCheckpoints, splitKey } from './engine-parts.js';
import { OutputSinks } from './output-sinks.js';
import { TransactionalProducer, type OffsetToCommit } from './transactional-producer.js';

/** Kept about as long as a broker keeps a topic's records by default: an aggregator down longer than this loses windows. */
const SUMMARIES_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * Shared replicas write under transactional ids of their own, so a replica killed in the middle of a
 * transaction is fenced only when it comes back under its replicaId; until then the broker aborts
 * the transaction after this timeout (and its next cleanup pass), and read_committed readers of the
 * summaries topic, the aggregators, wait for it. Shorter than the 60 s of active-standby replicas
 * for that; a delivery takes milliseconds, and one that fails is retried on a new producer.
 */
export const SHARED_TRANSACTION_TIMEOUT_MS = 30_000;

/** The aggregators' consumer group, derived from the replicas' group. */
export const aggregateGroupOf = (groupId: string) => `${groupId}.aggregate`;

export class AggregateEngine {
  private consumer: Consumer | undefined;
  private producer: TransactionalProducer | undefined;
  private sinks: OutputSinks | undefined;
  private restoreDue = true;
  private stopping = false;
  /** Per "topic/partition": the offset this replica last committed. */
  private readonly committed = new Map<string, number>();
  private readonly commitMetadata: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ShiftwatchConfig,
    private readonly aggregator: Aggregator,
    private readonly metrics: MetricsRecorder,
    private readonly logger: Logger,
    private readonly readiness: Readiness,
    private readonly listener: IngestListener = {},
  ) {
    this.commitMetadata = committedByMetadata(replicaIdOf(config.kafka));
  }

  /**
   * Starts consuming the summaries topic (which the worker created), once the events topic's
   * partition count is known, and the labels topic's when labels are read in event time (else 0).
   */
  async start(eventPartitions: number, labelPartitions = 0): Promise<void> {
    const { topics, groupId, sessionTimeoutMs, rebalanceTimeoutMs } = this.config.kafka;
    const keys = (topic: string, n: number) => Array.from({ length: n }, (_, p) => `${topic}/${p}`);
    this.aggregator.setInputPartitions(keys(topics.events, eventPartitions), keys(topics.labels, labelPartitions));
    for (const outcome of ['replay_skipped', 'unknown_model'] as const) this.metrics.m.ingestMessages.inc({ topic: topics.summaries, outcome }, 0);
    const group = aggregateGroupOf(groupId);
    this.producer = new TransactionalProducer(this.kafka, { transactionalId: `${transactionalIdOf(this.config.kafka)}-aggregate`, groupId: group, transactionTimeoutMs: SHARED_TRANSACTION_TIMEOUT_MS }, this.logger);
    this.sinks = new OutputSinks(this.producer, { alerts: topics.alerts, dead_letters: topics.deadLetters, state: topics.state },
      publishPolicy(this.config.alerts), this.metrics, this.readiness, this.logger, () => this.stopping);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.sinks.readLimits(admin);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    this.consumer = this.kafka.consumer({
      groupId: group, sessionTimeout: sessionTimeoutMs, rebalanceTimeout: rebalanceTimeoutMs, retry: CONSUMER_RETRY,
      partitionAssigners: [roundRobinNamingReplica(replicaIdOf(this.config.kafka))],
    });
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.restoreDue = true;
      const owned = e.payload.memberAssignment[topics.summaries] ?? [];
      this.logger.info(`aggregator: this replica scores the models of ${owned.length} of the summaries topic's partitions`, { partitions: owned });
    });
    this.consumer.on(CRASH, (e) => {
      if (this.stopping || e.payload.restart) return;
      this.halt(`the aggregator's consumer crashed: ${String(e.payload.error)}`);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.summaries], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => this.onBatch(payload).catch((error: unknown) => this.halt(error instanceof Error ? error.message : String(error))) });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.consumer?.stop();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }

  private halt(reason: string): void {
    if (!haltPipeline(this.readiness, this.metrics, this.logger, reason)) return;
    try {
      this.consumer?.pause([{ topic: this.config.kafka.topics.summaries }]);
    } catch {
      // The consumer is already gone.
    }
  }

  private async onBatch({ batch, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.readiness.halted()) return;
    if (this.restoreDue) await this.restore();
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const piece = headerText(message.headers?.[PIECE_HEADER]);
      this.aggregator.handle({ topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, ...(piece === undefined ? {} : { headers: { [PIECE_HEADER]: piece } }) });
    }
    this.warnUnknownModels();
    // Scoring a backlog of windows can take a while: the group hears from this member first. A
    // heartbeat that says the group is rebalancing is no failure: this batch is still delivered
    // (the member rejoins once it returns, so no other replica reads these partitions meanwhile).
    await heartbeat().catch(() => undefined);
    const out: RuntimeOutput = await this.aggregator.complete({ windows: [], alerts: [], realized: [] });
    const models = [...new Set(out.windows.map((w) => w.model))];
    const checkpoints = models.flatMap((m) => this.aggregator.checkpoint(m) ?? []);
    const offsets: OffsetToCommit[] = [];
    for (const [key, offset] of this.aggregator.committableOffsets()) {
      if (this.committed.get(key) !== offset) offsets.push({ ...splitKey(key), offset: String(offset), metadata: this.commitMetadata });
    }
    await this.sinks!.deliver({ deadLetters: [], alerts: out.alerts, checkpoints, offsets }, heartbeat);
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, Number(o.offset));
    if (checkpoints.length > 0) this.metrics.m.lastCheckpointTimestamp.set(Date.now() / 1000);
    announceDelivered(out, this.metrics, this.listener);
    this.metrics.labelJoins(this.aggregator.labelJoinSizes());
    this.readiness.progressed();
  }

  /**
   * An aggregator that left the group in the middle of a transaction holds back the state topic,
   * whose checkpoints are read next, until it is fenced.
   */
  private async fenceDeparted(): Promise<void> {
    const { kafka } = this.config;
    const group = aggregateGroupOf(kafka.groupId);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [kafka.topics.summaries] });
      const committers = (committed?.partitions ?? []).flatMap((p) => committedBy(p.metadata) ?? []);
      await fenceDepartedReplicas(this.kafka, admin, {
        groupId: group, committers, self: replicaIdOf(kafka),
        transactionalIdOf: (replicaId) => `${transactionalIdOf({ ...kafka, replicaId })}-aggregate`, transactionTimeoutMs: SHARED_TRANSACTION_TIMEOUT_MS,
      }, this.logger);
    } finally {
      await admin.disconnect();
    }
  }

  /** Once per model: its windows are scored by no replica while the one that owns its summaries has no bundle for it. */
  private warnUnknownModels(): void {
    for (const model of this.aggregator.newUnknownModels()) {
      this.logger.warn(`aggregator: the summaries topic holds windows of model "${model}", which this replica has no bundle for: they are skipped and scored by no replica (counted in shiftwatch_ingest_messages_total{outcome="unknown_model"}); give every replica of group ${this.config.kafka.groupId} the same models`);
    }
  }

  /** After an assignment: everything read before is dropped; the checkpoints and committed offsets are the truth. */
  private async restore(): Promise<void> {
    this.aggregator.reset();
    this.committed.clear();
    // The models scored here may have changed: none shows this replica's old state any more.
    this.metrics.resetScores();
    await this.fenceDeparted();
    await restoreCheckpoints(this.kafka, this.config.kafka.topics.state, this.logger, this.aggregator);
    this.restoreDue = false;
  }
}

/** Commit metadata of the aggregators: the replica that committed (departed-replicas.ts). */
const committedByMetadata = (replicaId: string) => JSON.stringify({ by: replicaId });

/** A header's value as text (kafkajs gives a Buffer, or a list when the header is repeated). */
function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : one.toString();
}

/** Creates the summaries topic when it does not exist yet (records are a stream: deleted by age, never compacted). */
export async function ensureSummariesTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'retention.ms', value: String(SUMMARIES_RETENTION_MS) }] }],
  }).catch((error: unknown) => {
    // Another replica created it meanwhile.
    if (!String(error).includes('already exists')) throw error;
  });
}
