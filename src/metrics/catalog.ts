/**
 * The one catalogue of every metric shiftwatch exports: name, type, help and labels. Code that
 * records a metric and the dashboards that query it both import it from here, so a rename breaks
 * the build rather than a dashboard. Label values come only from closed enums in code or from the
 * loaded reference bundles (model, feature), whose number is capped by `limits.maxSeries`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * The values a label takes, which is what bounds a metric's series: a closed list (every value may
 * appear), one value per model, per feature of the model, per feature the conditional test ranks,
 * per class, or a fixed number of values that are not known in advance (`count`).
 */
export type LabelValues = readonly (string | number)[] | 'model' | 'feature' | 'conditional_feature' | 'class' | { count: number; of: string };

/** Models that export a metric with a model label: all (the default), or only the ones of a kind. */
export type ModelKind = 'classifier' | 'regressor' | 'flow';

export interface MetricDef<L extends string = string, T extends MetricType = MetricType> {
  name: string;
  type: T;
  help: string;
  labels: Readonly<Record<L, LabelValues>>;
  /** The label names, in declaration order (derived from `labels`). */
  labelNames: readonly L[];
  buckets?: readonly number[];
  /** Exported only by models of this kind (metrics with a model label). */
  only?: ModelKind;
}

const def = <L extends string = never, T extends MetricType = MetricType>(m: Omit<MetricDef<L, T>, 'labelNames'>): MetricDef<L, T> => ({
  ...m,
  labelNames: Object.keys(m.labels) as L[],
});

const one = (of: string): LabelValues => ({ count: 1, of });

/** Seconds; from 100 µs to 10 s. */
export const DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** `unknown_model`: shared replicas, a summaries record of a model this replica has no bundle for (another replica is configured differently). */
export const INGEST_OUTCOMES = ['accepted', 'dead_letter', 'replay_skipped', 'unknown_model'] as const;
export const WINDOW_OUTCOMES = ['tested', 'too_small'] as const;
export const PUBLISH_OUTCOMES = ['success', 'failure'] as const;
export const SINKS = ['alerts', 'dead_letters', 'state', 'summaries'] as const;
export const STAGES = ['decode_window', 'publish', 'checkpoint', 'commit'] as const;
export const DRIFT_STATUS_VALUE = { ok: 0, warning: 1, drift: 2 } as const;
export { DETECTOR_NAMES as DETECTORS } from '../core/detectors/contract.js';
import { DETECTOR_NAMES as DETECTORS } from '../core/detectors/contract.js';
import { DEAD_LETTER_REASONS } from '../core/contract/event.js';
import { ACCURACY_ESTIMATORS } from '../core/predictions/estimators.js';
import { REPORTED_QUANTILES } from '../core/predictions/regression-reference.js';
import { PROCESS_METRICS } from './process-metrics.js';
/** The flow's per-window tests of the log-likelihoods (docs/algorithms.md#covariate-shift). */
export const FLOW_TESTS = ['mann_whitney', 'ood_binomial', 'typicality'] as const;
export const FLOW_SOURCES = ['window', 'reference'] as const;
export const FLOW_ROW_OUTCOMES = ['scored', 'skipped_missing'] as const;
/** Quantiles of the reference log-likelihood exported as a band for dashboards. */
export const FLOW_REFERENCE_QUANTILES = [0.01, 0.05, 0.5, 0.95] as const;
export const LABEL_OUTCOMES = ['joined', 'waiting', 'duplicate'] as const;
/** Why an unjoined prediction or label left the label join: its time-to-live passed, or the entry or byte budget was full. */
export const EVICTION_REASONS = ['expired', 'capacity', 'bytes'] as const;
export const SINK_ERROR_KINDS = ['retriable', 'not_retriable'] as const;
/** The checks `/ready` is made of (src/service/readiness.ts). */
export const HEALTH_CHECKS = ['consumer', 'broker', 'progress', 'sinks', 'pipeline'] as const;
/** The service's threads: `main` reads, checks and cuts windows (and scores them, but with shared replicas); `aggregator`, shared replicas only, scores them. */
export const THREADS = ['main', 'aggregator'] as const;
export const CLASS_SOURCES = ['estimated', 'reference', 'realized'] as const;
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
/** What the label join holds: predictions waiting for their label, and labels waiting for their prediction. */
export const LABEL_JOIN_KINDS = ['prediction', 'label'] as const;
export const REGRESSION_SOURCES = ['reference', 'estimated'] as const;
export const FLOW_OOD_SOURCES = ['window', 'expected'] as const;
/** The input topics a message is counted under: kafka.topics.events and kafka.topics.labels. */
const INPUT_TOPICS: LabelValues = { count: 3, of: 'the events and the labels topic, and the summaries topic with shared replicas' };

export const METRICS = {
  buildInfo: def({ name: 'shiftwatch_build_info', type: 'gauge', help: 'Always 1; labels carry the running version.', labels: { version: one('the running version') } }),
  modelInfo: def({ name: 'shiftwatch_model_info', type: 'gauge', help: 'Always 1 per loaded reference bundle.', labels: { model: 'model', bundle_version: one('the bundle version'), window_type: one('the window type') } }),
  ingestMessages: def({ name: 'shiftwatch_ingest_messages_total', type: 'counter', help: 'Input messages handled, by outcome.', labels: { topic: INPUT_TOPICS, outcome: INGEST_OUTCOMES } }),
  deadLetters: def({ name: 'shiftwatch_dead_letters_total', type: 'counter', help: 'Messages sent to the dead-letter topic, by reason.', labels: { reason: DEAD_LETTER_REASONS } }),
  missingFeatureValues: def({ name: 'shiftwatch_ingest_missing_feature_values_total', type: 'counter', help: 'Events that lacked a reference feature (or had it null).', labels: { model: 'model', feature: 'feature' } }),
  unknownFeatureValues: def({ name: 'shiftwatch_ingest_unknown_feature_values_total', type: 'counter', help: 'Feature values whose name is not in the reference (ignored).', labels: { model: 'model' } }),
  lastEventTimestamp: def({ name: 'shiftwatch_ingest_last_event_timestamp_seconds', type: 'gauge', help: 'Broker timestamp of the last message handled.', labels: { topic: INPUT_TOPICS } }),
  batchDuration: def({ name: 'shiftwatch_ingest_batch_duration_seconds', type: 'histogram', help: 'Time spent per consumed batch, by stage.', labels: { stage: STAGES }, buckets: DURATION_BUCKETS }),
  lateEvents: def({ name: 'shiftwatch_window_late_events_total', type: 'counter', help: 'Events more than allowedLatenessMs older than the newest event of their partition (counted in the newest event\'s window).', labels: { model: 'model' } }),
  windowsClosed: def({ name: 'shiftwatch_windows_closed_total', type: 'counter', help: 'Windows closed, by whether they were large enough to test.', labels: { model: 'model', outcome: WINDOW_OUTCOMES } }),
  windowEvents: def({ name: 'shiftwatch_window_events', type: 'gauge', help: 'Events in the last closed window.', labels: { model: 'model' } }),
  openWindowEvents: def({ name: 'shiftwatch_window_open_events', type: 'gauge', help: 'Events in windows not yet released to the detectors (open, or closed and waiting for the other input partitions).', labels: { model: 'model' } }),
  windowsOutOfOrder: def({ name: 'shiftwatch_windows_released_out_of_order_total', type: 'counter', help: 'Windows released before the other input partitions caught up, because too many were waiting (their order then depends on read timing).', labels: { model: 'model' } }),
  windowEvaluationDuration: def({ name: 'shiftwatch_window_evaluation_duration_seconds', type: 'histogram', help: 'Time to test one closed window.', labels: {}, buckets: DURATION_BUCKETS }),
  windowPValue: def({ name: 'shiftwatch_model_window_p_value', type: 'gauge', help: 'Calibrated p-value of the last tested window (any feature shifted).', labels: { model: 'model' } }),
  driftStatus: def({ name: 'shiftwatch_model_drift_status', type: 'gauge', help: 'Status of each detector of the model: 0 ok, 1 warning, 2 drift.', labels: { model: 'model', detector: DETECTORS } }),
  cusum: def({ name: 'shiftwatch_model_cusum', type: 'gauge', help: 'CUSUM statistic each detector reached in the last window (before the reset that follows an alarm, so a crossing shows).', labels: { model: 'model', detector: DETECTORS } }),
  cusumThreshold: def({ name: 'shiftwatch_model_cusum_threshold', type: 'gauge', help: 'CUSUM alarm threshold h of each detector (from the expected run time target and the correlation of consecutive windows in the reference).', labels: { model: 'model', detector: DETECTORS } }),
  detectorPValue: def({ name: 'shiftwatch_detector_p_value', type: 'gauge', help: 'p-value of the last tested window under the reference\'s time-ordered null, per detector.', labels: { model: 'model', detector: DETECTORS } }),
  detectorFlagged: def({ name: 'shiftwatch_detector_window_flagged', type: 'gauge', help: '1 when the last tested window alone was significant with an effect above the floor (a flag, not an alert), per detector.', labels: { model: 'model', detector: DETECTORS } }),
  detectorEffect: def({ name: 'shiftwatch_detector_effect', type: 'gauge', help: 'Effect size of the last tested window, in each detector\'s own units.', labels: { model: 'model', detector: DETECTORS } }),
  featureStatistic: def({ name: 'shiftwatch_feature_statistic', type: 'gauge', help: 'Test statistic of the last tested window (KS D for numeric, chi-square for categorical).', labels: { model: 'model', feature: 'feature' } }),
  featurePValue: def({ name: 'shiftwatch_feature_p_value', type: 'gauge', help: 'Per-feature p-value of the last tested window, before correction.', labels: { model: 'model', feature: 'feature' } }),
  featureAdjustedPValue: def({ name: 'shiftwatch_feature_adjusted_p_value', type: 'gauge', help: 'Per-feature p-value corrected across features (BH or Bonferroni).', labels: { model: 'model', feature: 'feature' } }),
  featureEffect: def({ name: 'shiftwatch_feature_effect', type: 'gauge', help: 'Effect size of the last tested window: psi, wasserstein (normalised by the reference std) or js (Jensen-Shannon distance).', labels: { model: 'model', feature: 'feature', measure: { count: 2, of: 'psi, and wasserstein (numeric) or js (categorical)' } } }),
  featureDrift: def({ name: 'shiftwatch_feature_drift', type: 'gauge', help: '1 when the feature was flagged in the last tested window, else 0.', labels: { model: 'model', feature: 'feature' } }),
  alertsEmitted: def({ name: 'shiftwatch_alerts_emitted_total', type: 'counter', help: 'Alerts published, by detector and status.', labels: { model: 'model', detector: DETECTORS, status: ALERT_STATUSES } }),
  alertsSuppressed: def({ name: 'shiftwatch_alerts_suppressed_total', type: 'counter', help: 'Alarms suppressed by the cooldown.', labels: { model: 'model', detector: DETECTORS } }),
  sinkRequests: def({ name: 'shiftwatch_sink_requests_total', type: 'counter', help: 'Publish attempts to output topics, by outcome.', labels: { sink: SINKS, outcome: PUBLISH_OUTCOMES } }),
  sinkErrors: def({ name: 'shiftwatch_sink_errors_total', type: 'counter', help: 'Failed publish attempts by sink and kind: retriable ones are retried (for at most alerts.publishTimeoutMs), a not_retriable one halts the pipeline.', labels: { sink: SINKS, kind: SINK_ERROR_KINDS } }),
  sinkMaxMessageBytes: def({ name: 'shiftwatch_sink_max_message_bytes', type: 'gauge', help: 'Size limit of one send to each output topic, read from the broker at startup (the smaller of message.max.bytes and the topic\'s max.message.bytes).', labels: { sink: SINKS } }),
  deadLettersTruncated: def({ name: 'shiftwatch_dead_letters_truncated_total', type: 'counter', help: 'Dead letters whose key or value was cut to fit the dead-letter topic\'s size limit (they carry the original size and SHA-256).', labels: {} }),
  pipelineHalts: def({ name: 'shiftwatch_pipeline_halts_total', type: 'counter', help: 'Times the pipeline halted (output could not be written, or the consumer crashed for good): nothing is committed afterwards until a restart.', labels: {} }),
  inputPartitionsAssigned: def({ name: 'shiftwatch_input_partitions_assigned', type: 'gauge', help: 'Input partitions this replica holds: all of them on the active replica, 0 on a standby.', labels: {} }),
  threadUtilization: def({ name: 'shiftwatch_thread_utilization_ratio', type: 'gauge', help: 'Share of the last 5 s each thread of the process was busy (its event-loop utilization): near 1, that thread caps the throughput (main: reading and cutting windows; aggregator: scoring them).', labels: { thread: THREADS } }),
  threadHeapUsed: def({ name: 'shiftwatch_thread_heap_used_bytes', type: 'gauge', help: 'V8 heap in use per thread (nodejs_heap_size_used_bytes covers the main thread only).', labels: { thread: THREADS } }),
  healthCheck: def({ name: 'shiftwatch_health_check_passing', type: 'gauge', help: '1 when the readiness check passes, 0 when it fails (/ready answers 503 while any fails).', labels: { check: HEALTH_CHECKS } }),
  commits: def({ name: 'shiftwatch_ingest_commits_total', type: 'counter', help: 'Offset commits, by outcome.', labels: { outcome: PUBLISH_OUTCOMES } }),
  accuracyEstimate: def({ name: 'shiftwatch_accuracy_estimate_ratio', type: 'gauge', help: 'Estimated accuracy of the last window, without labels, per estimator.', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  accuracyLower: def({ name: 'shiftwatch_accuracy_estimate_lower_ratio', type: 'gauge', help: 'Lower end of the interval of the estimated accuracy (coverage accuracy.coverage).', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  accuracyUpper: def({ name: 'shiftwatch_accuracy_estimate_upper_ratio', type: 'gauge', help: 'Upper end of the interval of the estimated accuracy (coverage accuracy.coverage).', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  accuracyHeadline: def({ name: 'shiftwatch_accuracy_headline_ratio', type: 'gauge', help: 'Estimated accuracy of the last window by the headline estimator (by default the one the backtest selects).', labels: { model: 'model' }, only: 'classifier' }),
  accuracySelected: def({ name: 'shiftwatch_accuracy_selected', type: 'gauge', help: '1 for the estimator the backtest selects (lowest recent error on labelled windows, else no-change), 0 for the others.', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  accuracyIntervalWidth: def({ name: 'shiftwatch_accuracy_interval_width_ratio', type: 'gauge', help: 'Width of the accuracy interval of the last window, per estimator.', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  accuracyRealized: def({ name: 'shiftwatch_accuracy_realized_ratio', type: 'gauge', help: 'Realized accuracy of the latest window with enough delayed labels.', labels: { model: 'model' }, only: 'classifier' }),
  accuracyError: def({ name: 'shiftwatch_accuracy_estimate_error_ratio', type: 'gauge', help: 'Estimate minus realized accuracy on the latest labelled window, per estimator (no-change: the source accuracy; last-realized: the previous realized window).', labels: { model: 'model', estimator: ACCURACY_ESTIMATORS }, only: 'classifier' }),
  classProportion: def({ name: 'shiftwatch_class_proportion_ratio', type: 'gauge', help: 'Class proportions: estimated for the last window, in the reference, and realized from labels.', labels: { model: 'model', class: 'class', source: CLASS_SOURCES }, only: 'classifier' }),
  labelShiftPValue: def({ name: 'shiftwatch_label_shift_p_value', type: 'gauge', help: 'p-value of the last window\'s test of "the class mix is unchanged".', labels: { model: 'model' }, only: 'classifier' }),
  labels: def({ name: 'shiftwatch_labels_total', type: 'counter', help: 'Delayed labels handled, by outcome of the join.', labels: { model: 'model', outcome: LABEL_OUTCOMES }, only: 'classifier' }),
  labelEvictions: def({ name: 'shiftwatch_label_join_evictions_total', type: 'counter', help: 'Predictions and labels dropped unjoined, by reason: expired (labels.ttlMs), capacity (labels.maxEntries) or bytes (labels.maxBytes).', labels: { model: 'model', kind: LABEL_JOIN_KINDS, reason: EVICTION_REASONS }, only: 'classifier' }),
  labelJoinEntries: def({ name: 'shiftwatch_label_join_entries', type: 'gauge', help: 'Predictions and labels held by the label join, waiting for their counterpart (or kept to recognise a duplicate).', labels: { model: 'model' }, only: 'classifier' }),
  labelsQueued: def({ name: 'shiftwatch_labels_queued', type: 'gauge', help: 'Labels read in event time (labels.order: event-time) that wait for the window they may teach (none count before it is released).', labels: { model: 'model' }, only: 'classifier' }),
  labelJoinBytes: def({ name: 'shiftwatch_label_join_bytes', type: 'gauge', help: 'Estimated heap bytes the label join holds (bounded by labels.maxBytes).', labels: { model: 'model' }, only: 'classifier' }),
  regressionTargetMean: def({ name: 'shiftwatch_regression_target_mean', type: 'gauge', help: 'Mean of the regression target: in the reference, and estimated for the last window (target-shift weights).', labels: { model: 'model', source: REGRESSION_SOURCES }, only: 'regressor' }),
  regressionTargetQuantile: def({ name: 'shiftwatch_regression_target_quantile', type: 'gauge', help: 'Quantiles of the regression target (label level: the probability, e.g. 0.5) in the reference, and estimated for the last window.', labels: { model: 'model', level: REPORTED_QUANTILES, source: REGRESSION_SOURCES }, only: 'regressor' }),
  regressionEffectiveSample: def({ name: 'shiftwatch_regression_effective_sample_ratio', type: 'gauge', help: 'Effective sample size of the target-shift weights over the reference sample size (below 0.1: unreliable).', labels: { model: 'model' }, only: 'regressor' }),
  regressionDivergence: def({ name: 'shiftwatch_regression_divergence', type: 'gauge', help: 'Mean squared deviation of the target-shift weights from 1 (0: no target shift).', labels: { model: 'model' }, only: 'regressor' }),
  flowInfo: def({ name: 'shiftwatch_flow_info', type: 'gauge', help: 'Always 1 per model with a density flow; labels say which scorer and tfjs backend run it.', labels: { model: 'model', scorer: one('the scorer'), backend: one('the tfjs backend') }, only: 'flow' }),
  flowMeanLogLikelihood: def({ name: 'shiftwatch_flow_mean_log_likelihood', type: 'gauge', help: 'Mean log-likelihood under the reference flow: of the last tested window, and of the reference calibration split.', labels: { model: 'model', source: FLOW_SOURCES }, only: 'flow' }),
  flowReferenceLogLikelihood: def({ name: 'shiftwatch_flow_reference_log_likelihood_quantile', type: 'gauge', help: 'Quantiles of the reference calibration split\'s log-likelihood (label level: the probability), a band for the window mean.', labels: { model: 'model', level: FLOW_REFERENCE_QUANTILES }, only: 'flow' }),
  flowOodFraction: def({ name: 'shiftwatch_flow_ood_fraction_ratio', type: 'gauge', help: 'Share of rows whose log-likelihood is below the reference 1% quantile: in the last tested window, and expected (the quantile level).', labels: { model: 'model', source: FLOW_OOD_SOURCES }, only: 'flow' }),
  flowTestStatistic: def({ name: 'shiftwatch_flow_test_statistic', type: 'gauge', help: 'Statistic of each covariate-shift test on the last window\'s log-likelihoods (Mann-Whitney z, OOD count, typicality t).', labels: { model: 'model', test: FLOW_TESTS }, only: 'flow' }),
  flowTestPValue: def({ name: 'shiftwatch_flow_test_p_value', type: 'gauge', help: 'p-value of each covariate-shift test on the last window\'s log-likelihoods.', labels: { model: 'model', test: FLOW_TESTS }, only: 'flow' }),
  flowWindowPValue: def({ name: 'shiftwatch_flow_window_p_value', type: 'gauge', help: 'Bonferroni combination of the covariate-shift tests of the last window.', labels: { model: 'model' }, only: 'flow' }),
  flowRows: def({ name: 'shiftwatch_flow_rows_total', type: 'counter', help: 'Rows given to the flow, by outcome (rows with a missing flow input are skipped).', labels: { model: 'model', outcome: FLOW_ROW_OUTCOMES }, only: 'flow' }),
  flowScoringDuration: def({ name: 'shiftwatch_flow_scoring_duration_seconds', type: 'histogram', help: 'Time to score one closed window with the flow.', labels: { model: 'model' }, only: 'flow', buckets: DURATION_BUCKETS }),
  featureConditionalStatistic: def({ name: 'shiftwatch_feature_conditional_statistic', type: 'gauge', help: 'Conditional score test of the last window: Fisher divergence S_j of the feature given the others (numeric), or the score statistic of its category given the others (categorical).', labels: { model: 'model', feature: 'conditional_feature' }, only: 'flow' }),
  featureConditionalZ: def({ name: 'shiftwatch_feature_conditional_z', type: 'gauge', help: 'The conditional statistic in standard deviations of its bootstrap null (the ranking score of which feature shifted).', labels: { model: 'model', feature: 'conditional_feature' }, only: 'flow' }),
  featureConditionalPValue: def({ name: 'shiftwatch_feature_conditional_p_value', type: 'gauge', help: 'Conditional test p-value of the last window, BH-adjusted together with the marginal tests.', labels: { model: 'model', feature: 'conditional_feature' }, only: 'flow' }),
  featureConditionalDrift: def({ name: 'shiftwatch_feature_conditional_drift', type: 'gauge', help: '1 when the conditional test flagged the feature in the last window, else 0.', labels: { model: 'model', feature: 'conditional_feature' }, only: 'flow' }),
  lastCheckpointTimestamp: def({ name: 'shiftwatch_state_last_checkpoint_timestamp_seconds', type: 'gauge', help: 'Wall-clock time of the last durable state checkpoint.', labels: {} }),
} as const;

export type MetricKey = keyof typeof METRICS;

/** What a loaded model exports series for: its features, classes (0: not a classifier), the features its conditional test ranks, and whether it has a flow scorer or a regression reference. */
export interface SeriesModel {
  features: number;
  classes: number;
  localized?: number;
  flow?: boolean;
  regression?: boolean;
}

function exports(def: MetricDef, model: SeriesModel): boolean {
  if (def.only === 'classifier') return model.classes > 0;
  if (def.only === 'regressor') return model.regression === true;
  if (def.only === 'flow') return model.flow === true;
  return true;
}

function valueCount(values: LabelValues, model: SeriesModel | undefined): number {
  if (typeof values !== 'string') return 'count' in values ? values.count : values.length;
  if (values === 'model') return 1; // the series are counted per model
  if (model === undefined) throw new Error(`a ${values} label needs a model label beside it`);
  if (values === 'feature') return model.features;
  if (values === 'conditional_feature') return model.localized ?? 0;
  return model.classes;
}

/**
 * The most series one metric exports: for one model (a metric with a model label), or for the
 * whole process (without `model`). The product of its labels' value counts; a histogram has a
 * series per bucket, +Inf, _sum and _count for each label set.
 */
export function metricSeries(def: MetricDef, model?: SeriesModel): number {
  const perModel = def.labelNames.includes('model');
  if (perModel !== (model !== undefined)) return 0;
  if (model !== undefined && !exports(def, model)) return 0;
  const labelSets = Object.values<LabelValues>(def.labels).reduce((n, values) => n * valueCount(values, model), 1);
  return def.type === 'histogram' ? labelSets * ((def.buckets?.length ?? 0) + 3) : labelSets;
}

/**
 * The series the loaded models need, checked against `limits.maxSeries` at startup: every
 * catalogued metric's series as its declared labels bound them, plus the process metrics.
 */
export function estimateSeries(models: readonly SeriesModel[]): number {
  const defs: MetricDef[] = Object.values(METRICS);
  const shared = defs.reduce<number>((n, def) => n + metricSeries(def), PROCESS_METRICS.length);
  return models.reduce<number>((n, model) => n + defs.reduce<number>((k, def) => k + metricSeries(def, model), 0), shared);
}
