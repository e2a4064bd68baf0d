/**
 * Service health: is shiftwatch keeping up, losing nothing, and publishing? Throughput, where the
 * time goes, dead letters, publishing and commits, memory and freshness.
 */
import { BigValueGraphMode, BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS, PUBLISH_OUTCOMES } from '../src/metrics/catalog.js';
import {
  UIDS, bucketHeatmapPanel, dashboard, datasourceVariable, modelVariable, query, row, statPanel, thresholds, timeseriesPanel, units,
} from './common.js';
import { EXTERNAL_METRICS, age, bucket, external, increase, maxBy, quantile, rate, sel, sumBy, value } from './promql.js';

const M = METRICS;
const FAILURE = value(PUBLISH_OUTCOMES, 'failure');

function throughput(b: DashboardBuilder): void {
  b.withRow(row('Throughput'))
    .withPanel(
      timeseriesPanel('Messages handled', 'Input messages per second by topic (events and labels) and outcome.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['topic', 'outcome'], rate(sel(M.ingestMessages))), '{{topic}} {{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Windows closed', 'Windows closed per minute, by whether they were large enough to test.', units.OpsPerMinute, 8)
        .withTarget(query(`60 * ${sumBy(['outcome'], rate(sel(M.windowsClosed)))}`, '{{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Flow rows', 'Rows given to the density flows per second: scored, or skipped for a missing flow input.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['model', 'outcome'], rate(sel(M.flowRows))), '{{model}} {{outcome}}')),
    );
}

function latency(b: DashboardBuilder): void {
  b.withRow(row('Processing latency'))
    .withPanel(
      bucketHeatmapPanel('Batch handling time', 'Distribution of the time spent per consumed batch, all stages together.', units.Seconds)
        .withTarget(query(sumBy(['le'], rate(bucket(M.batchDuration))), '{{le}}', { heatmap: true })),
    )
    .withPanel(
      timeseriesPanel('Batch handling time by stage', 'p50 and p99 of the time per batch in each stage: decode and window, publish, checkpoint, commit.', units.Seconds)
        .withTarget(query(quantile(0.99, bucket(M.batchDuration), ['stage']), 'p99 {{stage}}'))
        .withTarget(query(quantile(0.5, bucket(M.batchDuration), ['stage']), 'p50 {{stage}}')),
    )
    .withPanel(
      bucketHeatmapPanel('Window test time', 'Distribution of the time to test one closed window.', units.Seconds)
        .withTarget(query(sumBy(['le'], rate(bucket(M.windowEvaluationDuration))), '{{le}}', { heatmap: true })),
    )
    .withPanel(
      timeseriesPanel('Flow scoring time', 'p50 and p99 of the time to score one closed window with the density flow, per model.', units.Seconds)
        .withTarget(query(quantile(0.99, bucket(M.flowScoringDuration), ['model']), 'p99 {{model}}'))
        .withTarget(query(quantile(0.5, bucket(M.flowScoringDuration), ['model']), 'p50 {{model}}')),
    );
}

function losses(b: DashboardBuilder): void {
  b.withRow(row('Dead letters, publishing and commits'))
    .withPanel(
      timeseriesPanel('Dead letters by reason', 'Messages per second sent to the dead-letter topic, by reason.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['reason'], rate(sel(M.deadLetters))), '{{reason}}')),
    )
    .withPanel(
      timeseriesPanel('Publish attempts by sink', 'Publish attempts per second to the alerts, dead-letter and state topics. Failures are retried with backoff until they succeed, and the consumer waits meanwhile.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['sink', 'outcome'], rate(sel(M.sinkRequests))), '{{sink}} {{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Publish failure ratio', 'Failed attempts over all attempts, per sink.', units.PercentUnit, 8)
        .withTarget(query(`${sumBy(['sink'], rate(sel(M.sinkRequests, { outcome: FAILURE })))} / ${sumBy(['sink'], rate(sel(M.sinkRequests)))}`, '{{sink}}'))
        .thresholds(thresholds('green', [[0.01, 'red']])),
    )
    .withPanel(
      timeseriesPanel('Alerts published and suppressed', 'Alerts per second published by detector and status, and alarms suppressed by the cooldown.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['detector', 'status'], rate(sel(M.alertsEmitted))), '{{detector}} {{status}}'))
        .withTarget(query(sumBy(['detector'], rate(sel(M.alertsSuppressed))), '{{detector}} suppressed')),
    )
    .withPanel(
      timeseriesPanel('Offset commits', 'Offset commits per second; a failed commit is retried with the next batch.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['outcome'], rate(sel(M.commits))), '{{outcome}}')),
    )
    .withPanel(
      timeseriesPanel('Late events, held windows and unknown features', 'Events older than their partition allows (counted into a later window), windows released before the other partitions caught up because too many were held, and feature values not in the reference, per model.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['model'], rate(sel(M.lateEvents))), 'late {{model}}'))
        .withTarget(query(sumBy(['model'], rate(sel(M.windowsOutOfOrder))), 'released out of order {{model}}'))
        .withTarget(query(sumBy(['model'], rate(sel(M.unknownFeatureValues))), 'unknown features {{model}}')),
    );
}

function readiness(b: DashboardBuilder): void {
  b.withRow(row('Readiness and output limits'))
    .withPanel(
      timeseriesPanel('Readiness checks', 'Each check behind /ready per instance: 1 passing, 0 failing (consumer in its group, broker answering, input handled while it waits, outputs published, pipeline not halted). /ready answers 503 with the reason while any fails.', units.Short, 8)
        .withTarget(query(`min by (instance, check) (${sel(M.healthCheck)})`, '{{instance}} {{check}}'))
        .min(0)
        .max(1),
    )
    .withPanel(
      timeseriesPanel('Active and standby replicas', 'Input partitions each replica holds: one active replica holds all of them, standbys hold none and take over when the active one leaves the group.', units.Short, 8)
        .withTarget(query(`max by (instance) (${sel(M.inputPartitionsAssigned)})`, '{{instance}}'))
        .min(0),
    )
    .withPanel(
      timeseriesPanel('Publish errors by kind', 'Failed sends per second to each output topic: retriable ones are retried with backoff for at most alerts.publishTimeoutMs; a not_retriable one (message too large, not authorized, invalid record) halts the pipeline at once.', units.OpsPerSecond, 8)
        .withTarget(query(sumBy(['sink', 'kind'], rate(sel(M.sinkErrors))), '{{sink}} {{kind}}')),
    )
    .withPanel(
      timeseriesPanel('Halts and truncated dead letters', 'Pipeline halts (nothing is committed after one until a restart) and dead letters cut to fit the dead-letter topic, per hour.', units.Short, 8)
        .withTarget(query(sumBy(['instance'], increase(sel(M.pipelineHalts), '1h')), 'halts {{instance}}'))
        .withTarget(query(sumBy(['instance'], increase(sel(M.deadLettersTruncated), '1h')), 'truncated dead letters {{instance}}')),
    )
    .withPanel(
      timeseriesPanel('Output topic size limits', 'Largest send to each output topic, read from the broker at startup (the smaller of message.max.bytes and the topic\'s max.message.bytes); dead letters and sends are sized to fit it.', units.BytesIEC, 8)
        .withTarget(query(maxBy(['sink'], sel(M.sinkMaxMessageBytes)), '{{sink}}')),
    );
}

function processAndFreshness(b: DashboardBuilder): void {
  b.withRow(row('Process and freshness'))
    .withPanel(
      timeseriesPanel('Memory', 'Resident memory and V8 heap per instance (prom-client default process metrics: the main thread\'s heap), and the heap of each thread (the aggregator thread of shared replicas included).', units.BytesIEC, 8)
        .withTarget(query(external(EXTERNAL_METRICS.residentMemory), 'resident {{instance}}'))
        .withTarget(query(external(EXTERNAL_METRICS.heapUsed), 'heap used {{instance}}'))
        .withTarget(query(external(EXTERNAL_METRICS.heapTotal), 'heap total {{instance}}'))
        .withTarget(query(sel(M.threadHeapUsed), '{{thread}} thread heap used {{instance}}')),
    )
    .withPanel(
      timeseriesPanel('Event loop lag (p99)', 'Node.js event loop delay, p99 per instance (prom-client default process metrics).', units.Seconds, 8)
        .withTarget(query(external(EXTERNAL_METRICS.eventLoopLagP99), '{{instance}}')),
    )
    .withPanel(
      timeseriesPanel('Event lag and checkpoint age', 'Seconds since the newest handled message per topic, and since the last durable state checkpoint.', units.Seconds, 8)
        .withTarget(query(age(['topic'], sel(M.lastEventTimestamp)), '{{topic}}'))
        .withTarget(query(`time() - (max(${sel(M.lastCheckpointTimestamp)}) > 0)`, 'last checkpoint'))
        .thresholds(thresholds('green', [[900, 'red']])),
    )
    .withPanel(
      timeseriesPanel('Open window fill', 'Events in each model\'s open window: a window that never closes holds back the offset commit.', units.Short, 8)
        .withTarget(query(sel(M.openWindowEvents), '{{model}}')),
    )
    .withPanel(
      timeseriesPanel('Thread utilization', 'Share of the time each thread was busy, per instance: near 100% the thread caps the throughput. main reads, checks and cuts windows (and scores them on an active-standby replica); aggregator scores them on a shared replica. See docs/operations.md, Sizing.', units.PercentUnit, 8)
        .withTarget(query(maxBy(['instance', 'thread'], sel(M.threadUtilization)), '{{instance}} {{thread}}'))
        .min(0)
        .max(1),
    )
    .withPanel(
      statPanel('Running version', 'shiftwatch version of each scraped instance.', units.NoUnit, 8)
        .withTarget(query(maxBy(['instance', 'version'], sel(M.buildInfo)), '{{instance}}: {{version}}', { instant: true }))
        .textMode(BigValueTextMode.Name)
        .graphMode(BigValueGraphMode.None)
        .height(8),
    );
}

export function healthDashboard(): DashboardBuilder {
  const b = dashboard(UIDS.health, 'shiftwatch / Service health', 'Throughput, processing latency, dead letters, publishing failures, memory and event lag.')
    .withVariable(datasourceVariable())
    .withVariable(modelVariable({ multi: true }));
  throughput(b);
  latency(b);
  losses(b);
  readiness(b);
  processAndFreshness(b);
  return b;
}
