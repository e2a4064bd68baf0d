/**
 * A small client for Prometheus's HTTP API (v1): instant and range queries, metric names, series
 * and scrape targets. Numbers come back as numbers (Prometheus sends them as strings, with "NaN"
 * and "+Inf" spelled out); an error answer becomes a PrometheusQueryError naming the expression.
 */

export type Labels = Record<string, string>;

/** One sample of an instant query: the series' labels, the evaluation time (seconds) and the value. */
export interface Sample {
  metric: Labels;
  time: number;
  value: number;
}

/** One series of a range query: (time in seconds, value) points. */
export interface RangeSeries {
  metric: Labels;
  points: [number, number][];
}

export interface ScrapeTarget {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  labels: Labels;
}

export class PrometheusQueryError extends Error {
  constructor(
    readonly expr: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`Prometheus rejected ${JSON.stringify(expr)}: ${errorType}: ${message}`);
    this.name = 'PrometheusQueryError';
  }
}

export interface PrometheusApi {
  readonly url: string;
  /** Instant query at `time` (seconds; default now). A scalar or string result is one sample with no labels. */
  query(expr: string, time?: number): Promise<Sample[]>;
  /** Range query over [start, end] (seconds) every `step` seconds. */
  queryRange(expr: string, range: { start: number; end: number; step: number }): Promise<RangeSeries[]>;
  /** Every metric name Prometheus holds samples for (optionally only those of series matching `match`). */
  metricNames(match?: string): Promise<string[]>;
  /** Label sets of the series matching any of `match` (seconds for the optional time range). */
  series(match: readonly string[], range?: { start: number; end: number }): Promise<Labels[]>;
  activeTargets(): Promise<ScrapeTarget[]>;
}

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type RawValue = [number, string];
type RawResult =
  | { resultType: 'vector'; result: { metric: Labels; value: RawValue }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: RawValue[] }[] }
  | { resultType: 'scalar' | 'string'; result: RawValue };

/** Prometheus's number spelling ("NaN", "+Inf", "-Inf", "1e-05") as a number. */
export function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function prometheusApi(url: string, options: { timeoutMs?: number } = {}): PrometheusApi {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** POST (form body) where the endpoint takes it, so long expressions fit; GET otherwise. */
  async function call<T>(path: string, params: [string, string][], expr = path, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const form = new URLSearchParams(params);
    const signal = AbortSignal.timeout(timeoutMs);
    const response = method === 'GET'
      ? await fetch(`${base}${path}${params.length > 0 ? `?${form}` : ''}`, { signal })
      : await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, signal });
    const text = await response.text();
    let envelope: Envelope<T>;
    try {
      envelope = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new Error(`${base}${path} answered HTTP ${response.status} with something other than JSON: ${text.slice(0, 300)}`);
    }
    if (envelope.status !== 'success' || envelope.data === undefined) {
      throw new PrometheusQueryError(expr, envelope.errorType ?? `HTTP ${response.status}`, envelope.error ?? text.slice(0, 300));
    }
    return envelope.data;
  }

  return {
    url: base,
    async query(expr, time) {
      const params: [string, string][] = [['query', expr]];
      if (time !== undefined) params.push(['time', String(time)]);
      const data = await call<RawResult>('/api/v1/query', params, expr);
      switch (data.resultType) {
        case 'vector':
          return data.result.map((s) => ({ metric: s.metric, time: s.value[0], value: parseValue(s.value[1]) }));
        case 'matrix':
          // A range selector evaluated at one instant: keep each series' last point.
          return data.result.filter((s) => s.values.length > 0).map((s) => {
            const last = s.values[s.values.length - 1]!;
            return { metric: s.metric, time: last[0], value: parseValue(last[1]) };
          });
        default:
          return [{ metric: {}, time: data.result[0], value: parseValue(data.result[1]) }];
      }
    },
    async queryRange(expr, { start, end, step }) {
      const data = await call<RawResult>('/api/v1/query_range', [['query', expr], ['start', String(start)], ['end', String(end)], ['step', String(step)]], expr);
      if (data.resultType !== 'matrix') throw new Error(`range query ${JSON.stringify(expr)} gave a ${data.resultType}, not a matrix`);
      return data.result.map((s) => ({ metric: s.metric, points: s.values.map(([t, v]): [number, number] => [t, parseValue(v)]) }));
    },
    async metricNames(match) {
      return call<string[]>('/api/v1/label/__name__/values', match === undefined ? [] : [['match[]', match]], 'metric names', 'GET');
    },
    async series(match, range) {
      const params: [string, string][] = match.map((m) => ['match[]', m]);
      if (range) params.push(['start', String(range.start)], ['end', String(range.end)]);
      return call<Labels[]>('/api/v1/series', params, match.join(' or '));
    },
    async activeTargets() {
      return (await call<{ activeTargets: ScrapeTarget[] }>('/api/v1/targets', [['state', 'active']], 'targets', 'GET')).activeTargets;
    },
  };
}
