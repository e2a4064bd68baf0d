/**
 * Model detail, regression section: the target distribution estimated for each window by
 * target-shift weights, against the reference, and whether those weights can be trusted.
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../src/metrics/catalog.js';
import { dashedLine, dashedThresholds, query, row, thresholds, timeseriesPanel, units } from './common.js';
import { sel } from './promql.js';

const M = METRICS;

export function addRegressionPanels(b: DashboardBuilder): void {
  b.withRow(row('Regression target shift'))
    .withPanel(
      timeseriesPanel('Target mean and quantiles', 'Mean and quantiles of the regression target: estimated for each window from target-shift weights (solid) and in the reference (dashed).', units.Short)
        .withTarget(query(sel(M.regressionTargetMean), 'mean {{source}}'))
        .withTarget(query(sel(M.regressionTargetQuantile), 'q{{level}} {{source}}'))
        .overrideByRegexp('.* reference', [dashedLine()]),
    )
    .withPanel(
      timeseriesPanel('Target-shift weights', 'Effective sample size of the weights over the reference size (below 0.1, dashed: the estimate is unreliable) and their mean squared deviation from 1 (0: no target shift).', units.Short)
        .withTarget(query(sel(M.regressionEffectiveSample), 'effective sample ratio'))
        .withTarget(query(sel(M.regressionDivergence), 'divergence'))
        .thresholds(thresholds('transparent', [[0.1, 'orange']]))
        .thresholdsStyle(dashedThresholds()),
    );
}
