/**
 * Model detail, density section (detector `covariate-shift`): the reference normalizing flow's
 * log-likelihood of each window against the reference band, the out-of-distribution fraction
 * against its expected level, and the three tests on the log-likelihoods.
 */
import { BigValueGraphMode, BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { FLOW_REFERENCE_QUANTILES, METRICS } from '../src/metrics/catalog.js';
import { dashedLine, dashedThresholds, logAxis, prop, query, row, statPanel, thresholds, timeseriesPanel, units } from './common.js';
import { sel } from './promql.js';

const M = METRICS;
const band = (q: number): string => `reference q${q}`;
/** The shaded band: two of the exported reference quantiles (checked against the catalogue's list). */
const [BAND_LOW, BAND_HIGH]: readonly [(typeof FLOW_REFERENCE_QUANTILES)[number], (typeof FLOW_REFERENCE_QUANTILES)[number]] = [0.05, 0.95];

export function addFlowPanels(b: DashboardBuilder): void {
  b.withRow(row('Density model (covariate shift)'))
    .withPanel(
      timeseriesPanel(
        'Mean log-likelihood vs reference band',
        `Mean log-likelihood of each tested window under the reference flow, against quantiles of the reference calibration split; the shaded band runs from q${BAND_LOW} to q${BAND_HIGH}. A window mean below the band means the traffic is less typical than the reference.`,
        units.Short,
      )
        .withTarget(query(sel(M.flowMeanLogLikelihood), 'mean ({{source}})'))
        .withTarget(query(sel(M.flowReferenceLogLikelihood), 'reference q{{level}}'))
        .overrideByRegexp('reference q.*', [dashedLine(), prop('color', { mode: 'fixed', fixedColor: 'gray' }), prop('custom.fillOpacity', 0)])
        .overrideByName(band(BAND_HIGH), [prop('custom.fillBelowTo', band(BAND_LOW)), prop('custom.fillOpacity', 15)]),
    )
    .withPanel(
      timeseriesPanel('OOD fraction vs expected', 'Share of the window\'s rows whose log-likelihood is below the reference 1% quantile, and the share expected without shift.', units.PercentUnit)
        .withTarget(query(sel(M.flowOodFraction), '{{source}}')),
    )
    .withPanel(
      timeseriesPanel('Covariate-shift tests', 'p-values of the tests on the window\'s log-likelihoods (Mann-Whitney, OOD binomial, typicality) and their Bonferroni combination; dashed line at 0.05.', units.NoUnit)
        .withTarget(query(sel(M.flowTestPValue), '{{test}}'))
        .withTarget(query(sel(M.flowWindowPValue), 'combined'))
        .scaleDistribution(logAxis())
        .thresholds(thresholds('transparent', [[0.05, 'orange']]))
        .thresholdsStyle(dashedThresholds()),
    )
    .withPanel(
      timeseriesPanel('Covariate-shift test statistics', 'Mann-Whitney z, OOD count and typicality t of the last window.', units.Short, 6)
        .withTarget(query(sel(M.flowTestStatistic), '{{test}}')),
    )
    .withPanel(
      statPanel('Flow scorer', 'Which scorer and tfjs backend run the model\'s flow.', units.NoUnit, 6)
        .withTarget(query(sel(M.flowInfo), '{{scorer}} on {{backend}}', { instant: true }))
        .textMode(BigValueTextMode.Name)
        .graphMode(BigValueGraphMode.None)
        .height(8),
    );
}
