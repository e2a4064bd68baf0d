/**
 * The Kafka side of the service: consumes inference events, feeds the pure monitor, and delivers
 * what it returns (dead letters, alerts, state checkpoints) together with the input offsets, up to
 * the first event still held by an open window, in one Kafka transaction per batch. A crash
 * therefore replays the open windows and nothing else, and what a read_committed reader sees of
 * the outputs is exactly what the committed offsets and state account for: no duplicate after a
 * replay, no gap.
 *
 * With shared replicas (`kafka.replicas: shared`) this engine is the worker: the group splits the
 * input partitions, and each delivery carries the windows cut since the last one, as summary
 * records for the models' aggregators (aggregate-engine.ts, started and stopped with this engine).
 *
 * When output cannot be written (a non-retriable error, retriable ones for longer than
 * `alerts.publishTimeoutMs`, or a batch that throws), the engine halts: it stops consuming, never
 * commits again, and readiness and liveness say why. A restart replays from the last commit.
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Admin, Consumer, Kafka, EachBatchPayload } from 'kafkajs';
import type { ShiftwatchConfig } from '../config/index.js';
import { replicaIdOf, transactionalIdOf } from '../config/kafka.js';
import { fenceDepartedReplicas, roundRobinNamingReplica } from './departed-replicas.js';
import type { Monitor, MonitorOutput } from '../core/pipeline/monitor.js';
import { emptyOutput } from '../core/pipeline/monitor.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Logger } from '../logging.js';
import type { Readiness } from '../service/readiness.js';
import { ensureStateTopic } from './checkpoint-store.js';
import { CONSUMER_RETRY, haltPipeline, publishPolicy, restoreCheckpoints, splitKey } from './engine-parts.js';
import { OutputSinks } from './output-sinks.js';
import { TransactionalProducer, type OffsetToCommit } from './transactional-producer.js';
import { BrokerProbe } from './broker-probe.js';
import { activeStandbyAssigner } from './active-standby-assigner.js';
import { inputFetchSizes } from './fetch-sizes.js';
import { announceDelivered, type IngestListener } from './outcomes.js';
import { SHARED_TRANSACTION_TIMEOUT_MS, ensureSummariesTopic } from './aggregate-engine.js';
import { PublishAbortedError } from './publish-errors.js';
import { decodePosition, type PartitionPosition } from '../core/window/partition-clocks.js';

export type { IngestListener } from './outcomes.js';

/** Shared replicas: the aggregator that runs beside this engine (started once the input topic's partition count is known). */
export interface AggregateRole {
  /** `labelPartitions`: the labels topic's partition count when labels are read in event time, else 0. */
  start(eventPartitions: number, labelPartitions: number): Promise<void>;
  stop(): Promise<void>;
}

/** Messages of a batch between two looks at whether its partition should pause. */
const STEER_EVERY = 100;
/** Messages handled between two turns of the event loop while a delivery is in flight, so its replies are read. */
const YIELD_EVERY = 500;

/** How often the broker is probed for readiness and lag. */
const PROBE_INTERVAL_MS = 1000;

export class IngestEngine {
  private consumer: Consumer | undefined;
  private producer: TransactionalProducer | undefined;
  private sinks: OutputSinks | undefined;
  private probe: BrokerProbe | undefined;
  private stopping = false;
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * The last delivery's transaction. A batch's delivery is started, not awaited: the next batch is
   * fetched and handled while it commits, and its own delivery starts once this one has settled.
   * Never rejects (a failure halts the pipeline).
   */
  private inFlight: Promise<void> = Promise.resolve();
  private sending = false;
  private ticker: NodeJS.Timeout | undefined;
  /** Per "topic/partition": the offset and metadata last committed. */
  private readonly committed = new Map<string, string>();
  /** Numbers the deliveries that carry no offset change (see `marked`). */
  private deliveries = 0;
  private assignment = new Map<string, number[]>();
  private readonly startedAt = Date.now();
  /** When this replica received the input partitions; null while it stands by. */
  private activeSince: number | null = null;
  /** The models' state and input positions must be read back before the next batch. */
  private restoreDue = false;
  /** Input partitions ("topic/partition") paused because windows wait for slower ones. */
  private paused = new Set<string>();
  /** Set when the service stopped with output not yet published: no further commit. */
  private unpublished = false;
  /** Shared replicas: workers of one group, each reading some input partitions. */
  private readonly shared: boolean;
  /** `labels.order: event-time`: the labels partitions join the release order (labels/label-queue.ts). */
  private readonly eventTimeLabels: boolean;
  /** The producer fenced the previous writer under the transactional id. */
  private fenced = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ShiftwatchConfig,
    private readonly monitor: Monitor,
    private readonly metrics: MetricsRecorder,
    private readonly logger: Logger,
    readonly readiness: Readiness,
    private readonly listener: IngestListener = {},
    /** Shared replicas: this replica's aggregator, started and stopped with the engine. */
    private readonly aggregate?: AggregateRole,
  ) {
    this.shared = config.kafka.replicas === 'shared';
    this.eventTimeLabels = config.labels.order === 'event-time';
  }

  isReady(): boolean {
    return this.readiness.report().ready;
  }

  async start(): Promise<void> {
    const { topics, groupId, sessionTimeoutMs, rebalanceTimeoutMs } = this.config.kafka;
    if (this.shared && this.config.accuracy.floor !== undefined && !this.eventTimeLabels) {
      this.logger.warn('accuracy.floor with shared replicas and labels.order: arrival: floor alerts depend on when each replica reads the labels; set labels.order: event-time (and give labels a ts) for the same alerts with any replicas');
    }
    const transactionalId = transactionalIdOf(this.config.kafka);
    this.producer = new TransactionalProducer(this.kafka, { transactionalId, groupId, ...(this.shared ? { transactionTimeoutMs: SHARED_TRANSACTION_TIMEOUT_MS } : {}) }, this.logger);
    this.sinks = new OutputSinks(this.producer, { alerts: topics.alerts, dead_letters: topics.deadLetters, state: topics.state, ...(this.shared ? { summaries: topics.summaries } : {}) },
      publishPolicy(this.config.alerts), this.metrics, this.readiness, this.logger, () => this.stopping);
    const admin = this.kafka.admin();
    await admin.connect();
    let eventPartitions = 1;
    let labelPartitions = 1;
    try {
      await ensureStateTopic(admin, topics.state);
      if (this.shared) await ensureSummariesTopic(admin, topics.summaries, this.config.kafka.summaryPartitions);
      const existing = new Set(await admin.listTopics());
      const missing = [topics.events, topics.labels, topics.alerts, topics.deadLetters].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) }).catch((error: unknown) => {
          this.logger.warn(`could not create topics ${missing.join(', ')}; create them yourself`, { error: String(error) });
        });
      }
      await this.sinks.readLimits(admin);
      eventPartitions = await partitionCount(admin, topics.events);
      labelPartitions = await partitionCount(admin, topics.labels);
    } finally {
      await admin.disconnect();
    }
    // Shared replicas: the aggregator must know every input partition before the workers hand windows over.
    await this.aggregate?.start(eventPartitions, this.eventTimeLabels ? labelPartitions : 0);
    this.consumer = this.kafka.consumer({
      groupId, sessionTimeout: sessionTimeoutMs, rebalanceTimeout: rebalanceTimeoutMs, ...inputFetchSizes(eventPartitions),
      // Shared replicas split the partitions round-robin, each naming itself (departed-replicas.ts).
      partitionAssigners: [this.shared ? roundRobinNamingReplica(replicaIdOf(this.config.kafka)) : activeStandbyAssigner({ startedAt: this.startedAt, activeSince: () => this.activeSince })],
      retry: CONSUMER_RETRY,
    });
    this.watchConsumer(this.consumer);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.events, topics.labels], fromBeginning: true });
    // No auto-resolve: a batch left early (its partition paused, below) is fetched again from the
    // first message not handled.
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)) });
    this.probe = new BrokerProbe(this.kafka, { groupId, topics: [topics.events, topics.labels], intervalMs: PROBE_INTERVAL_MS, timeoutMs: 2 * PROBE_INTERVAL_MS }, {
      assignment: () => this.assignment,
      positions: () => this.monitor.handledPositions(),
      // Partitions without new messages never reach eachBatch: the probe says when one has nothing left to read.
      atEnd: (topic, partition, atEnd) => {
        if (topic === topics.events || this.eventTimeLabels) this.monitor.caughtUp(`${topic}/${partition}`, atEnd);
      },
    }, this.readiness, this.logger);
    this.probe.start();
    this.ticker = setInterval(() => void this.exclusive(async () => {
      await this.startDelivery(this.monitor.tick());
      this.steer();
    }), 1000);
  }

  /** Stops consuming, finishes the batch in flight, commits, disconnects. Open windows are replayed by the next start. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.readiness.stopping();
    if (this.ticker) clearInterval(this.ticker);
    await this.probe?.stop();
    await this.consumer?.stop();
    await this.chain.catch(() => undefined);
    await this.inFlight;
    await this.commit().catch((error: unknown) => this.logger.warn('final commit failed', { error: String(error) }));
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.aggregate?.stop();
  }

  private watchConsumer(consumer: Consumer): void {
    const { GROUP_JOIN, CRASH, STOP } = consumer.events;
    const { events, labels } = this.config.kafka.topics;
    consumer.on(GROUP_JOIN, (e) => {
      const inputs = e.payload.memberAssignment[events] ?? [];
      // Event-time labels: the labels partitions read here take part in the windows' release order.
      const labelKeys = this.eventTimeLabels ? (e.payload.memberAssignment[labels] ?? []).map((p) => `${labels}/${p}`) : [];
      const held = this.assignment.get(events) ?? [];
      this.assignment = new Map(Object.entries(e.payload.memberAssignment));
      this.metrics.m.inputPartitionsAssigned.set(inputs.length);
      if (this.shared) {
        // Windows of partitions kept go on; those of partitions gained start from their commit.
        this.restoreDue ||= inputs.some((p) => !held.includes(p));
        this.monitor.assign(inputs.map((p) => `${events}/${p}`), labelKeys);
        this.readiness.consumer(true, `member of group ${e.payload.groupId}, reading ${inputs.length} input partition(s)`);
        return;
      }
      if (this.activeSince !== null && held.some((p) => !inputs.includes(p))) {
        // Another replica took over and has moved the models' state on: this one's is stale.
        this.halt(`another replica of group ${e.payload.groupId} took over input partitions this one held; restart this replica to stand by with fresh state`);
        return;
      }
      if (inputs.length > 0 && this.activeSince === null) {
        this.activeSince = Date.now();
        this.restoreDue = true;
        this.logger.info(`active: this replica holds the ${inputs.length} input partition(s) of ${events}`);
      } else if (inputs.length === 0) {
        this.logger.info(`standing by: another replica of group ${e.payload.groupId} holds the input partitions`);
      }
      this.monitor.assign(inputs.map((p) => `${events}/${p}`), labelKeys);
      this.readiness.consumer(true, `member of group ${e.payload.groupId}`);
    });
    consumer.on(CRASH, (e) => {
      const error = String(e.payload.error);
      if (this.stopping) return;
      if (e.payload.restart) {
        this.logger.warn('consumer crashed; kafkajs restarts it', { error });
        this.readiness.consumer(false, `the consumer crashed and is restarting: ${error}`);
      } else {
        this.logger.error('consumer crashed with an error kafkajs does not restart on', { error });
        this.halt(`the consumer crashed: ${error}`);
      }
    });
    consumer.on(STOP, () => this.readiness.consumer(false, 'the consumer stopped'));
  }

  /** Stops consuming for good in this process: nothing is committed from now on. */
  private halt(reason: string): void {
    if (!haltPipeline(this.readiness, this.metrics, this.logger, reason)) return;
    if (this.ticker) clearInterval(this.ticker);
    const { events, labels } = this.config.kafka.topics;
    try {
      this.consumer?.pause([{ topic: events }, { topic: labels }]);
    } catch {
      // The consumer is already gone (it crashed): nothing left to pause.
    }
  }

  private exclusive(task: () => Promise<void>): Promise<void> {
    const guarded = async () => {
      if (this.readiness.halted()) return;
      try {
        await task();
      } catch (error) {
        this.failed(error);
      }
    };
    const next = this.chain.then(guarded, guarded);
    this.chain = next.catch((error: unknown) => this.logger.warn('batch handling stopped', { error: String(error) }));
    return next;
  }

  private failed(error: unknown): void {
    // Stopping while output was still unpublished: the final commit must not pass it either.
    if (error instanceof PublishAbortedError) this.unpublished = true;
    else this.halt(error instanceof Error ? error.message : String(error));
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.restoreDue) await this.restoreState();
    const started = process.hrtime.bigint();
    const out = emptyOutput();
    let lastTimestamp: string | undefined;
    let lastOffset: string | undefined;
    const isLabels = batch.topic === this.config.kafka.topics.labels;
    const partitionKey = `${batch.topic}/${batch.partition}`;
    let sinceSteer = 0;
    let sinceYield = 0;
    let leftEarly = false;
    if (isStale()) return;
    for (const message of batch.messages) {
      if (this.sending && ++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToIo();
      }
      if (!isRunning()) break;
      if (++sinceSteer >= STEER_EVERY) {
        sinceSteer = 0;
        // Only a seek makes a batch stale, and this service never seeks; kafkajs answers with a
        // JSON.stringify per call, a few per cent of the whole loop when asked for every message.
        if (isStale()) break;
        this.readiness.progressed();
        // A batch can hold dozens of windows of one partition: steer within it, and leave it when paused.
        if (!isLabels) {
          this.steer();
          leftEarly = this.paused.has(partitionKey);
          if (leftEarly) break;
        }
      }
      const raw = { topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value };
      if (isLabels) this.monitor.handleLabel(raw, out);
      else this.monitor.handle(raw, out);
      lastOffset = message.offset;
      lastTimestamp = message.timestamp;
    }
    // Where kafkajs fetches this partition from next (the commit is ours, in the delivery's transaction).
    if (lastOffset !== undefined) resolveOffset(lastOffset);
    this.readiness.progressed();
    if (lastTimestamp !== undefined) this.metrics.m.lastEventTimestamp.set({ topic: batch.topic }, Number(lastTimestamp) / 1000);
    if (!isLabels || this.eventTimeLabels) this.monitor.caughtUp(partitionKey, !leftEarly && batch.offsetLag() === '0');
    this.metrics.m.batchDuration.observe({ stage: 'decode_window' }, seconds(started));
    await this.startDelivery(out, heartbeat);
    this.steer();
  }

  /** Pauses the input partitions read ahead of a slower one while windows wait for it (Monitor.partitionsToPause), resumes the rest. */
  private steer(): void {
    if (this.consumer === undefined || this.readiness.halted()) return;
    const want = new Set(this.monitor.partitionsToPause());
    const pause = [...want].filter((k) => !this.paused.has(k));
    const resume = [...this.paused].filter((k) => !want.has(k));
    if (pause.length > 0) this.consumer.pause(topicPartitions(pause));
    if (resume.length > 0) this.consumer.resume(topicPartitions(resume));
    this.paused = want;
  }

  /**
   * Starts delivering dead letters, alerts, the checkpoints of models that closed a window and the
   * input offsets in one transaction, once the previous delivery has settled; after it commits,
   * tells metrics and listeners. Resolves when the transaction has started: everything it carries is
   * taken from the monitor before this returns, so handling the next batch cannot change it.
   */
  private async startDelivery(out: MonitorOutput, heartbeat?: () => Promise<void>): Promise<void> {
    if (this.monitor.hasPending()) await this.monitor.complete(out);
    const models = [...new Set(out.windows.map((w) => w.model))];
    const checkpoints = models.map((m) => this.monitor.checkpoint(m)!);
    await this.inFlight;
    // The previous delivery failed: nothing after it may be committed.
    if (this.readiness.halted() || this.unpublished) return;
    let offsets = this.committable();
    if (offsets.length === 0 && out.deadLetters.length + out.alerts.length + checkpoints.length + out.summaries.length > 0) offsets = this.marked();
    this.sending = true;
    const committed = this.sinks!.deliver({ deadLetters: out.deadLetters, alerts: out.alerts, checkpoints, summaries: out.summaries, offsets }, heartbeat);
    this.inFlight = committed
      .then(() => this.delivered(out, offsets, checkpoints.length > 0))
      .catch((error: unknown) => this.failed(error))
      .finally(() => (this.sending = false));
  }

  /** Starts a delivery and waits until it settled (a failure halts the pipeline, see `failed`). */
  private async deliver(out: MonitorOutput): Promise<void> {
    await this.startDelivery(out);
    await this.inFlight;
  }

  private delivered(out: MonitorOutput, offsets: readonly OffsetToCommit[], checkpointed: boolean): void {
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, stamp(o));
    if (checkpointed) this.metrics.m.lastCheckpointTimestamp.set(Date.now() / 1000);
    announceDelivered(out, this.metrics, this.listener);
    for (const [model, n] of this.monitor.openWindowSizes()) this.metrics.m.openWindowEvents.set({ model }, n);
    // Shared replicas join labels in the aggregator (aggregate-engine.ts reports its join).
    if (!this.shared) this.metrics.labelJoins(this.monitor.labelJoinSizes());
    this.readiness.progressed();
  }

  /** Input offsets (with metadata) that differ from what this instance last committed or found committed. */
  private committable(): OffsetToCommit[] {
    const offsets: OffsetToCommit[] = [];
    for (const [key, at] of this.monitor.committableOffsets()) {
      const o = { ...splitKey(key), offset: String(at.offset), metadata: at.metadata ?? null };
      if (this.committed.get(key) !== stamp(o)) offsets.push(o);
    }
    return offsets;
  }

  /**
   * For a delivery without an offset change: one input offset again, its metadata numbered, so that
   * the transaction still commits offsets and a commit whose answer was lost can be settled by
   * looking for them in the group (TransactionalProducer.settle) instead of halting.
   */
  private marked(): OffsetToCommit[] {
    for (const [key, at] of this.monitor.committableOffsets()) {
      if (at.metadata === undefined) continue;
      const metadata = JSON.stringify({ ...(JSON.parse(at.metadata) as object), delivery: ++this.deliveries });
      return [{ ...splitKey(key), offset: String(at.offset), metadata }];
    }
    return [];
  }

  /** The last commit, when stopping: offsets only, in a transaction of their own. */
  private async commit(): Promise<void> {
    if (this.consumer === undefined || this.readiness.halted() || this.unpublished) return;
    await this.deliver(emptyOutput());
  }

  /**
   * Loads the models' state and the input positions as the group left them, when this replica
   * becomes active (at its first assignment, or when it takes over from another replica).
   */
  private async restoreState(): Promise<void> {
    // Fence whoever wrote under the transactional id before (the previous process of this replica,
    // or the replica this one takes over from) and end its open transaction: what is read below is final.
    // Shared replicas come here at each assignment that brings partitions; they fence once.
    if (!this.fenced) await this.producer!.connect();
    this.fenced = true;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committers = await this.restorePositions(admin);
      // Shared replicas: a replica that left the group in the middle of a transaction holds back the summaries topic until fenced.
      if (this.shared) {
        await fenceDepartedReplicas(this.kafka, admin, {
          groupId: this.config.kafka.groupId, committers, self: replicaIdOf(this.config.kafka),
          transactionalIdOf: (replicaId) => transactionalIdOf({ ...this.config.kafka, replicaId }), transactionTimeoutMs: SHARED_TRANSACTION_TIMEOUT_MS,
        }, this.logger);
      }
    } finally {
      await admin.disconnect();
    }
    // Shared replicas: detector state lives with the aggregators (aggregate-engine.ts).
    if (this.shared) {
      this.restoreDue = false;
      return;
    }
    await restoreCheckpoints(this.kafka, this.config.kafka.topics.state, this.logger, this.monitor, (checkpoint) => {
      this.logger.info(`restored state of model ${checkpoint.model}`, { windowsClosed: checkpoint.windowsClosed, statuses: this.monitor.statuses(checkpoint.model) });
    });
    this.restoreDue = false;
  }

  /**
   * Reads the group's committed input positions with their metadata (each partition's clock at the
   * committed offset and how far outputs went), so windows continue exactly where they stopped.
   * Returns the replicas those commits name (shared replicas).
   */
  private async restorePositions(admin: Admin): Promise<Set<string>> {
    const { topics, groupId } = this.config.kafka;
    const committed = await admin.fetchOffsets({ groupId, topics: [topics.events, topics.labels] });
    const positions = new Map<string, PartitionPosition>();
    const offsets = new Map<string, number>();
    const committers = new Set<string>();
    for (const { topic, partitions } of committed) {
      for (const { partition, offset, metadata } of partitions) {
        const key = `${topic}/${partition}`;
        // What is committed already: a transaction carries only offsets that differ from it.
        if (Number(offset) >= 0) {
          this.committed.set(key, stamp({ offset, metadata: metadata ?? null }));
          offsets.set(key, Number(offset));
        }
        // Labels partitions too: in event time their clocks, in arrival order how far they were handled.
        const position = decodePosition(metadata);
        if (position?.by !== undefined) committers.add(position.by);
        if (position !== undefined) positions.set(key, position);
        else if (Number(offset) > 0 && topic === topics.events) this.logger.warn(`input partition ${key} was committed without shiftwatch's position metadata; its first windows may differ from an uninterrupted run`);
      }
    }
    this.monitor.restorePositions(positions, offsets);
    return committers;
  }
}

/** The topic's partition count (1 when its metadata cannot be read: the fetch sizes of one partition). */
async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
  return metadata?.topics[0]?.partitions.length ?? 1;
}

function topicPartitions(keys: readonly string[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of keys.map(splitKey)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

const stamp = (o: { offset: string; metadata: string | null }) => `${o.offset} ${o.metadata ?? ''}`;
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
