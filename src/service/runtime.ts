/**
 * Everything the running service is made of, assembled from configuration without NestJS:
 * bundles loaded and checked, the pure monitor, metrics on their own registry, the Kafka engine.
 * The Nest module only exposes these pieces over HTTP and manages their lifecycle.
 */
import { Registry } from 'prom-client';
import { registerProcessMetrics } from '../metrics/process-metrics.js';
import type { ShiftwatchConfig } from '../config/index.js';
import { resolveSecrets } from '../config/index.js';
import { replicaIdOf } from '../config/kafka.js';
import { ConfigError } from '../core/errors.js';
import { Monitor } from '../core/pipeline/monitor.js';
import { estimateSeries } from '../metrics/catalog.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { createKafka } from '../kafka/client.js';
import type { ResolvedSecrets } from '../config/index.js';
import { Readiness } from './readiness.js';
import { IngestEngine, type IngestListener } from '../kafka/ingest-engine.js';
import { loadModels, monitorOptions } from './models.js';
import { MAIN_THREAD, ThreadLoad } from './thread-load.js';
import { AggregateThread } from './aggregate-thread-host.js';
import type { DetectorName } from '../core/detectors/contract.js';
import type { DriftStatus } from '../core/detect/drift-state.js';
import { createLogger, type Logger } from '../logging.js';
import { StatusBoard } from './status-board.js';
import { VERSION } from '../version.js';

export interface ServiceRuntime {
  config: ShiftwatchConfig;
  registry: Registry;
  metrics: MetricsRecorder;
  monitor: Monitor;
  /** Each detector's status per model; undefined for a model another shared replica scores. */
  statuses(model: string): Partial<Record<DetectorName, DriftStatus>> | undefined;
  engine: IngestEngine;
  status: StatusBoard;
  readiness: Readiness;
  logger: Logger;
  /** Read at startup; the brokers are checked with them before the consumer starts. */
  secrets: ResolvedSecrets;
}

export async function createRuntime(config: ShiftwatchConfig, extra: IngestListener = {}, env = process.env): Promise<ServiceRuntime> {
  const logger = createLogger(config.logLevel);
  const secrets = resolveSecrets(config, env);
  const models = await loadModels(config, logger);
  const series = estimateSeries(models.map((m) => {
    const loc = m.localizer ? m.bundle.flow?.localization : undefined;
    return {
      features: m.bundle.features.length,
      classes: m.bundle.predictions?.classes ?? 0,
      localized: loc ? loc.features.length + loc.categorical.length : 0,
      flow: m.bundle.flow !== undefined && m.flowScorer !== undefined,
      regression: m.bundle.regression !== undefined,
    };
  }));
  if (series > config.limits.maxSeries) {
    throw new ConfigError('limits.maxSeries', `the loaded bundles need about ${series} metric series, over the budget of ${config.limits.maxSeries}`, 'raise limits.maxSeries or monitor fewer models/features per instance');
  }
  const options = monitorOptions(config);
  const shared = config.kafka.replicas === 'shared';
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = new MetricsRecorder(registry, config.kafka.topics.events);
  const monitor = new Monitor(models, { ...options, ...(shared ? { role: 'worker', replicaId: replicaIdOf(config.kafka) } : { role: 'single' }) }, metrics);
  metrics.initialise(VERSION, models.map((m) => ({ bundle: m.bundle, windowType: m.window.type, detectors: monitor.detectorNames(m.name), thresholds: monitor.thresholds(m.name), ...(m.flowScorer ? { flowScorer: m.flowScorer } : {}) })));
  const status = new StatusBoard(models.map((m) => m.name));
  const listener: IngestListener = {
    window: (r) => { status.window(r); extra.window?.(r); },
    alert: (a) => { status.alert(a); extra.alert?.(a); },
    realized: (r) => { status.realized(r); extra.realized?.(r); },
  };
  const readiness = new Readiness({ stallAfterMs: config.health.stallAfterMs });
  // Shared replicas: the aggregator scores windows on a thread of its own, beside this one reading and cutting them.
  const aggregate = shared ? new AggregateThread(config, metrics, readiness, listener, logger) : undefined;
  const statuses = (model: string) => (aggregate ? aggregate.statuses(model) : monitor.statuses(model));
  const engine = new IngestEngine(createKafka(config, secrets, logger), config, monitor, metrics, logger, readiness, listener, aggregate);
  new ThreadLoad(metrics, () => {
    const aggregator = aggregate?.probe();
    return aggregator === undefined ? { main: MAIN_THREAD } : { main: MAIN_THREAD, aggregator };
  }).start();
  logger.info(`loaded ${models.length} model(s): ${models.map((m) => `${m.name} (${m.bundle.features.length} features)`).join(', ')}`);
  return { config, registry, metrics, monitor, statuses, engine, status, readiness, logger, secrets };
}

