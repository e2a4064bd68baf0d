/**
 * The service's three outputs (dead letters, alerts, state checkpoints) on their topics, and the
 * input offsets they complete, delivered as one Kafka transaction per batch: records sized to each
 * topic's limit (dead letters truncated when they would not fit), sends split to fit, every send
 * counted and reported to readiness. A delivery that fails for good throws PublishFailedError with
 * nothing of it committed; the engine then halts rather than go past output it did not write.
 */
import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type { Alert } from '../core/alerts/alert.js';
import { fitDeadLetter, type DeadLetter } from '../core/contract/dead-letter.js';
import type { ModelCheckpoint } from '../core/detectors/state-codec.js';
import type { Logger } from '../logging.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Readiness } from '../service/readiness.js';
import type { SINKS } from '../metrics/catalog.js';
import { encodeCheckpoint } from './checkpoint-store.js';
import { encodeSummaryRecord, type SummaryRecord } from '../core/pipeline/summary-record.js';
import { planSends, withRetries, type RetryPolicy } from './publisher.js';
import { classifyPublishError, PublishFailedError, TransactionStepError } from './publish-errors.js';
import { maxPayloadBytes, type OutgoingRecord } from './send-chunks.js';
import { PIECE_HEADER_BYTES, summaryPayloads } from '../core/pipeline/summary-pieces.js';
import { readTopicLimits, FALLBACK_LIMIT_BYTES } from './topic-limits.js';
import type { OffsetToCommit, TransactionalProducer } from './transactional-producer.js';

export type Sink = (typeof SINKS)[number];

/** What one batch delivers: all of it is committed, or none. */
export interface Delivery {
  deadLetters: readonly DeadLetter[];
  alerts: readonly Alert[];
  checkpoints: readonly ModelCheckpoint[];
  /** Shared replicas: the records for the models' aggregators (keyed by model, so each model's stay in order on one partition). */
  summaries?: readonly SummaryRecord[];
  offsets: readonly OffsetToCommit[];
}

/** The batch-duration stage of each step of a delivery. */
const STAGE_OF: Readonly<Record<string, string>> = { dead_letters: 'publish', alerts: 'publish', summaries: 'publish', state: 'checkpoint', commit: 'commit' };

/** Readiness names the transaction's own steps (offsets, commit) under this sink. */
const TRANSACTION = 'transaction';

export class OutputSinks {
  private limits: Record<Sink, number> = { alerts: FALLBACK_LIMIT_BYTES, dead_letters: FALLBACK_LIMIT_BYTES, state: FALLBACK_LIMIT_BYTES, summaries: FALLBACK_LIMIT_BYTES };
  /** Names the piece sets of summary records sent in pieces: unique among the writers of the topic. */
  private readonly pieceSets = { prefix: randomBytes(6).toString('hex'), count: 0 };

  constructor(
    private readonly producer: TransactionalProducer,
    /** `summaries` only for shared replicas' workers: the limits are read for the topics named here. */
    private readonly topics: Readonly<Record<Exclude<Sink, 'summaries'>, string>> & { readonly summaries?: string },
    private readonly policy: RetryPolicy,
    private readonly metrics: MetricsRecorder,
    private readonly readiness: Readiness,
    private readonly logger: Logger,
    private readonly isStopping: () => boolean,
  ) {}

  /** Reads the topics' size limits from the broker. */
  async readLimits(admin: Admin): Promise<void> {
    // Only the topics named: a summaries topic that active-standby replicas never create would fail the whole query.
    const named = Object.fromEntries(Object.entries(this.topics).filter(([, topic]) => topic !== undefined)) as Record<string, string>;
    const read = await readTopicLimits(admin, named, this.logger);
    this.limits = { ...this.limits, ...read };
    for (const [sink, bytes] of Object.entries(read)) this.metrics.m.sinkMaxMessageBytes.set({ sink }, bytes);
    this.logger.info('output topic size limits (bytes per send)', read);
  }

  limit(sink: Sink): number {
    return this.limits[sink];
  }

  /** Delivers `d` in one transaction, retried whole; resolves once it committed. */
  async deliver(d: Delivery, heartbeat?: () => Promise<void>): Promise<void> {
    let sends;
    try {
      sends = planSends([
        { sink: 'dead_letters', topic: this.topics.dead_letters, records: this.deadLetterRecords(d.deadLetters), limitBytes: this.limits.dead_letters },
        { sink: 'alerts', topic: this.topics.alerts, records: d.alerts.map((a) => ({ key: a.model, value: JSON.stringify(a) })), limitBytes: this.limits.alerts },
        { sink: 'state', topic: this.topics.state, records: d.checkpoints.map(encodeCheckpoint), limitBytes: this.limits.state },
        { sink: 'summaries', topic: this.summariesTopic(d), records: (d.summaries ?? []).flatMap((r) => this.summaryRecords(r)), limitBytes: this.limits.summaries },
      ]);
    } catch (error) {
      if (error instanceof PublishFailedError) this.failed(error.sink, error.failure);
      throw error;
    }
    const hooks = {
      sendStarted: (sink: string) => this.readiness.sendStarted(sink),
      sendFinished: (sink: string, error: unknown) => (error === undefined ? this.succeeded(sink) : this.failed(sink, classifyPublishError(error))),
      timed: (step: string, s: number) => this.metrics.m.batchDuration.observe({ stage: STAGE_OF[step] ?? 'publish' }, s),
    };
    await withRetries({
      policy: this.policy, logger: this.logger, isStopping: this.isStopping,
      what: `${d.deadLetters.length} dead letter(s), ${d.alerts.length} alert(s), ${d.checkpoints.length} checkpoint(s), ${d.summaries?.length ?? 0} summary record(s) and ${d.offsets.length} offset(s)`,
      ...(heartbeat ? { whileWaiting: heartbeat } : {}),
    }, async () => {
      this.readiness.sendStarted(TRANSACTION);
      try {
        await this.producer.deliver(sends, d.offsets, hooks);
      } catch (error) {
        const step = error instanceof TransactionStepError ? error : undefined;
        if (step === undefined || !(step.sink in this.limits)) {
          this.readiness.sendFinished(TRANSACTION, `${step?.sink ?? 'transaction'}: ${classifyPublishError(step?.error ?? error).message}`);
          this.metrics.m.commits.inc({ outcome: 'failure' });
        } else this.readiness.sendFinished(TRANSACTION, undefined);
        throw error;
      }
      this.readiness.sendFinished(TRANSACTION, undefined);
      if (d.offsets.length > 0) this.metrics.m.commits.inc({ outcome: 'success' });
    });
  }

  /** A summary record, in pieces when it is larger than the summaries topic takes in one record (summary-pieces.ts). */
  private summaryRecords(r: SummaryRecord): OutgoingRecord[] {
    const room = maxPayloadBytes(this.limits.summaries) - Buffer.byteLength(r.model) - PIECE_HEADER_BYTES;
    return summaryPayloads(encodeSummaryRecord(r), room, () => `${this.pieceSets.prefix}-${++this.pieceSets.count}`).map((p) => ({ key: r.model, ...p }));
  }

  private summariesTopic(d: Delivery): string {
    if (this.topics.summaries !== undefined) return this.topics.summaries;
    if ((d.summaries ?? []).length > 0) throw new Error('summary records to deliver, but no summaries topic was given to the output sinks');
    return '';
  }

  private deadLetterRecords(letters: readonly DeadLetter[]) {
    return letters.map((d) => {
      const key = d.model ?? null;
      const room = maxPayloadBytes(this.limits.dead_letters) - (key === null ? 0 : Buffer.byteLength(key));
      const fitted = fitDeadLetter(d, room);
      if (fitted !== d) this.metrics.m.deadLettersTruncated.inc();
      return { key, value: JSON.stringify(fitted) };
    });
  }

  private succeeded(sink: string): void {
    this.readiness.sendFinished(sink, undefined);
    this.metrics.m.sinkRequests.inc({ sink, outcome: 'success' });
  }

  private failed(sink: string, failure: { retriable: boolean; code: string; message: string }): void {
    this.readiness.sendFinished(sink, `${failure.code}: ${failure.message}`);
    this.metrics.m.sinkRequests.inc({ sink, outcome: 'failure' });
    this.metrics.m.sinkErrors.inc({ sink, kind: failure.retriable ? 'retriable' : 'not_retriable' });
  }
}
