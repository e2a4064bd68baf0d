/**
 * Everything the running service is made of, assembled from configuration without NestJS:
 * bundles loaded and checked, the pure monitor, metrics on their own registry, the Kafka engine.
 * The Nest module only exposes these pieces over HTTP and manages their lifecycle.
 */
import { Registry } from 'prom-client';
import { registerProcessMetrics } from '../metrics/process-metrics.js';
import type { ShiftwatchConfig } from '../config/index.js';
import { resolveSecrets } from '../config/index.js';
import { ConfigError } from '../core/errors.js';
import { readBundle } from '../core/fit/bundle-io.js';
import { Monitor, type MonitoredModel, type MonitorOptions } from '../core/pipeline/monitor.js';
import { DEFAULT_CLASS_SHARES } from '../core/predictions/class-shares.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../core/predictions/prediction-options.js';
import { DEFAULT_MIN_FEATURE_VALUES } from '../core/detect/feature-tests.js';
import type { WindowSpec } from '../core/window/windower.js';
import { estimateSeries } from '../metrics/catalog.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { createKafka } from '../kafka/client.js';
import type { ResolvedSecrets } from '../config/index.js';
import { Readiness } from './readiness.js';
import { IngestEngine, type IngestListener } from '../kafka/ingest-engine.js';
import { AggregateEngine } from '../kafka/aggregate-engine.js';
import { Aggregator } from '../core/pipeline/aggregator.js';
import type { DetectorName } from '../core/detectors/contract.js';
import type { DriftStatus } from '../core/detect/drift-state.js';
import { createLogger, type Logger } from '../logging.js';
import { StatusBoard } from './status-board.js';
import { createFlowScorer } from '../flow/create-scorer.js';
import { FeatureLocalizer } from '../flow/localize-scorer.js';
import { checkFlowModel } from '../core/flow/flow-weights.js';
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
  const monitor = new Monitor(models, { ...options, role: shared ? 'worker' : 'single' }, metrics);
  metrics.initialise(VERSION, models.map((m) => ({ bundle: m.bundle, windowType: m.window.type, detectors: monitor.detectorNames(m.name), thresholds: monitor.thresholds(m.name), ...(m.flowScorer ? { flowScorer: m.flowScorer } : {}) })));
  const status = new StatusBoard(models.map((m) => m.name));
  const listener: IngestListener = {
    window: (r) => { status.window(r); extra.window?.(r); },
    alert: (a) => { status.alert(a); extra.alert?.(a); },
    realized: (r) => { status.realized(r); extra.realized?.(r); },
  };
  const readiness = new Readiness({ stallAfterMs: config.health.stallAfterMs });
  const kafka = createKafka(config, secrets, logger);
  const aggregator = shared ? new Aggregator(models, { ...options, maxHeldWindows: AGGREGATOR_MAX_HELD_WINDOWS }, metrics) : undefined;
  const aggregate = aggregator ? new AggregateEngine(kafka, config, aggregator, metrics, logger, readiness, listener) : undefined;
  const statuses = (model: string) => (aggregator ? aggregator.statuses(model) : monitor.statuses(model));
  const engine = new IngestEngine(kafka, config, monitor, metrics, logger, readiness, listener, aggregate);
  logger.info(`loaded ${models.length} model(s): ${models.map((m) => `${m.name} (${m.bundle.features.length} features)`).join(', ')}`);
  return { config, registry, metrics, monitor, statuses, engine, status, readiness, logger, secrets };
}

/**
 * Every configured model, ready to monitor: its bundle read and checked, and the flow's scorers
 * created when the bundle has a flow (shared by `serve` and `replay`, so both run the same detectors).
 */
export async function loadModels(config: ShiftwatchConfig, logger: Logger): Promise<MonitoredModel[]> {
  const models: MonitoredModel[] = [];
  for (const [i, m] of config.models.entries()) {
    const bundle = await readBundle(m.bundle).catch((error: Error) => {
      throw new ConfigError(`models[${i}].bundle`, error.message, `point it at a directory written by this version's \`shiftwatch fit\` (refit older bundles)`);
    });
    if (bundle.model !== m.name) {
      throw new ConfigError(`models[${i}].bundle`, `the bundle was fitted for model "${bundle.model}", not "${m.name}"`, 'point it at the right bundle or rename the model');
    }
    const flowProblems = bundle.flow === undefined || config.flow.scorer === 'off' ? [] : checkFlowModel(bundle.flow.model);
    if (flowProblems.length > 0) {
      throw new ConfigError(`models[${i}].bundle`, `the bundle's density flow is malformed: ${flowProblems.slice(0, 5).join('; ')}`, 'refit the bundle with `shiftwatch fit`, or set flow.scorer: off to run without the flow');
    }
    // A flow-method conditional test starts from the latent points: the scorer's pass returns them with log p.
    const latent = bundle.flow?.localization?.method === 'flow';
    const flowScorer = bundle.flow === undefined || config.flow.scorer === 'off'
      ? undefined
      : await createFlowScorer(bundle.flow.model, config.flow.scorer, config.flow.batchSize, logger, m.name, { latent });
    if (flowScorer) logger.info(`model ${m.name}: flow of ${bundle.flow!.model.dim} inputs scored by ${flowScorer.scorer} (${flowScorer.backend})`);
    const localization = flowScorer ? bundle.flow!.localization : undefined;
    const localizer = localization ? await FeatureLocalizer.create(localization, localization.method === 'flow' ? bundle.flow!.model : null) : undefined;
    if (localizer) logger.info(`model ${m.name}: conditional feature test on ${localization!.features.length + localization!.categorical.length} features (${localizer.backend})`);
    models.push({ name: m.name, bundle, window: m.window as WindowSpec, ...(flowScorer ? { flowScorer } : {}), ...(localizer ? { localizer } : {}) });
  }
  return models;
}

/**
 * Windows an aggregator holds for order: workers read their partitions at their own pace and do not
 * pause for each other, so it waits for more than one process does (about 0.1 MiB per window of 1,000
 * events with class probabilities).
 */
const AGGREGATOR_MAX_HELD_WINDOWS = 1024;

/** The monitor's settings from configuration. */
export function monitorOptions(config: ShiftwatchConfig): MonitorOptions {
  const d = config.detection;
  const v = config.validation;
  return {
    maxMessageBytes: config.kafka.maxMessageBytes,
    timestamps: { maxFutureMs: v.maxFutureMs, ...(v.maxPastMs === undefined ? {} : { maxPastMs: v.maxPastMs }), earliestMs: Date.parse(v.earliestTimestamp) },
    partitionIdleMs: config.kafka.partitionIdleMs,
    tests: { alpha: d.alpha, correction: d.correction, minFeatureValues: DEFAULT_MIN_FEATURE_VALUES, effectFloor: { ...d.effectFloor } },
    sequential: {
      k: d.cusum.k, expectedRunTimeWindows: d.cusum.expectedRunTimeWindows, alpha: d.alpha,
      cooldownWindows: config.alerts.cooldownWindows, resolveAfterCleanWindows: d.resolveAfterCleanWindows,
    },
    predictions: {
      headline: config.accuracy.headline,
      ...(config.accuracy.floor === undefined ? {} : { floor: config.accuracy.floor }),
      classShares: { ...DEFAULT_CLASS_SHARES, method: config.labelShift.estimator, priorRowsPerClass: config.labelShift.priorRowsPerClass },
      accuracy: { ...DEFAULT_PREDICTION_OPTIONS.accuracy, coverage: config.accuracy.coverage, backtestWindows: config.accuracy.backtestWindows },
      labels: { ...config.labels },
    },
  };
}
