/**
 * The main thread's side of the aggregator thread (aggregate-thread.ts): starts and stops it with
 * the ingest engine, replays what it mirrors on the main thread's metrics, readiness and listener,
 * keeps the detectors' statuses it reports for /status, and halts the pipeline when the thread fails
 * or exits on its own.
 */
import { Worker } from 'node:worker_threads';
import type { ShiftwatchConfig } from '../config/index.js';
import type { DetectorName } from '../core/detectors/contract.js';
import type { DriftStatus } from '../core/detect/drift-state.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { IngestListener } from '../kafka/outcomes.js';
import { haltPipeline } from '../kafka/engine-parts.js';
import type { Logger } from '../logging.js';
import type { Readiness } from './readiness.js';
import { replayCall } from './thread-mirror.js';
import type { ThreadProbe } from './thread-load.js';
import type { AggregateThreadData, FromAggregateThread, ToAggregateThread } from './aggregate-thread.js';

/** How long a stop waits for the thread to close its Kafka clients before it is terminated. */
const STOP_TIMEOUT_MS = 15_000;
/** How often the thread hears whether the main thread's pipeline halted. */
const HALT_POLL_MS = 500;

export class AggregateThread {
  private worker: Worker | undefined;
  private statusesByModel: Record<string, Partial<Record<DetectorName, DriftStatus>> | null> = {};
  private heapUsed: number | undefined;
  private stopped: (() => void) | undefined;
  private stopping = false;
  private haltPoll: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ShiftwatchConfig,
    private readonly metrics: MetricsRecorder,
    private readonly readiness: Readiness,
    private readonly listener: IngestListener,
    private readonly logger: Logger,
  ) {}

  /** Starts the thread and its aggregator; resolves once the aggregator's consumer runs. */
  async start(eventPartitions: number, labelPartitions: number): Promise<void> {
    const workerData: AggregateThreadData = { role: 'shiftwatch-aggregator', config: this.config };
    const worker = new Worker(new URL('./aggregate-thread.js', import.meta.url), { workerData });
    this.worker = worker;
    const roots = { metrics: this.metrics, readiness: this.readiness, listener: this.listener } as Record<string, object>;
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromAggregateThread) => {
        switch (message.type) {
          case 'calls':
            for (const call of message.calls) replayCall(roots, call);
            break;
          case 'statuses':
            this.statusesByModel = message.statuses;
            this.heapUsed = message.heapUsed;
            break;
          case 'started':
            resolve();
            break;
          case 'stopped':
            this.stopped?.();
            break;
          case 'failed':
            reject(new Error(`the aggregator thread failed: ${message.error}`));
            this.halt(`the aggregator thread failed: ${message.error}`);
            break;
        }
      });
      worker.on('error', (error) => {
        reject(error);
        this.halt(`the aggregator thread crashed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        reject(new Error(`the aggregator thread exited with code ${code} before it started`));
        if (!this.stopping) this.halt(`the aggregator thread exited with code ${code}`);
      });
    });
    this.send({ type: 'start', eventPartitions, labelPartitions });
    this.haltPoll = setInterval(() => {
      if (!this.readiness.halted()) return;
      this.send({ type: 'halt', reason: 'the pipeline halted on the main thread' });
      clearInterval(this.haltPoll);
    }, HALT_POLL_MS);
    await started;
  }

  /** Stops the aggregator (its clients closed) and the thread. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined || this.stopping) return;
    this.stopping = true;
    clearInterval(this.haltPoll);
    const stopped = new Promise<void>((resolve) => {
      this.stopped = resolve;
      worker.once('exit', () => resolve());
      setTimeout(resolve, STOP_TIMEOUT_MS).unref();
    });
    this.send({ type: 'stop' });
    await stopped;
    await worker.terminate();
  }

  /** The detectors' statuses of a model this replica scores (undefined for the others), as the thread last reported them. */
  statuses(model: string): Partial<Record<DetectorName, DriftStatus>> | undefined {
    return this.statusesByModel[model] ?? undefined;
  }

  /** The thread's load (thread-load.ts), once it was started. */
  probe(): ThreadProbe | undefined {
    const worker = this.worker;
    return worker === undefined ? undefined : { utilization: () => worker.performance.eventLoopUtilization(), heapUsed: () => this.heapUsed };
  }

  private send(message: ToAggregateThread): void {
    this.worker?.postMessage(message);
  }

  private halt(reason: string): void {
    if (this.stopping) return;
    haltPipeline(this.readiness, this.metrics, this.logger, reason);
  }
}
