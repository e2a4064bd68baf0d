/**
 * Model detail, feature-shift section: the detectors' state, then which features shifted, how
 * much, and the data-quality counters that explain odd p-values.
 */
import { BigValueColorMode, BigValueTextMode, TableSortByFieldStateBuilder } from '@grafana/grafana-foundation-sdk/common';
import { FieldColorBuilder, FieldColorModeId, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../src/metrics/catalog.js';
import {
  dashedThresholds, driftStatusMappings, flagMappings, joinedColumns, logAxis, prop, query, row, stateTimelinePanel, statPanel,
  tablePanel, thresholds, timeseriesPanel, units,
} from './common.js';
import { FEATURE, maxBy, rate, re, sel, sumBy } from './promql.js';

const M = METRICS;
const DISTANCE = re('wasserstein|js');

/** p-values coloured red below 0.01, orange below 0.05 (the default alpha), green above. */
const pValueThresholds = () => thresholds('red', [[0.01, 'orange'], [0.05, 'green']]);

export function addDetectorPanels(b: DashboardBuilder): void {
  b.withRow(row('Detectors'))
    .withPanel(
      statPanel('Drift status', 'Each detector after the last tested window: ok, warning (CUSUM rising) or drift.', units.NoUnit, 8)
        .withTarget(query(sel(M.driftStatus), '{{detector}}'))
        .mappings(driftStatusMappings())
        .colorMode(BigValueColorMode.Background)
        .textMode(BigValueTextMode.ValueAndName),
    )
    .withPanel(
      statPanel('Window p-value', 'Calibrated p-value of the last tested window (any feature shifted).', units.NoUnit)
        .withTarget(query(sel(M.windowPValue), 'p'))
        .decimals(4)
        .thresholds(pValueThresholds()),
    )
    .withPanel(
      statPanel('Features flagged', 'Features flagged in the last tested window (after the multiple-testing correction).', units.Short)
        .withTarget(query(`sum(${sel(M.featureDrift, { feature: FEATURE })})`, 'flagged'))
        .thresholds(thresholds('green', [[1, 'red']])),
    )
    .withPanel(
      statPanel('Window size', 'Events in the currently open window and in the last closed one.', units.Short, 8)
        .withTarget(query(sel(M.openWindowEvents), 'open window'))
        .withTarget(query(sel(M.windowEvents), 'last closed window'))
        .textMode(BigValueTextMode.ValueAndName),
    )
    .withPanel(
      timeseriesPanel('CUSUM over its threshold, by detector', 'Each detector\'s CUSUM statistic divided by its alarm threshold h (set from the expected run time between false alarms and from how alike consecutive windows of the reference are): the detector alerts when the line crosses 1.', units.Short)
        .withTarget(query(`${sel(M.cusum)} / on(model, detector) ${sel(M.cusumThreshold)}`, '{{detector}}'))
        .thresholds(thresholds('transparent', [[1, 'red']]))
        .thresholdsStyle(dashedThresholds()),
    )
    .withPanel(
      timeseriesPanel('Window p-value by detector', 'p-value of each tested window under the reference\'s time-ordered null, per detector; the dashed line is the default alpha, 0.05. A low p-value alone is a flag, not an alert.', units.NoUnit)
        .withTarget(query(sel(M.detectorPValue), '{{detector}}'))
        .scaleDistribution(logAxis())
        .thresholds(thresholds('transparent', [[0.05, 'orange']]))
        .thresholdsStyle(dashedThresholds()),
    )
    .withPanel(
      stateTimelinePanel('Flags and alerts by detector', 'Per detector and window: flagged when the window alone was significant with an effect above the floor (no alert on its own), and the detector\'s status (drift: an alert fired and has not resolved).', 12)
        .withTarget(query(sel(M.detectorFlagged), '{{detector}} flag'))
        .withTarget(query(sel(M.driftStatus), '{{detector}} status'))
        .mappings([...flagMappings('ok', 'flagged'), ...driftStatusMappings()])
        .height(8),
    )
    .withPanel(
      timeseriesPanel('Effect size by detector', 'The effect each detector measured in the last window, in its own units: W1/σ or JS distance of the top feature (feature-shift), separation of log-likelihoods (covariate-shift), null sds (conditional-shift), total variation of the class mix (label-shift), target mean shift in sds (target-shift).', units.Short)
        .withTarget(query(sel(M.detectorEffect), '{{detector}}')),
    )
    .withPanel(
      timeseriesPanel('Feature-shift window p-value', 'The feature-shift detector\'s p-value: Bonferroni over the non-context features whose effect clears its floor, each calibrated on the reference\'s time-ordered chunks; the dashed line is the default alpha, 0.05.', units.NoUnit)
        .withTarget(query(sel(M.windowPValue), 'window p-value'))
        .scaleDistribution(logAxis())
        .thresholds(thresholds('transparent', [[0.05, 'orange']]))
        .thresholdsStyle(dashedThresholds()),
    );
}

function rankedFeatures() {
  const columns: Array<[string, string]> = [
    ['Adjusted p-value', sel(M.featureAdjustedPValue, { feature: FEATURE })],
    ['p-value', sel(M.featurePValue, { feature: FEATURE })],
    ['Statistic', sel(M.featureStatistic, { feature: FEATURE })],
    ['PSI', sel(M.featureEffect, { feature: FEATURE, measure: 'psi' })],
    ['W1/σ or JS', sel(M.featureEffect, { feature: FEATURE, measure: DISTANCE })],
    ['Flagged', sel(M.featureDrift, { feature: FEATURE })],
  ];
  const panel = tablePanel('Features ranked by adjusted p-value', 'Every feature\'s test in the last tested window, most significant first. Statistic: KS D (numeric) or chi-square (categorical); W1/σ: Wasserstein distance in reference standard deviations (numeric); JS: Jensen-Shannon distance (categorical).', 12)
    .height(12);
  return joinedColumns(panel, 'feature', columns.map(([title, expr]) => [title, maxBy(['feature'], expr)]))
    .sortBy([new TableSortByFieldStateBuilder().displayName('Adjusted p-value').desc(false)])
    .decimals(3)
    .overrideByRegexp('.*p-value', [prop('decimals', 6)])
    .overrideByName('Flagged', [prop('mappings', flagMappings('no', 'shifted')), prop('custom.cellOptions', { type: 'color-text' })]);
}

/** The conditional score test (density flow): which feature a joint shift came from. */
function conditionalFeatures() {
  const columns: Array<[string, string]> = [
    ['z (null sd)', sel(M.featureConditionalZ, { feature: FEATURE })],
    ['Adjusted p-value', sel(M.featureConditionalPValue, { feature: FEATURE })],
    ['Statistic', sel(M.featureConditionalStatistic, { feature: FEATURE })],
    ['Flagged', sel(M.featureConditionalDrift, { feature: FEATURE })],
  ];
  const panel = tablePanel('Conditional test: features ranked by z', 'Each feature tested given all the others, from the density flow\'s score (catches shifts that keep every marginal, e.g. a broken correlation). z: the statistic in standard deviations of its bootstrap null; neighbours of a shifted feature move too, so read the top of the ranking.', 12)
    .height(10);
  return joinedColumns(panel, 'feature', columns.map(([title, expr]) => [title, maxBy(['feature'], expr)]))
    .sortBy([new TableSortByFieldStateBuilder().displayName('z (null sd)').desc(true)])
    .decimals(3)
    .overrideByRegexp('.*p-value', [prop('decimals', 6)])
    .overrideByName('Flagged', [prop('mappings', flagMappings('no', 'shifted')), prop('custom.cellOptions', { type: 'color-text' })]);
}

export function addFeaturePanels(b: DashboardBuilder): void {
  b.withRow(row('Which features shifted'))
    .withPanel(
      stateTimelinePanel('Flagged features over time', 'Per feature and tested window: shifted when the feature was flagged after the correction across features.', 12)
        .withTarget(query(sel(M.featureDrift, { feature: FEATURE }), '{{feature}}'))
        .mappings(flagMappings('ok', 'shifted'))
        .height(12),
    )
    .withPanel(rankedFeatures())
    .withPanel(
      stateTimelinePanel('Adjusted p-value by feature', 'Per-feature p-value after the multiple-testing correction: red below 0.01, orange below 0.05.')
        .withTarget(query(sel(M.featureAdjustedPValue, { feature: FEATURE }), '{{feature}}'))
        .thresholds(pValueThresholds())
        .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.Thresholds))
        .mergeValues(false)
        .height(10),
    )
    .withPanel(conditionalFeatures())
    .withPanel(
      stateTimelinePanel('Conditional test: flagged over time', 'Per feature and window: shifted when the conditional score test flagged the feature (its distribution given the other features changed), the onset of each run visible as its first red cell.', 12)
        .withTarget(query(sel(M.featureConditionalDrift, { feature: FEATURE }), '{{feature}}'))
        .mappings(flagMappings('ok', 'shifted'))
        .height(10),
    )
    .withPanel(
      timeseriesPanel('Distance from the reference', 'Wasserstein distance in reference standard deviations (numeric features) or Jensen-Shannon distance (categorical features), per tested window.', units.Short)
        .withTarget(query(sel(M.featureEffect, { feature: FEATURE, measure: DISTANCE }), '{{feature}} ({{measure}})')),
    )
    .withPanel(
      timeseriesPanel('PSI by feature', 'Population stability index per tested window; dashed lines at the usual 0.1 (watch) and 0.25 (shifted) marks.', units.Short)
        .withTarget(query(sel(M.featureEffect, { feature: FEATURE, measure: 'psi' }), '{{feature}}'))
        .thresholds(thresholds('transparent', [[0.1, 'orange'], [0.25, 'red']]))
        .thresholdsStyle(dashedThresholds()),
    )
    .withPanel(
      timeseriesPanel('Missing feature values', 'Events per second that lacked a reference feature or had it null.', units.OpsPerSecond)
        .withTarget(query(sumBy(['feature'], rate(sel(M.missingFeatureValues, { feature: FEATURE }))), '{{feature}}')),
    )
    .withPanel(
      timeseriesPanel('Unknown features and late events', 'Feature values whose name is not in the reference (ignored), and events older than their open event-time window.', units.OpsPerSecond)
        .withTarget(query(sumBy([], rate(sel(M.unknownFeatureValues))), 'unknown feature values'))
        .withTarget(query(sumBy([], rate(sel(M.lateEvents))), 'late events')),
    );
}
