/**
 * The configured models, loaded and checked, and the detector settings from configuration: what
 * `serve` (its worker and its aggregator), `replay` and the benchmarks build their pipelines from.
 */
import type { ShiftwatchConfig } from '../config/index.js';
import { ConfigError } from '../core/errors.js';
import { readBundle } from '../core/fit/bundle-io.js';
import type { MonitoredModel, MonitorOptions } from '../core/pipeline/monitor.js';
import { DEFAULT_CLASS_SHARES } from '../core/predictions/class-shares.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../core/predictions/prediction-options.js';
import { DEFAULT_MIN_FEATURE_VALUES } from '../core/detect/feature-tests.js';
import type { WindowSpec } from '../core/window/windower.js';
import type { Logger } from '../logging.js';
import { createFlowScorer } from '../flow/create-scorer.js';
import { FeatureLocalizer } from '../flow/localize-scorer.js';
import { checkFlowModel } from '../core/flow/flow-weights.js';

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
export const AGGREGATOR_MAX_HELD_WINDOWS = 1024;

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
