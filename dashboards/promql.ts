/**
 * PromQL built from the metric catalogue: the one place a label selector is written. Every metric
 * name in a dashboard comes through `sel`, `bucket` or `external`, so renaming a metric in
 * `src/metrics/catalog.ts` changes the dashboards (or breaks their build), never a query string.
 *
 * Grafana variables used in the expressions (see `QUERY_VARIABLES` in index.ts):
 * `$model`, `$feature`, `$estimator` (always inside `=~"..."` matchers) and `$__rate_interval`.
 */
import type { MetricDef } from '../src/metrics/catalog.js';

/** Exact value, or a regular expression (`re`) such as a Grafana multi-value variable. */
export type Matcher = string | { re: string };

export const re = (pattern: string): Matcher => ({ re: pattern });

/** Every query of a metric with a `model` label is restricted to the dashboard's `$model`. */
export const MODEL: Matcher = re('$model');
export const FEATURE: Matcher = re('$feature');
export const ESTIMATOR: Matcher = re('$estimator');

const quote = (v: string): string => JSON.stringify(v);

function selector(name: string, matchers: Record<string, Matcher | undefined>): string {
  const parts = Object.entries(matchers)
    .filter((e): e is [string, Matcher] => e[1] !== undefined)
    .map(([label, m]) => (typeof m === 'string' ? `${label}=${quote(m)}` : `${label}=~${quote(m.re)}`));
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

function withModel(labelNames: readonly string[], matchers: Record<string, Matcher | undefined>): Record<string, Matcher | undefined> {
  return labelNames.includes('model') && !('model' in matchers) ? { model: MODEL, ...matchers } : matchers;
}

/** `name{model=~"$model", ...}`; label names are checked against the catalogue at compile time. */
export function sel<L extends string>(m: MetricDef<L>, matchers: Partial<Record<L, Matcher>> = {}): string {
  return selector(m.name, withModel(m.labelNames, matchers));
}

/** The `_bucket` series of a catalogued histogram. */
export function bucket<L extends string>(m: MetricDef<L, 'histogram'>, matchers: Partial<Record<L, Matcher>> = {}): string {
  return selector(`${m.name}_bucket`, withModel(m.labelNames, matchers));
}

/** Metrics that are not shiftwatch's own (prom-client's default process metrics). */
export const EXTERNAL_METRICS = {
  residentMemory: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
} as const;

export function external(name: (typeof EXTERNAL_METRICS)[keyof typeof EXTERNAL_METRICS], matchers: Record<string, Matcher> = {}): string {
  return selector(name, matchers);
}

export const rate = (series: string): string => `rate(${series}[$__rate_interval])`;
export const increase = (series: string, range: string): string => `increase(${series}[${range}])`;
const aggregate = (op: string) => (labels: readonly string[], expr: string): string =>
  labels.length === 0 ? `${op}(${expr})` : `${op} by (${labels.join(', ')}) (${expr})`;
export const sumBy = aggregate('sum');
export const maxBy = aggregate('max');

/** A quantile of a histogram's rate, kept per `by` labels. */
export function quantile(q: number, bucketSeries: string, by: readonly string[] = []): string {
  return `histogram_quantile(${q}, ${sumBy(['le', ...by], rate(bucketSeries))})`;
}

/** Seconds since a `_timestamp_seconds` gauge. */
export const age = (by: readonly string[], series: string): string => `time() - ${maxBy(by, series)}`;

/** A label value checked at compile time against the closed enum it belongs to. */
export function value<T extends readonly string[]>(_values: T, v: T[number]): string {
  return v;
}
