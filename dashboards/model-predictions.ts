/**
 * Model detail, classifier section: accuracy without labels (every estimator with its 95%
 * interval, against realized accuracy once labels arrive) and label shift (class proportions,
 * the test of "the class mix is unchanged").
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ACCURACY_ESTIMATORS } from '../src/core/predictions/estimators.js';
import { CLASS_SOURCES, METRICS } from '../src/metrics/catalog.js';
import { dashedLine, dashedThresholds, dottedLine, flagMappings, logAxis, prop, query, row, stateTimelinePanel, thresholds, timeseriesPanel, units } from './common.js';
import { ESTIMATOR, rate, re, sel, sumBy, value } from './promql.js';

const M = METRICS;
const noLine = [prop('custom.lineWidth', 0), prop('custom.hideFrom', { legend: true, tooltip: false, viz: false })];

/** Estimate lines with their interval shaded between the `lower` and `upper` series. */
function accuracyPanel() {
  const p = timeseriesPanel(
    'Estimated accuracy with intervals vs realized',
    'Accuracy of each tested window estimated without labels, per estimator (and the no-change and last-realized baselines), with its interval shaded: from the reference\'s chunks before labels arrive, adaptive conformal once they do; realized accuracy (thick) once enough delayed labels joined.',
    units.PercentUnit,
    24,
  )
    .height(10)
    .withTarget(query(sel(M.accuracyEstimate, { estimator: ESTIMATOR }), '{{estimator}}'))
    .withTarget(query(sel(M.accuracyLower, { estimator: ESTIMATOR }), '{{estimator}} lower'))
    .withTarget(query(sel(M.accuracyUpper, { estimator: ESTIMATOR }), '{{estimator}} upper'))
    .withTarget(query(sel(M.accuracyRealized), 'realized'))
    .overrideByRegexp('.* (lower|upper)', noLine)
    .overrideByName('realized', [prop('custom.lineWidth', 3), prop('color', { mode: 'fixed', fixedColor: 'text' }), prop('custom.fillOpacity', 0)]);
  for (const e of ACCURACY_ESTIMATORS) p.overrideByName(`${e} upper`, [prop('custom.fillBelowTo', `${e} lower`), prop('custom.fillOpacity', 12)]);
  return p;
}

export function addPredictionPanels(b: DashboardBuilder): void {
  b.withRow(row('Accuracy without labels'))
    .withPanel(accuracyPanel())
    .withPanel(
      timeseriesPanel('Estimate minus realized accuracy', 'Error of each estimator on the latest labelled window, next to the no-change baseline (the source accuracy): an estimator is only worth reading while it beats it.', units.PercentUnit)
        .withTarget(query(sel(M.accuracyError, { estimator: re('$estimator|no-change') }), '{{estimator}}'))
        .overrideByName('no-change', [dashedLine()])
        .thresholds(thresholds('transparent', [[0, 'text']]))
        .thresholdsStyle(dashedThresholds()),
    )
    .withPanel(
      stateTimelinePanel('Selected estimator', 'Which estimator the headline shows: the one with the lowest recent error on labelled windows, when it beats no-change; no-change otherwise.', 12)
        .withTarget(query(sel(M.accuracySelected), '{{estimator}}'))
        .mappings(flagMappings('-', 'selected'))
        .height(8),
    )
    .withPanel(
      timeseriesPanel('Interval width', 'Width of each estimator\'s accuracy interval: it narrows as the estimator\'s recent errors shrink (adaptive conformal), and a width of 0.3 tells an on-call engineer nothing.', units.PercentUnit)
        .withTarget(query(sel(M.accuracyIntervalWidth, { estimator: re('$estimator|no-change') }), '{{estimator}}'))
        .overrideByName('no-change', [dashedLine()]),
    )
    .withPanel(
      timeseriesPanel('Delayed labels', 'Labels per second by join outcome, and predictions or labels dropped unjoined (expired, over labels.maxEntries, or over labels.maxBytes).', units.OpsPerSecond)
        .withTarget(query(sumBy(['outcome'], rate(sel(M.labels))), '{{outcome}}'))
        .withTarget(query(sumBy(['kind', 'reason'], rate(sel(M.labelEvictions))), 'evicted {{kind}} ({{reason}})')),
    )
    .withPanel(
      timeseriesPanel('Label join memory', 'Estimated heap bytes held by the label join (bounded by labels.maxBytes: the oldest entries are evicted beyond it), the entries it holds, and, with labels.order: event-time, the labels read that wait for the window they may teach (a count that only grows means the events stopped or fell behind the labels).', units.BytesIEC)
        .withTarget(query(sumBy(['model'], sel(M.labelJoinBytes)), 'bytes {{model}}'))
        .withTarget(query(sumBy(['model'], sel(M.labelJoinEntries)), 'entries {{model}}'))
        .withTarget(query(sumBy(['model'], sel(M.labelsQueued)), 'queued {{model}}'))
        .overrideByRegexp('(entries|queued) .*', [prop('unit', units.Short), prop('custom.axisPlacement', 'right')]),
    );
  b.withRow(row('Label shift'))
    .withPanel(
      timeseriesPanel('Class proportions: estimated vs reference', 'Estimated class proportions of each tested window (solid), the reference prior (dashed) and realized proportions from labels (dotted).', units.PercentUnit)
        .withTarget(query(sel(M.classProportion), 'class {{class}} {{source}}'))
        .overrideByRegexp(`.* ${value(CLASS_SOURCES, 'reference')}`, [dashedLine()])
        .overrideByRegexp(`.* ${value(CLASS_SOURCES, 'realized')}`, [dottedLine()]),
    )
    .withPanel(
      timeseriesPanel('Label-shift test p-value', 'p-value of the window\'s test of "the class mix is unchanged" under the reference\'s time-ordered null; dashed line at 0.05. Its CUSUM drives the label-shift detector.', units.NoUnit)
        .withTarget(query(sel(M.labelShiftPValue), 'p-value'))
        .scaleDistribution(logAxis())
        .thresholds(thresholds('transparent', [[0.05, 'orange']]))
        .thresholdsStyle(dashedThresholds()),
    );
}
