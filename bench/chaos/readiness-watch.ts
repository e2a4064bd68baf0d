/** Polls a service's /ready on a short interval and keeps when each answer came, to time its turns. */
export interface ReadySample {
  at: number;
  ready: boolean;
  /** The reason /ready gave when not ready. */
  reason?: string;
}

export class ReadinessWatch {
  readonly samples: ReadySample[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly url: string, private readonly intervalMs = 100) {
    this.done = this.loop();
  }

  /**
   * Seconds from `since` until the service was ready for good before `until`: the start of the
   * last run of ready samples in [since, until), when that run reaches `until`; undefined otherwise.
   */
  secondsUntilSteadyReady(since: number, until: number): number | undefined {
    const window = this.samples.filter((s) => s.at >= since && s.at < until);
    if (window.length === 0 || !window[window.length - 1]!.ready) return undefined;
    let i = window.length - 1;
    while (i > 0 && window[i - 1]!.ready) i -= 1;
    return Math.max(0, window[i]!.at - since) / 1000;
  }

  /** The first sample at or after `since` whose readiness is `ready`. */
  first(since: number, ready: boolean): ReadySample | undefined {
    return this.samples.find((s) => s.at >= since && s.ready === ready);
  }

  /** Seconds from `since` to the first sample with readiness `ready`, or undefined if none came. */
  secondsUntil(since: number, ready: boolean): number | undefined {
    const s = this.first(since, ready);
    return s === undefined ? undefined : Math.max(0, s.at - since) / 1000;
  }

  /** The distinct reasons given between `from` and `to`, in order, with when each first appeared. */
  reasons(from: number, to: number): Array<{ at: number; reason: string }> {
    const out: Array<{ at: number; reason: string }> = [];
    for (const s of this.samples) {
      if (s.at < from || s.at > to || s.reason === undefined) continue;
      const short = s.reason.replace(/\d+(\.\d+)? s\b/g, 'N s').replace(/\d+ message/g, 'N message');
      if (out[out.length - 1]?.reason !== short) out.push({ at: s.at, reason: short });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const sample = await fetch(`${this.url}/ready`, { signal: AbortSignal.timeout(1000) }).then(
        async (r): Promise<ReadySample> => (r.status === 200 ? { at: Date.now(), ready: true } : { at: Date.now(), ready: false, reason: ((await r.json()) as { reason?: string }).reason ?? `HTTP ${r.status}` }),
        (e: Error): ReadySample => ({ at: Date.now(), ready: false, reason: `no answer: ${e.message}` }),
      );
      this.samples.push(sample);
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
