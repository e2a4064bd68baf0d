/**
 * Defaults shared by every shiftwatch dashboard: the datasource variable, the model variable,
 * panel builders with house defaults, and the drift-status value mappings.
 *
 * Schema choice: the classic (v1) dashboard JSON from `@grafana/grafana-foundation-sdk`, pinned at
 * 0.0.21 in package.json. The SDK marks `dashboard.DashboardBuilder` deprecated in favour of
 * `dashboardv2`, but v2 JSON is only read by Grafana 12 with its new-dashboards feature flags,
 * while v1 JSON is what file provisioning, the import API and the dashboard sidecars take on the
 * Grafana 10-12 releases teams run today. Revisit once v2 dashboards are on by default.
 */
import * as cmn from '@grafana/grafana-foundation-sdk/common';
import * as dash from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { DRIFT_STATUS_VALUE, METRICS } from '../src/metrics/catalog.js';

export { units };

/** Stable uids: Grafana URLs (`/d/<uid>`) and links between the dashboards rely on them. */
export const UIDS = { fleet: 'shiftwatch-fleet', model: 'shiftwatch-model', health: 'shiftwatch-health' } as const;

/** Every dashboard is tagged with these; the links between dashboards follow the first one. */
export const TAGS = ['shiftwatch', 'generated'];

/** Panels and queries read from whichever Prometheus the `datasource` variable names. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export function datasourceVariable(): dash.DatasourceVariableBuilder {
  return new dash.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** `$model`: models from `shiftwatch_model_info` (one series per loaded reference bundle). */
export function modelVariable(opts: { multi: boolean }): dash.QueryVariableBuilder {
  const query = `label_values(${METRICS.modelInfo.name}, model)`;
  const v = new dash.QueryVariableBuilder('model')
    .label('Model')
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged)
    .sort(dash.VariableSort.AlphabeticalAsc);
  return opts.multi ? v.multi(true).includeAll(true).allValue('.+') : v.multi(false).includeAll(false);
}

/** A multi-value `label_values` variable whose All means "any value" (`.+`). */
export function labelVariable(name: string, label: string, query: string): dash.QueryVariableBuilder {
  return new dash.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged)
    .sort(dash.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

/** A dashboard with the house defaults: stable uid, tags, read-only, links to its siblings. */
export function dashboard(uid: string, title: string, description: string): dash.DashboardBuilder {
  return new dash.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(TAGS)
    .readonly()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .link(
      new dash.DashboardLinkBuilder('shiftwatch')
        .type(dash.DashboardLinkType.Dashboards)
        .tags([TAGS[0]!])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

export interface QueryOptions {
  /** Instant query (tables and "now" stats) instead of a range query. */
  instant?: boolean;
  /** Table format, for tables that join several queries by label. */
  table?: boolean;
  /** Heatmap format, for histogram buckets. */
  heatmap?: boolean;
}

/** A Prometheus query; refIds (A, B, ...) and panel ids are assigned when the dashboard is built. */
export function query(expr: string, legend = '__auto', opts: QueryOptions = {}): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(expr)
    .legendFormat(legend);
  if (opts.instant) q.instant();
  else q.range();
  if (opts.table) q.format(prometheus.PromQueryFormat.Table);
  if (opts.heatmap) q.format(prometheus.PromQueryFormat.Heatmap);
  return q;
}

/** A time series panel: a full or half row, legend below, tooltip with every series. */
export function timeseriesPanel(title: string, description: string, unit: string, span = 12): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(span)
    .height(8)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(cmn.VisibilityMode.Never)
    .legend(new cmn.VizLegendOptionsBuilder().showLegend(true).displayMode(cmn.LegendDisplayMode.List).placement(cmn.LegendPlacement.Bottom))
    .tooltip(new cmn.VizTooltipOptionsBuilder().mode(cmn.TooltipDisplayMode.Multi).sort(cmn.SortOrder.Descending));
}

/** A stat panel showing the last value of each series. */
export function statPanel(title: string, description: string, unit: string, span = 4): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(span)
    .height(4)
    .graphMode(cmn.BigValueGraphMode.Area)
    .colorMode(cmn.BigValueColorMode.Value)
    .reduceOptions(new cmn.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

export function tablePanel(title: string, description: string, span = 24): table.PanelBuilder {
  return new table.PanelBuilder().title(title).description(description).datasource(DATASOURCE).span(span).height(9);
}

/**
 * One instant query per column, joined on the `key` label (merge), with the `Value #A`... columns
 * renamed to their titles. Each expression must aggregate `by (key)`.
 */
export function joinedColumns(panel: table.PanelBuilder, key: string, columns: ReadonlyArray<[title: string, expr: string]>): table.PanelBuilder {
  const renameByName: Record<string, string> = {};
  const indexByName: Record<string, number> = { [key]: 0 };
  columns.forEach(([title, expr], i) => {
    panel.withTarget(query(expr, title, { instant: true, table: true }));
    renameByName[`Value #${refId(i)}`] = title;
    indexByName[title] = i + 1;
  });
  return panel
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, renameByName, indexByName } });
}

/** The refId of a panel's i-th query: A, B, C... (assigned when the dashboards are built). */
export const refId = (i: number): string => String.fromCharCode(65 + i);

export function stateTimelinePanel(title: string, description: string, span = 24): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .span(span)
    .height(8)
    .showValue(cmn.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.85)
    .legend(new cmn.VizLegendOptionsBuilder().showLegend(false));
}

/** A heatmap of pre-bucketed Prometheus histogram data (no client-side bucketing). */
export function bucketHeatmapPanel(title: string, description: string, unit: string, span = 12): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .span(span)
    .height(8)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(unit))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(cmn.HeatmapCellLayout.Le))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5));
}

/** Draw a time series panel's thresholds as dashed lines. */
export const dashedThresholds = (): cmn.GraphThresholdsStyleConfigBuilder =>
  new cmn.GraphThresholdsStyleConfigBuilder().mode(cmn.GraphThresholdsStyleMode.Dashed);

export const row = (title: string): dash.RowBuilder => new dash.RowBuilder(title);

export function thresholds(base: string, steps: ReadonlyArray<[number, string]> = []): dash.ThresholdsConfigBuilder {
  return new dash.ThresholdsConfigBuilder()
    .mode(dash.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

const STATUS_LOOK: Record<keyof typeof DRIFT_STATUS_VALUE, string> = { ok: 'green', warning: 'orange', drift: 'red' };

/** `shiftwatch_model_drift_status` values 0/1/2 shown as ok / warning / drift. */
export function driftStatusMappings(): dash.ValueMapping[] {
  const options: Record<string, dash.ValueMappingResult> = {};
  for (const [text, value] of Object.entries(DRIFT_STATUS_VALUE) as [keyof typeof DRIFT_STATUS_VALUE, number][]) {
    options[String(value)] = { text, color: STATUS_LOOK[text], index: value };
  }
  return [{ type: dash.MappingType.ValueToText, options }];
}

/** 0/1 flags shown as the two given words. */
export function flagMappings(off: string, on: string): dash.ValueMapping[] {
  return [{ type: dash.MappingType.ValueToText, options: { '0': { text: off, color: 'green', index: 0 }, '1': { text: on, color: 'red', index: 1 } } }];
}

/** Field overrides as the SDK's `overrideByName` takes them. */
export const prop = (id: string, value: unknown): dash.DynamicConfigValue => ({ id, value });

/** Line styles for reference and realized series drawn next to estimates. */
export const dashedLine = (): dash.DynamicConfigValue => prop('custom.lineStyle', { fill: 'dash', dash: [10, 10] });
export const dottedLine = (): dash.DynamicConfigValue => prop('custom.lineStyle', { fill: 'dot', dash: [0, 10] });

/** A log10 y axis, for p-values. */
export const logAxis = (): cmn.ScaleDistributionConfigBuilder => new cmn.ScaleDistributionConfigBuilder().type(cmn.ScaleDistribution.Log).log(10);
