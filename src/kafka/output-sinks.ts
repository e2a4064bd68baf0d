/**
 * The service's three outputs (dead letters, alerts, state checkpoints) on their topics: records
 * sized to each topic's limit (dead letters truncated when they would not fit), sends split to fit,
 * every attempt counted and reported to readiness. A send that fails for good throws
 * PublishFailedError; the engine then halts rather than commit past output it did not write.
 */
import type { Admin, Producer } from 'kafkajs';
import type { Alert } from '../core/alerts/alert.js';
import { fitDeadLetter, type DeadLetter } from '../core/contract/dead-letter.js';
import type { ModelCheckpoint } from '../core/detectors/state-codec.js';
import type { Logger } from '../logging.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { Readiness } from '../service/readiness.js';
import type { SINKS } from '../metrics/catalog.js';
import { encodeCheckpoint } from './checkpoint-store.js';
import { publishWithRetry, type RetryPolicy } from './publisher.js';
import { maxPayloadBytes, type OutgoingRecord } from './send-chunks.js';
import { readTopicLimits, FALLBACK_LIMIT_BYTES } from './topic-limits.js';

export type Sink = (typeof SINKS)[number];

export class OutputSinks {
  private limits: Record<Sink, number> = { alerts: FALLBACK_LIMIT_BYTES, dead_letters: FALLBACK_LIMIT_BYTES, state: FALLBACK_LIMIT_BYTES };

  constructor(
    private readonly producer: Producer,
    private readonly topics: Readonly<Record<Sink, string>>,
    private readonly policy: RetryPolicy,
    private readonly metrics: MetricsRecorder,
    private readonly readiness: Readiness,
    private readonly logger: Logger,
    private readonly isStopping: () => boolean,
  ) {}

  /** Reads the topics' size limits from the broker. */
  async readLimits(admin: Admin): Promise<void> {
    this.limits = await readTopicLimits(admin, this.topics, this.logger);
    for (const [sink, bytes] of Object.entries(this.limits)) this.metrics.m.sinkMaxMessageBytes.set({ sink }, bytes);
    this.logger.info('output topic size limits (bytes per send)', this.limits);
  }

  limit(sink: Sink): number {
    return this.limits[sink];
  }

  deadLetters(letters: readonly DeadLetter[], heartbeat?: () => Promise<void>): Promise<void> {
    const records = letters.map((d) => {
      const key = d.model ?? null;
      const room = maxPayloadBytes(this.limits.dead_letters) - (key === null ? 0 : Buffer.byteLength(key));
      const fitted = fitDeadLetter(d, room);
      if (fitted !== d) this.metrics.m.deadLettersTruncated.inc();
      return { key, value: JSON.stringify(fitted) };
    });
    return this.publish('dead_letters', records, heartbeat);
  }

  alerts(alerts: readonly Alert[], heartbeat?: () => Promise<void>): Promise<void> {
    return this.publish('alerts', alerts.map((a) => ({ key: a.model, value: JSON.stringify(a) })), heartbeat);
  }

  checkpoints(checkpoints: readonly ModelCheckpoint[], heartbeat?: () => Promise<void>): Promise<void> {
    return this.publish('state', checkpoints.map(encodeCheckpoint), heartbeat);
  }

  private publish(sink: Sink, records: OutgoingRecord[], heartbeat?: () => Promise<void>): Promise<void> {
    return publishWithRetry({
      producer: this.producer, sink, topic: this.topics[sink], records, limitBytes: this.limits[sink], policy: this.policy, logger: this.logger,
      onSend: () => this.readiness.sendStarted(sink),
      onAttempt: (failure) => {
        this.readiness.sendFinished(sink, failure && `${failure.code}: ${failure.message}`);
        this.metrics.m.sinkRequests.inc({ sink, outcome: failure ? 'failure' : 'success' });
        if (failure) this.metrics.m.sinkErrors.inc({ sink, kind: failure.retriable ? 'retriable' : 'not_retriable' });
      },
      isStopping: this.isStopping,
      ...(heartbeat ? { whileWaiting: heartbeat } : {}),
    });
  }
}
