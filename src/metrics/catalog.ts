/**
 * The one catalogue of every metric shiftwatch exports: name, type, help and labels. Code that
 * records a metric and the dashboards that query it both import it from here, so a rename breaks
 * the build rather than a dashboard. Label values come only from closed enums in code or from the
 * loaded reference bundles (model, feature), whose number is capped by `limits.maxSeries`.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef<L extends string = string, T extends MetricType = MetricType> {
  name: string;
  type: T;
  help: string;
  labelNames: readonly L[];
  buckets?: readonly number[];
}

const def = <L extends string, T extends MetricType>(m: MetricDef<L, T>): MetricDef<L, T> => m;

/** Seconds; from 100 µs to 10 s. */
export const DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const INGEST_OUTCOMES = ['accepted', 'dead_letter', 'replay_skipped'] as const;
export const WINDOW_OUTCOMES = ['tested', 'too_small'] as const;
export const PUBLISH_OUTCOMES = ['success', 'failure'] as const;
export const SINKS = ['alerts', 'dead_letters', 'state'] as const;
export const STAGES = ['decode_window', 'publish', 'checkpoint', 'commit'] as const;
export const DRIFT_STATUS_VALUE = { ok: 0, warning: 1, drift: 2 } as const;
export { DETECTOR_NAMES as DETECTORS } from '../core/detectors/contract.js';
import { DETECTOR_NAMES as DETECTORS } from '../core/detectors/contract.js';
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
export const CLASS_SOURCES = ['estimated', 'reference', 'realized'] as const;

export const METRICS = {
  buildInfo: def({ name: 'shiftwatch_build_info', type: 'gauge', help: 'Always 1; labels carry the running version.', labelNames: ['version'] }),
  modelInfo: def({ name: 'shiftwatch_model_info', type: 'gauge', help: 'Always 1 per loaded reference bundle.', labelNames: ['model', 'bundle_version', 'window_type'] }),
  ingestMessages: def({ name: 'shiftwatch_ingest_messages_total', type: 'counter', help: 'Input messages handled, by outcome.', labelNames: ['topic', 'outcome'] }),
  deadLetters: def({ name: 'shiftwatch_dead_letters_total', type: 'counter', help: 'Messages sent to the dead-letter topic, by reason.', labelNames: ['reason'] }),
  missingFeatureValues: def({ name: 'shiftwatch_ingest_missing_feature_values_total', type: 'counter', help: 'Events that lacked a reference feature (or had it null).', labelNames: ['model', 'feature'] }),
  unknownFeatureValues: def({ name: 'shiftwatch_ingest_unknown_feature_values_total', type: 'counter', help: 'Feature values whose name is not in the reference (ignored).', labelNames: ['model'] }),
  lastEventTimestamp: def({ name: 'shiftwatch_ingest_last_event_timestamp_seconds', type: 'gauge', help: 'Broker timestamp of the last message handled.', labelNames: ['topic'] }),
  batchDuration: def({ name: 'shiftwatch_ingest_batch_duration_seconds', type: 'histogram', help: 'Time spent per consumed batch, by stage.', labelNames: ['stage'], buckets: DURATION_BUCKETS }),
  lateEvents: def({ name: 'shiftwatch_window_late_events_total', type: 'counter', help: 'Events more than allowedLatenessMs older than the newest event of their partition (counted in the newest event\'s window).', labelNames: ['model'] }),
  windowsClosed: def({ name: 'shiftwatch_windows_closed_total', type: 'counter', help: 'Windows closed, by whether they were large enough to test.', labelNames: ['model', 'outcome'] }),
  windowEvents: def({ name: 'shiftwatch_window_events', type: 'gauge', help: 'Events in the last closed window.', labelNames: ['model'] }),
  openWindowEvents: def({ name: 'shiftwatch_window_open_events', type: 'gauge', help: 'Events in windows not yet released to the detectors (open, or closed and waiting for the other input partitions).', labelNames: ['model'] }),
  windowsOutOfOrder: def({ name: 'shiftwatch_windows_released_out_of_order_total', type: 'counter', help: 'Windows released before the other input partitions caught up, because too many were waiting (their order then depends on read timing).', labelNames: ['model'] }),
  windowEvaluationDuration: def({ name: 'shiftwatch_window_evaluation_duration_seconds', type: 'histogram', help: 'Time to test one closed window.', labelNames: [], buckets: DURATION_BUCKETS }),
  windowPValue: def({ name: 'shiftwatch_model_window_p_value', type: 'gauge', help: 'Calibrated p-value of the last tested window (any feature shifted).', labelNames: ['model'] }),
  driftStatus: def({ name: 'shiftwatch_model_drift_status', type: 'gauge', help: 'Status of each detector of the model: 0 ok, 1 warning, 2 drift.', labelNames: ['model', 'detector'] }),
  cusum: def({ name: 'shiftwatch_model_cusum', type: 'gauge', help: 'CUSUM statistic each detector reached in the last window (before the reset that follows an alarm, so a crossing shows).', labelNames: ['model', 'detector'] }),
  cusumThreshold: def({ name: 'shiftwatch_model_cusum_threshold', type: 'gauge', help: 'CUSUM alarm threshold h of each detector (from the expected run time target and the correlation of consecutive windows in the reference).', labelNames: ['model', 'detector'] }),
  detectorPValue: def({ name: 'shiftwatch_detector_p_value', type: 'gauge', help: 'p-value of the last tested window under the reference\'s time-ordered null, per detector.', labelNames: ['model', 'detector'] }),
  detectorFlagged: def({ name: 'shiftwatch_detector_window_flagged', type: 'gauge', help: '1 when the last tested window alone was significant with an effect above the floor (a flag, not an alert), per detector.', labelNames: ['model', 'detector'] }),
  detectorEffect: def({ name: 'shiftwatch_detector_effect', type: 'gauge', help: 'Effect size of the last tested window, in each detector\'s own units.', labelNames: ['model', 'detector'] }),
  featureStatistic: def({ name: 'shiftwatch_feature_statistic', type: 'gauge', help: 'Test statistic of the last tested window (KS D for numeric, chi-square for categorical).', labelNames: ['model', 'feature'] }),
  featurePValue: def({ name: 'shiftwatch_feature_p_value', type: 'gauge', help: 'Per-feature p-value of the last tested window, before correction.', labelNames: ['model', 'feature'] }),
  featureAdjustedPValue: def({ name: 'shiftwatch_feature_adjusted_p_value', type: 'gauge', help: 'Per-feature p-value corrected across features (BH or Bonferroni).', labelNames: ['model', 'feature'] }),
  featureEffect: def({ name: 'shiftwatch_feature_effect', type: 'gauge', help: 'Effect size of the last tested window: psi, wasserstein (normalised by the reference std) or js (Jensen-Shannon distance).', labelNames: ['model', 'feature', 'measure'] }),
  featureDrift: def({ name: 'shiftwatch_feature_drift', type: 'gauge', help: '1 when the feature was flagged in the last tested window, else 0.', labelNames: ['model', 'feature'] }),
  alertsEmitted: def({ name: 'shiftwatch_alerts_emitted_total', type: 'counter', help: 'Alerts published, by detector and status.', labelNames: ['model', 'detector', 'status'] }),
  alertsSuppressed: def({ name: 'shiftwatch_alerts_suppressed_total', type: 'counter', help: 'Alarms suppressed by the cooldown.', labelNames: ['model', 'detector'] }),
  sinkRequests: def({ name: 'shiftwatch_sink_requests_total', type: 'counter', help: 'Publish attempts to output topics, by outcome.', labelNames: ['sink', 'outcome'] }),
  sinkErrors: def({ name: 'shiftwatch_sink_errors_total', type: 'counter', help: 'Failed publish attempts by sink and kind: retriable ones are retried (for at most alerts.publishTimeoutMs), a not_retriable one halts the pipeline.', labelNames: ['sink', 'kind'] }),
  sinkMaxMessageBytes: def({ name: 'shiftwatch_sink_max_message_bytes', type: 'gauge', help: 'Size limit of one send to each output topic, read from the broker at startup (the smaller of message.max.bytes and the topic\'s max.message.bytes).', labelNames: ['sink'] }),
  deadLettersTruncated: def({ name: 'shiftwatch_dead_letters_truncated_total', type: 'counter', help: 'Dead letters whose key or value was cut to fit the dead-letter topic\'s size limit (they carry the original size and SHA-256).', labelNames: [] }),
  pipelineHalts: def({ name: 'shiftwatch_pipeline_halts_total', type: 'counter', help: 'Times the pipeline halted (output could not be written, or the consumer crashed for good): nothing is committed afterwards until a restart.', labelNames: [] }),
  inputPartitionsAssigned: def({ name: 'shiftwatch_input_partitions_assigned', type: 'gauge', help: 'Input partitions this replica holds: all of them on the active replica, 0 on a standby.', labelNames: [] }),
  healthCheck: def({ name: 'shiftwatch_health_check_passing', type: 'gauge', help: '1 when the readiness check passes, 0 when it fails (/ready answers 503 while any fails).', labelNames: ['check'] }),
  commits: def({ name: 'shiftwatch_ingest_commits_total', type: 'counter', help: 'Offset commits, by outcome.', labelNames: ['outcome'] }),
  accuracyEstimate: def({ name: 'shiftwatch_accuracy_estimate_ratio', type: 'gauge', help: 'Estimated accuracy of the last window, without labels, per estimator.', labelNames: ['model', 'estimator'] }),
  accuracyLower: def({ name: 'shiftwatch_accuracy_estimate_lower_ratio', type: 'gauge', help: 'Lower end of the interval of the estimated accuracy (coverage accuracy.coverage).', labelNames: ['model', 'estimator'] }),
  accuracyUpper: def({ name: 'shiftwatch_accuracy_estimate_upper_ratio', type: 'gauge', help: 'Upper end of the interval of the estimated accuracy (coverage accuracy.coverage).', labelNames: ['model', 'estimator'] }),
  accuracyHeadline: def({ name: 'shiftwatch_accuracy_headline_ratio', type: 'gauge', help: 'Estimated accuracy of the last window by the headline estimator (by default the one the backtest selects).', labelNames: ['model'] }),
  accuracySelected: def({ name: 'shiftwatch_accuracy_selected', type: 'gauge', help: '1 for the estimator the backtest selects (lowest recent error on labelled windows, else no-change), 0 for the others.', labelNames: ['model', 'estimator'] }),
  accuracyIntervalWidth: def({ name: 'shiftwatch_accuracy_interval_width_ratio', type: 'gauge', help: 'Width of the accuracy interval of the last window, per estimator.', labelNames: ['model', 'estimator'] }),
  accuracyRealized: def({ name: 'shiftwatch_accuracy_realized_ratio', type: 'gauge', help: 'Realized accuracy of the latest window with enough delayed labels.', labelNames: ['model'] }),
  accuracyError: def({ name: 'shiftwatch_accuracy_estimate_error_ratio', type: 'gauge', help: 'Estimate minus realized accuracy on the latest labelled window, per estimator (no-change: the source accuracy; last-realized: the previous realized window).', labelNames: ['model', 'estimator'] }),
  classProportion: def({ name: 'shiftwatch_class_proportion_ratio', type: 'gauge', help: 'Class proportions: estimated for the last window, in the reference, and realized from labels.', labelNames: ['model', 'class', 'source'] }),
  labelShiftPValue: def({ name: 'shiftwatch_label_shift_p_value', type: 'gauge', help: 'p-value of the last window\'s test of "the class mix is unchanged".', labelNames: ['model'] }),
  labels: def({ name: 'shiftwatch_labels_total', type: 'counter', help: 'Delayed labels handled, by outcome of the join.', labelNames: ['model', 'outcome'] }),
  labelEvictions: def({ name: 'shiftwatch_label_join_evictions_total', type: 'counter', help: 'Predictions and labels dropped unjoined, by reason: expired (labels.ttlMs), capacity (labels.maxEntries) or bytes (labels.maxBytes).', labelNames: ['model', 'kind', 'reason'] }),
  labelJoinEntries: def({ name: 'shiftwatch_label_join_entries', type: 'gauge', help: 'Predictions and labels held by the label join, waiting for their counterpart (or kept to recognise a duplicate).', labelNames: ['model'] }),
  labelJoinBytes: def({ name: 'shiftwatch_label_join_bytes', type: 'gauge', help: 'Estimated heap bytes the label join holds (bounded by labels.maxBytes).', labelNames: ['model'] }),
  regressionTargetMean: def({ name: 'shiftwatch_regression_target_mean', type: 'gauge', help: 'Mean of the regression target: in the reference, and estimated for the last window (target-shift weights).', labelNames: ['model', 'source'] }),
  regressionTargetQuantile: def({ name: 'shiftwatch_regression_target_quantile', type: 'gauge', help: 'Quantiles of the regression target (label level: the probability, e.g. 0.5) in the reference, and estimated for the last window.', labelNames: ['model', 'level', 'source'] }),
  regressionEffectiveSample: def({ name: 'shiftwatch_regression_effective_sample_ratio', type: 'gauge', help: 'Effective sample size of the target-shift weights over the reference sample size (below 0.1: unreliable).', labelNames: ['model'] }),
  regressionDivergence: def({ name: 'shiftwatch_regression_divergence', type: 'gauge', help: 'Mean squared deviation of the target-shift weights from 1 (0: no target shift).', labelNames: ['model'] }),
  flowInfo: def({ name: 'shiftwatch_flow_info', type: 'gauge', help: 'Always 1 per model with a density flow; labels say which scorer and tfjs backend run it.', labelNames: ['model', 'scorer', 'backend'] }),
  flowMeanLogLikelihood: def({ name: 'shiftwatch_flow_mean_log_likelihood', type: 'gauge', help: 'Mean log-likelihood under the reference flow: of the last tested window, and of the reference calibration split.', labelNames: ['model', 'source'] }),
  flowReferenceLogLikelihood: def({ name: 'shiftwatch_flow_reference_log_likelihood_quantile', type: 'gauge', help: 'Quantiles of the reference calibration split\'s log-likelihood (label level: the probability), a band for the window mean.', labelNames: ['model', 'level'] }),
  flowOodFraction: def({ name: 'shiftwatch_flow_ood_fraction_ratio', type: 'gauge', help: 'Share of rows whose log-likelihood is below the reference 1% quantile: in the last tested window, and expected (the quantile level).', labelNames: ['model', 'source'] }),
  flowTestStatistic: def({ name: 'shiftwatch_flow_test_statistic', type: 'gauge', help: 'Statistic of each covariate-shift test on the last window\'s log-likelihoods (Mann-Whitney z, OOD count, typicality t).', labelNames: ['model', 'test'] }),
  flowTestPValue: def({ name: 'shiftwatch_flow_test_p_value', type: 'gauge', help: 'p-value of each covariate-shift test on the last window\'s log-likelihoods.', labelNames: ['model', 'test'] }),
  flowWindowPValue: def({ name: 'shiftwatch_flow_window_p_value', type: 'gauge', help: 'Bonferroni combination of the covariate-shift tests of the last window.', labelNames: ['model'] }),
  flowRows: def({ name: 'shiftwatch_flow_rows_total', type: 'counter', help: 'Rows given to the flow, by outcome (rows with a missing flow input are skipped).', labelNames: ['model', 'outcome'] }),
  flowScoringDuration: def({ name: 'shiftwatch_flow_scoring_duration_seconds', type: 'histogram', help: 'Time to score one closed window with the flow.', labelNames: ['model'], buckets: DURATION_BUCKETS }),
  featureConditionalStatistic: def({ name: 'shiftwatch_feature_conditional_statistic', type: 'gauge', help: 'Conditional score test of the last window: Fisher divergence S_j of the feature given the others (numeric), or the score statistic of its category given the others (categorical).', labelNames: ['model', 'feature'] }),
  featureConditionalZ: def({ name: 'shiftwatch_feature_conditional_z', type: 'gauge', help: 'The conditional statistic in standard deviations of its bootstrap null (the ranking score of which feature shifted).', labelNames: ['model', 'feature'] }),
  featureConditionalPValue: def({ name: 'shiftwatch_feature_conditional_p_value', type: 'gauge', help: 'Conditional test p-value of the last window, BH-adjusted together with the marginal tests.', labelNames: ['model', 'feature'] }),
  featureConditionalDrift: def({ name: 'shiftwatch_feature_conditional_drift', type: 'gauge', help: '1 when the conditional test flagged the feature in the last window, else 0.', labelNames: ['model', 'feature'] }),
  lastCheckpointTimestamp: def({ name: 'shiftwatch_state_last_checkpoint_timestamp_seconds', type: 'gauge', help: 'Wall-clock time of the last durable state checkpoint.', labelNames: [] }),
} as const;

export type MetricKey = keyof typeof METRICS;

/** Series per (model, feature), (model, class) and per model, used to enforce `limits.maxSeries`. */
export function estimateSeries(models: ReadonlyArray<{ features: number; classes: number; localized?: number }>): number {
  const perFeature = 5 + 2; // statistic, p, adjusted p, drift, missing + two effect measures (psi and W1 or JS)
  const perLocalized = 4; // conditional statistic, z, p-value, drift
  const perModel = 13 + INGEST_OUTCOMES.length + 9 * DETECTORS.length;
  const perClassifier = 7 * 8 + 8; // estimate, bounds, error, width, selected per estimator; realized, labels
  const perRegressor = 2 + 2 * 3 + 2;
  // Flow: info, means, reference band, OOD, per-test statistic and p, window p, rows, scoring histogram.
  const perFlow = 1 + 2 + FLOW_REFERENCE_QUANTILES.length + 2 + 2 * FLOW_TESTS.length + 1 + 2 + (DURATION_BUCKETS.length + 3);
  return models.reduce((sum, m) => sum + perModel + perRegressor + perFlow + perFeature * m.features + perLocalized * (m.localized ?? 0) + (m.classes > 0 ? perClassifier + 3 * m.classes : 0), 40);
}
