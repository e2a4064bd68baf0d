/**
 * Asks the broker, once per interval, for the high watermarks of the partitions this instance
 * consumes: it tells readiness whether the broker answers (within a timeout, without retries) and
 * how many input messages wait behind this instance's position (the lag a stall is judged by), and
 * which assigned partitions have nothing left to read.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logging.js';
import type { Readiness } from '../service/readiness.js';

export interface ProbeSources {
  /** Partitions assigned to this instance, per topic. */
  assignment(): ReadonlyMap<string, readonly number[]>;
  /** The next offset to handle per "topic/partition", for partitions handled in this process. */
  positions(): ReadonlyMap<string, number>;
  /** Whether an assigned partition has nothing left to read (its position reached the high watermark). */
  atEnd?(topic: string, partition: number, atEnd: boolean): void;
}

export interface ProbeOptions {
  groupId: string;
  /** Topics to ask about before the consumer has an assignment. */
  topics: readonly string[];
  intervalMs: number;
  timeoutMs: number;
}

export class BrokerProbe {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Since when the broker has not answered (epoch ms); undefined while it answers. */
  private silentSince: number | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ProbeOptions,
    private readonly sources: ProbeSources,
    private readonly readiness: Readiness,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.admin = this.kafka.admin({ retry: { retries: 0 } });
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.admin === undefined) return;
    this.busy = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      });
      this.readiness.setLag(await Promise.race([this.lag(this.admin), timeout]));
      this.readiness.broker(true, 'answering');
      if (this.silentSince !== undefined) this.logger?.info(`the broker answers again, after ${((Date.now() - this.silentSince) / 1000).toFixed(1)} s`);
      this.silentSince = undefined;
    } catch (error) {
      const detail = `the broker does not answer: ${error instanceof Error ? error.message : String(error)}`;
      this.readiness.broker(false, detail);
      // One line per outage: kafkajs's own lines about each failed connection are warnings.
      if (this.silentSince === undefined) this.logger?.error(`${detail}; /ready answers 503 until it does, and the service goes on where it stopped`);
      this.silentSince ??= Date.now();
      // A fresh client next time: one whose connection died can wait on kafkajs's internal locks for
      // tens of seconds after the broker is back.
      const stale = this.admin;
      this.admin = this.kafka.admin({ retry: { retries: 0 } });
      void stale.disconnect().catch(() => undefined);
    } finally {
      clearTimeout(timer);
      this.busy = false;
    }
  }

  private async lag(admin: Admin): Promise<number> {
    await admin.connect();
    const assignment = this.sources.assignment();
    const topics = assignment.size > 0 ? [...assignment.keys()] : this.options.topics;
    const positions = this.sources.positions();
    let lag = 0;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const assigned = assignment.get(topic);
      if (assigned === undefined) continue;
      const unknown = assigned.filter((p) => !positions.has(`${topic}/${p}`));
      // Committed offsets only stand in for partitions not handled yet; the group coordinator may be
      // moving (after a broker restart), which says nothing about the broker answering.
      const committed = unknown.length === 0 ? [] : await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }).then((r) => r[0]?.partitions ?? [], () => undefined);
      if (committed === undefined) continue;
      for (const p of assigned) {
        const end = ends.find((e) => e.partition === p);
        if (end === undefined) continue;
        const c = committed.find((x) => x.partition === p);
        const position = positions.get(`${topic}/${p}`) ?? (c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low));
        lag += Math.max(0, Number(end.high) - position);
        this.sources.atEnd?.(topic, p, position >= Number(end.high));
      }
    }
    return lag;
  }
}
