/**
 * The Kafka side of the service: consumes inference events, feeds the pure monitor, publishes what
 * it returns (dead letters, alerts, state checkpoints) and only then commits input offsets, up to
 * the first event still held by an open window. A crash therefore replays the open windows and
 * nothing else; replayed events already inside closed windows are skipped using the checkpoint.
 */
import { Partitioners, type Consumer, type Kafka, type Producer, type EachBatchPayload } from 'kafkajs';
import type { ShiftwatchConfig } from '../config/index.js';
import type { Monitor, MonitorOutput, WindowReport } from '../core/pipeline/monitor.js';
import { emptyOutput } from '../core/pipeline/monitor.js';
import type { Alert } from '../core/alerts/alert.js';
import type { RealizedReport } from '../core/pipeline/label-tracker.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Logger } from '../logging.js';
import { publishWithRetry, type RetryPolicy } from './publisher.js';
import { encodeCheckpoint, ensureStateTopic, readCheckpoints } from './checkpoint-store.js';

export interface IngestListener {
  alert?(alert: Alert): void;
  realized?(report: RealizedReport): void;
  window?(report: WindowReport): void;
}

export class IngestEngine {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private stopping = false;
  private chain: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private readonly committed = new Map<string, number>();
  private readonly policy: RetryPolicy;
  private ready = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ShiftwatchConfig,
    private readonly monitor: Monitor,
    private readonly metrics: MetricsRecorder,
    private readonly logger: Logger,
    private readonly listener: IngestListener = {},
  ) {
    const a = config.alerts;
    this.policy = { initialBackoffMs: a.initialBackoffMs, maxBackoffMs: a.maxBackoffMs, warnAfter: a.publishRetries };
  }

  isReady(): boolean {
    return this.ready && !this.stopping;
  }

  async start(): Promise<void> {
    const { topics, groupId, sessionTimeoutMs } = this.config.kafka;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureStateTopic(admin, topics.state);
      const existing = new Set(await admin.listTopics());
      const missing = [topics.events, topics.labels, topics.alerts, topics.deadLetters].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) }).catch((error: unknown) => {
          this.logger.warn(`could not create topics ${missing.join(', ')}; create them yourself`, { error: String(error) });
        });
      }
    } finally {
      await admin.disconnect();
    }
    const restored = await readCheckpoints(this.kafka, topics.state);
    for (const checkpoint of restored.values()) {
      const r = this.monitor.restore(checkpoint);
      if (r === undefined) continue;
      this.logger.info(`restored state of model ${checkpoint.model}`, { windowsClosed: checkpoint.windowsClosed, statuses: this.monitor.statuses(checkpoint.model) });
      if (r.unknownDetectors.length > 0) this.logger.warn(`model ${checkpoint.model}: the checkpoint holds state of detectors no longer configured (${r.unknownDetectors.join(', ')}); it is dropped`);
    }
    // Not idempotent: the publisher's own retry loop owns retries (and counts them); a duplicate
    // that a retry may cause is harmless because consumers de-duplicate alerts by alertId.
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId, sessionTimeout: sessionTimeoutMs, maxBytesPerPartition: 4 * 1024 * 1024 });
    this.consumer.on(this.consumer.events.CRASH, (e) => this.logger.error('consumer crashed; kafkajs restarts it if the error is retriable', { error: String(e.payload.error) }));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.events, topics.labels], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.exclusive(() => this.onBatch(payload)) });
    this.ticker = setInterval(() => void this.exclusive(() => this.deliver(this.monitor.tick())), 1000);
    this.ready = true;
  }

  /** Stops consuming, finishes the batch in flight, commits, disconnects. Open windows are replayed by the next start. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.consumer?.stop();
    await this.chain.catch(() => undefined);
    await this.commit().catch((error: unknown) => this.logger.warn('final commit failed', { error: String(error) }));
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.ready = false;
  }

  private exclusive(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch((error: unknown) => this.logger.error('batch handling failed', { error: String(error) }));
    return next;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const started = process.hrtime.bigint();
    const out = emptyOutput();
    let lastTimestamp: string | undefined;
    const isLabels = batch.topic === this.config.kafka.topics.labels;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const raw = { topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value };
      if (isLabels) this.monitor.handleLabel(raw, out);
      else this.monitor.handle(raw, out);
      resolveOffset(message.offset);
      lastTimestamp = message.timestamp;
    }
    if (lastTimestamp !== undefined) this.metrics.m.lastEventTimestamp.set({ topic: batch.topic }, Number(lastTimestamp) / 1000);
    this.metrics.m.batchDuration.observe({ stage: 'decode_window' }, seconds(started));
    await this.deliver(out, heartbeat);
  }

  /** Publishes dead letters, alerts and checkpoints, then commits. Retries until it succeeds. */
  private async deliver(out: MonitorOutput, heartbeat?: () => Promise<void>): Promise<void> {
    const { topics } = this.config.kafka;
    if (this.monitor.hasPending()) await this.monitor.complete(out);
    let started = process.hrtime.bigint();
    const send = (sink: 'dead_letters' | 'alerts' | 'state', topic: string, messages: { key: string | null; value: string }[]) =>
      publishWithRetry({
        producer: this.producer!, topic, messages, policy: this.policy, logger: this.logger,
        onAttempt: (ok) => this.metrics.m.sinkRequests.inc({ sink, outcome: ok ? 'success' : 'failure' }),
        isStopping: () => this.stopping,
        ...(heartbeat ? { whileWaiting: heartbeat } : {}),
      });
    await send('dead_letters', topics.deadLetters, out.deadLetters.map((d) => ({ key: d.model ?? null, value: JSON.stringify(d) })));
    await send('alerts', topics.alerts, out.alerts.map((a) => ({ key: a.model, value: JSON.stringify(a) })));
    for (const a of out.alerts) {
      this.metrics.m.alertsEmitted.inc({ model: a.model, detector: a.detector, status: a.status });
      this.listener.alert?.(a);
    }
    // Window reports go out after their alerts, so whoever sees a window closed sees its alerts too.
    for (const report of out.windows) {
      this.metrics.window(report);
      this.listener.window?.(report);
    }
    for (const r of out.realized) {
      this.metrics.realized(r);
      this.listener.realized?.(r);
    }
    this.metrics.m.batchDuration.observe({ stage: 'publish' }, seconds(started));
    if (out.windows.length > 0) {
      started = process.hrtime.bigint();
      const models = [...new Set(out.windows.map((w) => w.model))];
      await send('state', topics.state, models.map((m) => encodeCheckpoint(this.monitor.checkpoint(m)!)));
      this.metrics.m.lastCheckpointTimestamp.set(Date.now() / 1000);
      this.metrics.m.batchDuration.observe({ stage: 'checkpoint' }, seconds(started));
    }
    for (const [model, n] of this.monitor.openWindowSizes()) this.metrics.m.openWindowEvents.set({ model }, n);
    started = process.hrtime.bigint();
    await this.commit().catch((error: unknown) => {
      this.metrics.m.commits.inc({ outcome: 'failure' });
      this.logger.warn('offset commit failed; it is retried with the next batch', { error: String(error) });
    });
    this.metrics.m.batchDuration.observe({ stage: 'commit' }, seconds(started));
  }

  private async commit(): Promise<void> {
    if (this.consumer === undefined) return;
    const offsets = [];
    for (const [key, offset] of this.monitor.committableOffsets()) {
      if (this.committed.get(key) === offset) continue;
      const slash = key.lastIndexOf('/');
      offsets.push({ key, topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: String(offset) });
    }
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    for (const o of offsets) this.committed.set(o.key, Number(o.offset));
    this.metrics.m.commits.inc({ outcome: 'success' });
  }
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
