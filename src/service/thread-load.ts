/**
 * How busy each thread of the process is and how much heap it holds, for
 * `shiftwatch_thread_utilization_ratio` and `shiftwatch_thread_heap_used_bytes`. A thread near full
 * utilization caps the replica's throughput: the main thread when reading and cutting windows is the
 * limit, the aggregator thread (shared replicas) when scoring them is (docs/operations.md, "Sizing").
 * prom-client's own process metrics see the main thread's heap and event loop only.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { THREADS } from '../metrics/catalog.js';
import type { MetricsRecorder } from '../metrics/recorder.js';

export type ThreadName = (typeof THREADS)[number];

/** How often the gauges are updated, each time over the interval since the last update. */
export const THREAD_SAMPLE_MS = 5000;

/** Where a thread's load is read. */
export interface ThreadProbe {
  /** The thread's event-loop utilization so far (`performance.eventLoopUtilization()`, or a Worker's). */
  utilization(): EventLoopUtilization;
  /** Bytes of V8 heap the thread uses; undefined while not known. */
  heapUsed(): number | undefined;
}

export const MAIN_THREAD: ThreadProbe = {
  utilization: () => performance.eventLoopUtilization(),
  heapUsed: () => getHeapStatistics().used_heap_size,
};

/** The share of the time between two readings that the event loop was busy (0 when no time passed). */
export function busyShare(now: EventLoopUtilization, before: EventLoopUtilization | undefined): number {
  const active = now.active - (before?.active ?? 0);
  const idle = now.idle - (before?.idle ?? 0);
  return active + idle > 0 ? active / (active + idle) : 0;
}

export class ThreadLoad {
  private readonly last = new Map<ThreadName, EventLoopUtilization>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metrics: MetricsRecorder,
    /** The threads running now (the aggregator's only once it started). */
    private readonly probes: () => Partial<Record<ThreadName, ThreadProbe>>,
  ) {}

  /** Updates the gauges of every thread running. */
  sample(): void {
    for (const [thread, probe] of Object.entries(this.probes()) as [ThreadName, ThreadProbe][]) {
      const now = probe.utilization();
      this.metrics.m.threadUtilization.set({ thread }, busyShare(now, this.last.get(thread)));
      this.last.set(thread, now);
      const heap = probe.heapUsed();
      if (heap !== undefined) this.metrics.m.threadHeapUsed.set({ thread }, heap);
    }
  }

  /** Samples every THREAD_SAMPLE_MS; the timer never keeps the process alive. */
  start(): void {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), THREAD_SAMPLE_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
