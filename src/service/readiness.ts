/**
 * Whether the service is ready (doing its job) and alive (able to get back to it by itself), from
 * the signals the Kafka side reports: the consumer joined its group, the broker answers, input is
 * handled while there is input to handle, outputs get published, and the pipeline did not halt.
 * Pure state: the HTTP endpoints and the metrics read `report()`.
 */
import { HEALTH_CHECKS } from '../metrics/catalog.js';

export type HealthCheck = (typeof HEALTH_CHECKS)[number];

export interface CheckStatus {
  check: HealthCheck;
  ok: boolean;
  /** What is wrong (or, when ok, what was last seen). */
  detail: string;
  /** Epoch ms since when the check has had this outcome. */
  since: number;
}

export interface HealthReport {
  ready: boolean;
  /** False only when the pipeline halted: it cannot resume without a restart. */
  live: boolean;
  /** The first failing check's detail. */
  reason?: string;
  checks: CheckStatus[];
}

export interface ReadinessOptions {
  /** Input waiting with no progress for this long is a stall; a send pending this long is a failing sink. */
  stallAfterMs: number;
  now?: () => number;
}

interface State {
  ok: boolean;
  detail: string;
  since: number;
}

export class Readiness {
  private readonly now: () => number;
  private readonly states: Record<'consumer' | 'broker' | 'pipeline', State>;
  private lastProgress: number;
  private lag = 0;
  private readonly failing = new Map<string, State>();
  private readonly sending = new Map<string, number>();

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
    const t = this.now();
    this.lastProgress = t;
    this.states = {
      consumer: { ok: false, detail: 'starting: the Kafka consumer has not joined its group yet', since: t },
      broker: { ok: true, detail: 'not probed yet', since: t },
      pipeline: { ok: true, detail: 'running', since: t },
    };
  }

  consumer(ok: boolean, detail: string): void {
    this.set('consumer', ok, detail);
  }

  broker(ok: boolean, detail: string): void {
    this.set('broker', ok, detail);
  }

  /** The pipeline cannot go on (a publish failed for good, a batch threw): not ready and not live. */
  halt(reason: string): void {
    if (this.states.pipeline.ok) this.set('pipeline', false, `halted: ${reason}`);
  }

  halted(): boolean {
    return !this.states.pipeline.ok;
  }

  stopping(): void {
    this.set('consumer', false, 'stopping');
  }

  /** An input message was handled or a batch's outputs were delivered. */
  progressed(): void {
    this.lastProgress = this.now();
  }

  /** Messages waiting on this instance's partitions (high watermark minus position). */
  setLag(messages: number): void {
    this.lag = messages;
  }

  sendStarted(sink: string): void {
    this.sending.set(sink, this.now());
  }

  /** The outcome of a send to `sink`: undefined on success, else what failed. */
  sendFinished(sink: string, failure: string | undefined): void {
    this.sending.delete(sink);
    if (failure === undefined) this.failing.delete(sink);
    else if (!this.failing.has(sink)) this.failing.set(sink, { ok: false, detail: `publishing to ${sink} fails: ${failure}`, since: this.now() });
    else this.failing.get(sink)!.detail = `publishing to ${sink} fails: ${failure}`;
  }

  report(): HealthReport {
    const t = this.now();
    const idle = t - this.lastProgress;
    const stalled = this.lag > 0 && idle >= this.options.stallAfterMs;
    const progress: CheckStatus = {
      check: 'progress',
      ok: !stalled,
      detail: stalled ? `stalled: ${this.lag} message(s) waiting and none handled for ${(idle / 1000).toFixed(1)} s` : `${this.lag} message(s) waiting`,
      since: stalled ? this.lastProgress + this.options.stallAfterMs : this.lastProgress,
    };
    const slow = [...this.sending].find(([, since]) => t - since >= this.options.stallAfterMs);
    const failed = [...this.failing.values()][0];
    const sinks: CheckStatus = failed !== undefined
      ? { check: 'sinks', ...failed }
      : slow !== undefined
        ? { check: 'sinks', ok: false, detail: `publishing to ${slow[0]} has not finished for ${((t - slow[1]) / 1000).toFixed(1)} s`, since: slow[1] }
        : { check: 'sinks', ok: true, detail: 'publishing', since: t };
    const checks: CheckStatus[] = [
      { check: 'pipeline', ...this.states.pipeline },
      { check: 'consumer', ...this.states.consumer },
      { check: 'broker', ...this.states.broker },
      sinks,
      progress,
    ];
    const firstFailing = checks.find((c) => !c.ok);
    return {
      ready: firstFailing === undefined,
      live: this.states.pipeline.ok,
      ...(firstFailing ? { reason: `${firstFailing.check}: ${firstFailing.detail}` } : {}),
      checks: HEALTH_CHECKS.map((name) => checks.find((c) => c.check === name)!),
    };
  }

  private set(name: 'consumer' | 'broker' | 'pipeline', ok: boolean, detail: string): void {
    const s = this.states[name];
    if (s.ok !== ok) s.since = this.now();
    s.ok = ok;
    s.detail = detail;
  }
}
