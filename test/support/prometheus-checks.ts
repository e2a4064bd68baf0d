/**
 * Checks run through a real Prometheus's HTTP API: which catalogued metrics it holds, and what
 * each dashboard query returns over a time range.
 */
import { METRICS, type MetricDef, type MetricKey } from '../../src/metrics/catalog.js';
import type { PrometheusApi } from '../../tools/prometheus/prometheus-api.js';
import { substituteVariables, type DashboardQuery, type QueryVariable } from '../../dashboards/index.js';

/** The series names a catalogued metric is stored under: histograms as `_bucket`, `_sum` and `_count`. */
export function storedNames(def: MetricDef): string[] {
  return def.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${def.name}${suffix}`) : [def.name];
}

export interface CatalogueCoverage {
  /** Catalogued metrics (keys) with a stored name Prometheus does not hold. */
  missing: MetricKey[];
  /** Metrics expected to be absent (`pending`) that Prometheus holds after all. */
  presentThoughPending: MetricKey[];
  /** `shiftwatch_*` names Prometheus holds that no catalogued metric explains. */
  uncatalogued: string[];
}

export function catalogueCoverage(names: readonly string[], pending: ReadonlySet<MetricKey>): CatalogueCoverage {
  const held = new Set(names);
  const explained = new Set<string>();
  const missing: MetricKey[] = [];
  const presentThoughPending: MetricKey[] = [];
  for (const [key, def] of Object.entries(METRICS) as [MetricKey, MetricDef][]) {
    const stored = storedNames(def);
    stored.forEach((n) => explained.add(n));
    const present = stored.every((n) => held.has(n));
    if (pending.has(key)) {
      if (stored.some((n) => held.has(n))) presentThoughPending.push(key);
    } else if (!present) {
      missing.push(key);
    }
  }
  const uncatalogued = names.filter((n) => n.startsWith('shiftwatch_') && !explained.has(n));
  return { missing, presentThoughPending, uncatalogued };
}

export interface QueryOutcome {
  dashboard: string;
  panel: string;
  refId: string;
  requires: readonly string[];
  /** The expression as sent, variables substituted. */
  expr: string;
  series: number;
  /** Finite values over the range (range queries) or at the instant (instant queries). */
  finiteValues: number;
  error?: string;
}

/**
 * Runs each query as its panel would: instant ones at `range.end`, the others over the range, once
 * per set of variable values (e.g. one per model, as a user picks `$model`); keeps the answer
 * with the most data. Errors (a query Prometheus rejects) are kept in the outcome, not thrown.
 */
export async function runDashboardQueries(
  api: PrometheusApi,
  queries: readonly DashboardQuery[],
  range: { start: number; end: number; step: number },
  variableSets: ReadonlyArray<Partial<Record<QueryVariable, string>>>,
): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const q of queries) {
    let best: QueryOutcome | undefined;
    const exprs = [...new Set(variableSets.map((v) => substituteVariables(q.expr, v)))];
    for (const expr of exprs) {
      const outcome = await runOne(api, q, expr, range);
      if (best === undefined || (best.error !== undefined && outcome.error === undefined) || outcome.finiteValues > best.finiteValues) best = outcome;
    }
    outcomes.push(best!);
  }
  return outcomes;
}

async function runOne(api: PrometheusApi, q: DashboardQuery, expr: string, range: { start: number; end: number; step: number }): Promise<QueryOutcome> {
  const base = { dashboard: q.dashboard, panel: q.panel, refId: q.refId, requires: q.requires, expr };
  try {
    if (q.instant) {
      const samples = await api.query(expr, range.end);
      return { ...base, series: samples.length, finiteValues: samples.filter((s) => Number.isFinite(s.value)).length };
    }
    const series = await api.queryRange(expr, range);
    const finiteValues = series.reduce((n, s) => n + s.points.filter(([, v]) => Number.isFinite(v)).length, 0);
    return { ...base, series: series.length, finiteValues };
  } catch (error) {
    return { ...base, series: 0, finiteValues: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

export const describeOutcome = (o: QueryOutcome): string =>
  `${o.dashboard} / ${o.panel} [${o.refId}] ${o.expr}: ${o.error ?? `${o.series} series, ${o.finiteValues} finite values`}`;
