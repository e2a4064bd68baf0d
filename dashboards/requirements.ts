/**
 * What a query needs before it can return data, read from the metric names in it. The
 * integration test that runs every dashboard query against a real Prometheus uses this to skip
 * queries whose data its scenario does not produce.
 */
import { METRICS, type MetricKey } from '../src/metrics/catalog.js';
import { EXTERNAL_METRICS } from './promql.js';

export type Requirement =
  /** A model whose bundle has predictions (classifier): accuracy, class proportions, labels. */
  | 'classifier'
  /** A regression model (its bundle has regression targets). */
  | 'regression'
  /** A model with a density flow (detector `covariate-shift`). */
  | 'flow'
  /** prom-client's default process metrics registered on the service's registry. */
  | 'process-metrics'
  /** At least one handled message (and, for checkpoint age, one closed window). */
  | 'traffic';

const BY_METRIC: Partial<Record<MetricKey, Requirement>> = {
  accuracyEstimate: 'classifier', accuracyLower: 'classifier', accuracyUpper: 'classifier', accuracyHeadline: 'classifier',
  accuracyRealized: 'classifier', accuracyError: 'classifier', classProportion: 'classifier', labelShiftPValue: 'classifier',
  accuracySelected: 'classifier', accuracyIntervalWidth: 'classifier',
  labels: 'classifier', labelEvictions: 'classifier', labelJoinEntries: 'classifier', labelJoinBytes: 'classifier', labelsQueued: 'classifier',
  flowInfo: 'flow', flowMeanLogLikelihood: 'flow', flowReferenceLogLikelihood: 'flow', flowOodFraction: 'flow',
  flowTestStatistic: 'flow', flowTestPValue: 'flow', flowWindowPValue: 'flow', flowRows: 'flow', flowScoringDuration: 'flow',
  regressionTargetMean: 'regression', regressionTargetQuantile: 'regression', regressionEffectiveSample: 'regression',
  regressionDivergence: 'regression',
  lastEventTimestamp: 'traffic', lastCheckpointTimestamp: 'traffic',
};

const NAME_TO_REQUIREMENT = new Map<string, Requirement>();
for (const [key, req] of Object.entries(BY_METRIC) as [MetricKey, Requirement][]) NAME_TO_REQUIREMENT.set(METRICS[key].name, req);
for (const name of Object.values(EXTERNAL_METRICS)) NAME_TO_REQUIREMENT.set(name, 'process-metrics');

/** Metric names in a PromQL expression (catalogue names, histogram series, external names). */
export function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\b(?:shiftwatch|process|nodejs)_[a-z0-9_]+/g) ?? [])];
}

export function requirementsOf(expr: string): Requirement[] {
  const found = new Set<Requirement>();
  for (const name of metricNamesIn(expr)) {
    const req = NAME_TO_REQUIREMENT.get(name.replace(/_(bucket|sum|count)$/, '')) ?? NAME_TO_REQUIREMENT.get(name);
    if (req !== undefined) found.add(req);
  }
  return [...found].sort();
}
