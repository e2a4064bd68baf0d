/**
 * One Kafka transaction per delivery: the records of every output topic and the consumer group's
 * input offsets (with their metadata) are committed together or not at all (kafkajs's transactional
 * producer: `transaction()`, `send`, `sendOffsets`, `commit`/`abort`).
 *
 * Offsets keep their metadata: kafkajs encodes TxnOffsetCommit (v0 and v1) with each partition's
 * `metadata` field as given, though its typings list only `partition` and `offset`; sendOffsets()
 * below is the one place that relies on it, and test/integration/kafka-transactions.spec.ts checks
 * what admin.fetchOffsets returns afterwards.
 *
 * After any failure the producer is replaced: a new one starts with InitProducerId under the same
 * transactional id, which bumps the epoch (the broker then refuses the old one), ends the transaction
 * left open (aborting it, or finishing a commit the coordinator had already accepted), and resets
 * the sequence numbers. A commit whose answer was lost is settled by looking at the group's offsets
 * after that: the transaction carried offsets this instance had not committed before, so they are
 * there if and only if it committed (until the broker can tell, every attempt asks again first).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Admin, type Kafka, type Producer, type Transaction } from 'kafkajs';
import type { Logger } from '../logging.js';
import type { OutgoingRecord } from './send-chunks.js';
import { classifyPublishError, TransactionStepError } from './publish-errors.js';
import type { PlannedSends } from './publisher.js';

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: string;
  metadata: string | null;
}

export interface TransactionHooks {
  /** Before and after each send to an output topic; `failure` is the error when it failed. */
  sendStarted?(sink: string): void;
  sendFinished?(sink: string, failure: unknown): void;
  /** Seconds a step took: each topic's sends (by sink), and 'commit' (the offsets and the commit). */
  timed?(step: string, seconds: number): void;
}

export interface TransactionalOptions {
  transactionalId: string;
  /** The consumer group whose offsets the transactions commit. */
  groupId: string;
  /** How long the broker lets a transaction stay open before aborting it (a crashed instance's open transaction holds read_committed readers back until then, or until the instance restarts). */
  transactionTimeoutMs?: number;
}

export class TransactionalProducer {
  private producer: Producer | undefined;
  /** The offsets of a transaction whose commit answer was lost and whose outcome is not known yet. */
  private unsettled: readonly OffsetToCommit[] | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: TransactionalOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects under the transactional id and fences any earlier producer that used it: a process of
   * this instance that died (or hangs) cannot commit anything from now on, and its open
   * transaction is ended before this resolves. Call before reading committed offsets or state.
   */
  async connect(): Promise<void> {
    const producer = this.kafka.producer({
      transactionalId: this.options.transactionalId,
      transactionTimeout: this.options.transactionTimeoutMs ?? 60_000,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // CONCURRENT_TRANSACTIONS (the previous transaction's markers still being written) clears in
      // milliseconds: retry soon. Longer failures go back to withRetries, which aborts and backs off.
      // kafkajs warns that limited retries "may invalidate EoS guarantees": not here, since a failed
      // send aborts its whole transaction and the next attempt starts a new producer (a new epoch).
      retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 1000 },
    });
    await producer.connect();
    try {
      // kafkajs runs InitProducerId for the transactional id on the first transaction() only.
      const txn = await producer.transaction();
      await txn.abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
  }

  /** Sends `sends` and commits `offsets` in one transaction; throws TransactionStepError (the transaction aborted) when a step fails. */
  async deliver(sends: readonly PlannedSends[], offsets: readonly OffsetToCommit[], hooks: TransactionHooks = {}): Promise<void> {
    if (sends.length === 0 && offsets.length === 0) return;
    if (this.unsettled !== undefined && (await this.settle()) === 'committed') return;
    if (this.producer === undefined) {
      await this.connect().catch((error: unknown) => {
        throw new TransactionStepError('transaction', this.options.transactionalId, error);
      });
    }
    const txn = await this.step('transaction', this.options.transactionalId, () => this.producer!.transaction());
    for (const s of sends) {
      const started = process.hrtime.bigint();
      for (const chunk of s.chunks) {
        hooks.sendStarted?.(s.sink);
        await this.step(s.sink, s.topic, () => txn.send({ topic: s.topic, messages: chunk as OutgoingRecord[] }), (error) => hooks.sendFinished?.(s.sink, error));
        hooks.sendFinished?.(s.sink, undefined);
      }
      hooks.timed?.(s.sink, seconds(started));
    }
    const committing = process.hrtime.bigint();
    if (offsets.length > 0) await this.step('offsets', this.options.groupId, () => whileConcurrent(() => sendOffsets(txn, this.options.groupId, offsets)));
    try {
      await txn.commit();
      hooks.timed?.('commit', seconds(committing));
    } catch (error) {
      if (isFenced(error)) throw this.fencedError(error);
      if (offsets.length === 0) {
        await this.replace();
        throw new TransactionStepError('commit', this.options.transactionalId,
          new Error(`the outcome of a transaction commit is unknown (${String(error)}); a restart reads what was committed`), false);
      }
      this.unsettled = offsets;
      if ((await this.settle()) === 'committed') return;
      throw new TransactionStepError('commit', this.options.transactionalId, error);
    }
  }

  /**
   * Settles a commit whose answer was lost: registers the transactional id again (which ends the
   * transaction one way or the other), then looks for the transaction's offsets in the group. Throws
   * a retriable TransactionStepError while the broker cannot tell; the retry settles first.
   */
  private async settle(): Promise<'committed' | 'aborted'> {
    const offsets = this.unsettled!;
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => undefined);
    let committed: boolean;
    try {
      await this.connect();
      committed = await this.hasOffsets(offsets);
    } catch (error) {
      throw new TransactionStepError('commit', this.options.transactionalId, error);
    }
    this.unsettled = undefined;
    if (committed) this.logger.warn('the answer to a transaction commit was lost; the group\'s offsets show that it committed');
    return committed ? 'committed' : 'aborted';
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  /** Runs one step; on failure aborts (by replacing the producer) and throws TransactionStepError. */
  private async step<T>(sink: string, topic: string, run: () => Promise<T>, onFailure?: (error: unknown) => void): Promise<T> {
    try {
      return await run();
    } catch (error) {
      onFailure?.(error);
      if (isFenced(error)) throw this.fencedError(error);
      await this.replace();
      throw new TransactionStepError(sink, topic, error, isTransactionState(error) || undefined);
    }
  }

  /** Another process took over the transactional id: this one must neither retry nor reconnect (that would fence the newer one). */
  private fencedError(error: unknown): TransactionStepError {
    return new TransactionStepError('transaction', this.options.transactionalId,
      new Error(`fenced: another process uses the transactional id ${this.options.transactionalId} (kafka.transactionalId), and only the newest may write (${String(error)})`), false);
  }

  /** Drops the producer; the next delivery connects a new one (which ends what this one left open). */
  private async replace(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch(() => undefined);
    await this.connect().catch((error: unknown) => this.logger.warn('reconnecting the transactional producer failed; the next delivery tries again', { error: String(error) }));
  }

  private async hasOffsets(offsets: readonly OffsetToCommit[]): Promise<boolean> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = [...new Set(offsets.map((o) => o.topic))];
      const now = await admin.fetchOffsets({ groupId: this.options.groupId, topics });
      const seen = new Map(now.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, `${p.offset} ${p.metadata ?? ''}`] as const)));
      return offsets.every((o) => seen.get(`${o.topic}/${o.partition}`) === `${o.offset} ${o.metadata ?? ''}`);
    } finally {
      await admin.disconnect();
    }
  }
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const isFenced = (error: unknown) => FENCED.has(classifyPublishError(error).code);
/**
 * Errors about this producer's transaction state (e.g. after a broker restart moved the
 * coordinator), marked non-retriable by the protocol or kafkajs: the replacement producer starts
 * with a fresh state, so the delivery is retried.
 */
const TRANSACTION_STATE = new Set(['INVALID_TXN_STATE', 'INVALID_PRODUCER_ID_MAPPING', 'UNKNOWN_PRODUCER_ID', 'OUT_OF_ORDER_SEQUENCE_NUMBER']);
const isTransactionState = (error: unknown) => {
  const { code, message } = classifyPublishError(error);
  return TRANSACTION_STATE.has(code) || /Transaction state exception|ongoing transaction/.test(message);
};

/** How long a step is retried in place while the coordinator still ends the previous transaction. */
const CONCURRENT_RETRY_MS = 5000;

/**
 * Runs `run` again, after a short pause, while it fails with CONCURRENT_TRANSACTIONS: the
 * coordinator still writes the markers of the transaction committed just before. kafkajs retries
 * that answer for sends and InitProducerId but not for AddOffsetsToTxn, the first request of a
 * delivery that carries only offsets. Right after a broker restart, when markers are slow, such
 * deliveries failed once each, aborted, replaced their producer and turned /ready to 503 one
 * after the other. Nothing changed on the broker when the answer came, so asking again is safe.
 */
export async function whileConcurrent<T>(
  run: () => Promise<T>,
  { budgetMs = CONCURRENT_RETRY_MS, pause = sleep as (ms: number) => Promise<unknown>, now = Date.now } = {},
): Promise<T> {
  const started = now();
  for (let waitMs = 20; ; waitMs = Math.min(waitMs * 2, 500)) {
    try {
      return await run();
    } catch (error) {
      if (classifyPublishError(error).code !== 'CONCURRENT_TRANSACTIONS' || now() - started + waitMs > budgetMs) throw error;
      await pause(waitMs);
    }
  }
}

/** txn.sendOffsets with each partition's metadata (see the file comment). */
export function sendOffsets(txn: Transaction, consumerGroupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
  const topics = new Map<string, Array<{ partition: number; offset: string; metadata: string | null }>>();
  for (const o of offsets) {
    const list = topics.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: o.offset, metadata: o.metadata });
    topics.set(o.topic, list);
  }
  return txn.sendOffsets({ consumerGroupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
}
