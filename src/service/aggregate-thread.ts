/**
 * The aggregator of shared replicas on a worker thread of its own, so that scoring windows runs
 * beside reading and cutting them (the main thread) instead of taking turns with it. The thread
 * loads the models, reads the summaries topic and delivers alerts and checkpoints with Kafka clients
 * of its own (aggregate-engine.ts). Its metrics, readiness signals and delivered outcomes are
 * mirrored to the main thread's (thread-mirror.ts), which serves them over HTTP; so are the
 * detectors' statuses, for /status.
 *
 * Started by AggregateThread (aggregate-thread-host.ts) with the service's configuration.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { Registry } from 'prom-client';
import type { ShiftwatchConfig } from '../config/index.js';
import { resolveSecrets } from '../config/index.js';
import { Aggregator } from '../core/pipeline/aggregator.js';
import type { DetectorName } from '../core/detectors/contract.js';
import type { DriftStatus } from '../core/detect/drift-state.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { createKafka } from '../kafka/client.js';
import { AggregateEngine } from '../kafka/aggregate-engine.js';
import type { IngestListener } from '../kafka/outcomes.js';
import { createLogger } from '../logging.js';
import { Readiness } from './readiness.js';
import { AGGREGATOR_MAX_HELD_WINDOWS, loadModels, monitorOptions } from './models.js';
import { batchedPoster, mirror, type MirroredCall } from './thread-mirror.js';

/** What the thread is started with. */
export interface AggregateThreadData {
  role: 'shiftwatch-aggregator';
  config: ShiftwatchConfig;
}

/** Main thread → aggregator thread. */
export type ToAggregateThread =
  | { type: 'start'; eventPartitions: number; labelPartitions: number }
  | { type: 'stop' }
  /** The main thread's pipeline halted: the aggregator commits nothing more either. */
  | { type: 'halt'; reason: string };

/** Aggregator thread → main thread. */
export type FromAggregateThread =
  | { type: 'calls'; calls: MirroredCall[] }
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'failed'; error: string }
  /** Per configured model, its detectors' statuses, or null for a model another replica scores; and the thread's heap in use. */
  | { type: 'statuses'; statuses: Record<string, Partial<Record<DetectorName, DriftStatus>> | null>; heapUsed: number };

/** How often the thread tells the main thread the detectors' statuses and its heap. */
const STATUS_INTERVAL_MS = 250;

async function run(port: MessagePort, config: ShiftwatchConfig): Promise<void> {
  const send = (message: FromAggregateThread) => port.postMessage(message);
  const post = batchedPoster((calls) => send({ type: 'calls', calls }));
  const logger = createLogger(config.logLevel, 'shiftwatch.aggregator');
  // The main thread loaded the same bundles and said so: this thread only warns.
  const models = await loadModels(config, createLogger('warn', 'shiftwatch.aggregator'));
  const metrics = mirror(new MetricsRecorder(new Registry(), config.kafka.topics.events), post, ['metrics']);
  const ownReadiness = new Readiness({ stallAfterMs: config.health.stallAfterMs });
  const readiness = mirror(ownReadiness, post, ['readiness']);
  const noop = () => undefined;
  const listener = mirror<Required<IngestListener>>({ alert: noop, window: noop, realized: noop }, post, ['listener']);
  const aggregator = new Aggregator(models, { ...monitorOptions(config), maxHeldWindows: AGGREGATOR_MAX_HELD_WINDOWS }, metrics);
  const engine = new AggregateEngine(createKafka(config, resolveSecrets(config, process.env), logger), config, aggregator, metrics, logger, readiness, listener);
  const statuses = setInterval(() => {
    send({ type: 'statuses', statuses: Object.fromEntries(models.map((m) => [m.name, aggregator.statuses(m.name) ?? null])), heapUsed: getHeapStatistics().used_heap_size });
  }, STATUS_INTERVAL_MS);
  port.on('message', (message: ToAggregateThread) => {
    if (message.type === 'start') {
      engine.start(message.eventPartitions, message.labelPartitions).then(() => send({ type: 'started' }), (error: unknown) => send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }));
    } else if (message.type === 'stop') {
      clearInterval(statuses);
      void engine.stop().finally(() => send({ type: 'stopped' }));
    } else {
      // This thread's own readiness only: the main thread's has halted already.
      ownReadiness.halt(message.reason);
    }
  });
}

const data = workerData as AggregateThreadData | undefined;
if (!isMainThread && parentPort !== null && data?.role === 'shiftwatch-aggregator') {
  const port = parentPort;
  run(port, data.config).catch((error: unknown) => port.postMessage({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromAggregateThread));
}
