/**
 * Fleet overview: one line per model. Which models are drifting and on which detector, their
 * estimated accuracy, alerts of the last 24 h, and whether events are flowing at all.
 */
import { BigValueGraphMode } from '@grafana/grafana-foundation-sdk/common';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DRIFT_STATUS_VALUE, INGEST_OUTCOMES, METRICS, WINDOW_OUTCOMES } from '../src/metrics/catalog.js';
import type { Alert } from '../src/core/alerts/alert.js';
import {
  UIDS, dashboard, dashedLine, dashedThresholds, datasourceVariable, driftStatusMappings, joinedColumns, modelVariable, prop, query,
  row, stateTimelinePanel, statPanel, tablePanel, thresholds, timeseriesPanel, units,
} from './common.js';
import { age, increase, maxBy, rate, sel, sumBy, value } from './promql.js';

const M = METRICS;
const FIRING = 'firing' satisfies Alert['status'];
const ACCEPTED = value(INGEST_OUTCOMES, 'accepted');

/** Drift status of each model: the worst over its detectors. */
const worstStatus = maxBy(['model'], sel(M.driftStatus));
const alerts24h = (by: string[]) => `round(${sumBy(by, increase(sel(M.alertsEmitted, { status: FIRING }), '24h'))})`;

function headline(): ReturnType<typeof statPanel>[] {
  return [
    statPanel('Models monitored', 'Reference bundles loaded (shiftwatch_model_info).', units.Short)
      .withTarget(query(`count(${sel(M.modelInfo)})`, 'models', { instant: true }))
      .graphMode(BigValueGraphMode.None),
    statPanel('Models in drift', 'Models with at least one detector in drift now.', units.Short)
      .withTarget(query(`sum(${worstStatus} == bool ${DRIFT_STATUS_VALUE.drift})`, 'in drift'))
      .thresholds(thresholds('green', [[1, 'red']])),
    statPanel('Alerts fired (24 h)', 'Firing alerts published to the alerts topic in the last 24 hours, all detectors.', units.Short)
      .withTarget(query(alerts24h([]), 'alerts', { instant: true }))
      .thresholds(thresholds('green', [[1, 'orange']])),
    statPanel('Events accepted', 'Input events accepted per second (all models).', units.OpsPerSecond)
      .withTarget(query(`sum(${rate(sel(M.ingestMessages, { outcome: ACCEPTED }))})`, 'events/s')),
    statPanel('Dead letters (24 h)', 'Messages sent to the dead-letter topic in the last 24 hours.', units.Short)
      .withTarget(query(`round(sum(${increase(sel(M.deadLetters), '24h')}))`, 'dead letters', { instant: true }))
      .thresholds(thresholds('green', [[1, 'orange']])),
    statPanel('Event lag', 'Now minus the broker timestamp of the newest message handled: consumer lag while events flow, staleness when they stop.', units.Seconds)
      .withTarget(query(age([], sel(M.lastEventTimestamp)), 'lag'))
      .thresholds(thresholds('green', [[300, 'orange'], [900, 'red']])),
  ];
}

/** One row per model; the model name links to the model detail dashboard. */
function modelsTable(): ReturnType<typeof tablePanel> {
  const columns: Array<[string, string]> = [
    ['Drift status', worstStatus],
    ['Features flagged', sumBy(['model'], sel(M.featureDrift))],
    ['Window p-value', maxBy(['model'], sel(M.windowPValue))],
    ['Estimated accuracy', maxBy(['model'], sel(M.accuracyHeadline))],
    ['Alerts (24 h)', alerts24h(['model'])],
    ['Windows tested (24 h)', `round(${sumBy(['model'], increase(sel(M.windowsClosed, { outcome: value(WINDOW_OUTCOMES, 'tested') }), '24h'))})`],
  ];
  const panel = tablePanel('Models now', 'Each model\'s state after its last tested window. Click a model for its detail dashboard.');
  const detail = `/d/${UIDS.model}/?var-model=\${__value.raw}&\${datasource:queryparam}&\${__url_time_range}`;
  return joinedColumns(panel, 'model', columns)
    .overrideByName('model', [prop('links', [{ title: 'Model detail', url: detail }])])
    .overrideByName('Drift status', [prop('mappings', driftStatusMappings()), prop('custom.cellOptions', { type: 'color-background' })])
    .overrideByName('Window p-value', [prop('decimals', 4)])
    .overrideByName('Estimated accuracy', [prop('unit', units.PercentUnit), prop('decimals', 1)]);
}

export function fleetDashboard(): DashboardBuilder {
  const b = dashboard(UIDS.fleet, 'shiftwatch / Fleet overview', 'Every monitored model: drift state, estimated accuracy, alerts, traffic and freshness.')
    .withVariable(datasourceVariable())
    .withVariable(modelVariable({ multi: true }));
  for (const p of headline()) b.withPanel(p);
  b.withRow(row('Drift'))
    .withPanel(
      stateTimelinePanel('Drift status by model and detector', 'Status of every detector after each tested window: ok, warning (CUSUM rising) or drift (alarm until two clean windows).')
        .withTarget(query(sel(M.driftStatus), '{{model}} · {{detector}}'))
        .mappings(driftStatusMappings()),
    )
    .withPanel(modelsTable())
    .withPanel(
      timeseriesPanel('Estimated accuracy', 'Headline accuracy estimate without labels (solid) and realized accuracy on labelled windows (dashed), for classifiers.', units.PercentUnit)
        .withTarget(query(sel(M.accuracyHeadline), '{{model}} estimated'))
        .withTarget(query(sel(M.accuracyRealized), '{{model}} realized'))
        .overrideByRegexp('.* realized', [dashedLine()]),
    )
    .withPanel(
      timeseriesPanel('Feature-shift CUSUM / threshold', 'CUSUM of the feature-shift detector over its alarm threshold h: the alarm fires at 1.', units.Short)
        .withTarget(query(`${maxBy(['model'], sel(M.cusum, { detector: 'feature-shift' }))} / ${maxBy(['model'], sel(M.cusumThreshold, { detector: 'feature-shift' }))}`, '{{model}}'))
        .thresholds(thresholds('green', [[1, 'red']]))
        .thresholdsStyle(dashedThresholds()),
    );
  b.withRow(row('Traffic and freshness'))
    .withPanel(
      timeseriesPanel('Events by outcome', 'Input messages per second: accepted, dead-lettered, or skipped on replay after a restart.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['outcome'], rate(sel(M.ingestMessages))), '{{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Windows closed per model', 'Windows closed per minute, tested or too small to test.', units.OpsPerMinute, 8)
        .withTarget(query(`60 * ${sumBy(['model', 'outcome'], rate(sel(M.windowsClosed)))}`, '{{model}} {{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Dead letters by reason', 'Messages per second sent to the dead-letter topic.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['reason'], rate(sel(M.deadLetters))), '{{reason}}')),
    )
    .withPanel(
      timeseriesPanel('Event lag and checkpoint age', 'Seconds since the newest handled message (per topic) and since the last state checkpoint.', units.Seconds, 24)
        .withTarget(query(age(['topic'], sel(M.lastEventTimestamp)), 'event lag {{topic}}'))
        .withTarget(query(`time() - (max(${sel(M.lastCheckpointTimestamp)}) > 0)`, 'last checkpoint')),
    );
  return b;
}
