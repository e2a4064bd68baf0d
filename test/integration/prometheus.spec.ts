/**
 * A real Prometheus scraping the running monitor (tools/picture/scenario.ts): the built service as a
 * child process on the test broker, two models fitted by the real `fit` path (a classifier with a
 * density flow and delayed labels, a regressor), clean windows and then windows where the classifier's x2 is
 * shifted. Everything is read back through Prometheus's HTTP API: every catalogued metric is
 * there, promtool accepts the exposition, every dashboard panel's query returns data, and the
 * drift gauges move for x2, in the shifted windows, and for nothing else.
 */
import { METRICS, type MetricKey } from '../../src/metrics/catalog.js';
import { dashboardQueries, type Requirement } from '../../dashboards/index.js';
import { checkMetrics, ensurePrometheusTools, type PrometheusTools } from '../../tools/prometheus/prometheus-tools.js';
import { MODELS, runScenario, SMALL_FLOW, type ScenarioRun, type WindowMark } from '../../tools/picture/scenario.js';
import { CLF_FEATURES, REG_FEATURES, SHIFTED_FEATURE } from '../../tools/picture/scenario-data.js';
import { testBrokers } from '../support/kafka-env.js';
import { catalogueCoverage, describeOutcome, runDashboardQueries } from '../support/prometheus-checks.js';

const log = (line: string): void => void process.stderr.write(`[prometheus-it] ${line}\n`);

/**
 * What a dashboard query may need that this run cannot produce yet, and why. Each entry is checked
 * both ways: its queries must come back empty (else the entry is stale and must go).
 */
function pendingRequirements(run: ScenarioRun): Map<Requirement, string> {
  const pending = new Map<Requirement, string>();
  // fit may decline to train a flow (it says why); then the flow's metrics and panels stay empty.
  if (!('flow' in run.bundles.clf)) pending.set('flow', 'fit trained no density flow for the classifier');
  return pending;
}

/** Catalogued metrics that only a model with a flow exports. */
const FLOW_METRICS = (Object.keys(METRICS) as MetricKey[]).filter((k) => METRICS[k].name.startsWith('shiftwatch_flow_'));

describe('a real Prometheus scraping the monitor while a scripted stream flows through the real broker', () => {
  let tools: PrometheusTools;
  let run: ScenarioRun;
  let pending: Map<Requirement, string>;

  beforeAll(async () => {
    tools = await ensurePrometheusTools({ install: true, log });
    const started = Date.now();
    run = await runScenario({ brokers: testBrokers(), tools, cleanWindows: 4, shiftedWindows: 4, flow: SMALL_FLOW, log });
    pending = pendingRequirements(run);
    log(`scenario done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${run.windows.length} windows per model, ${run.labelsSent} labels; pending: ${[...pending.keys()].join(', ') || 'none'}`);
  }, 240_000);

  afterAll(async () => {
    await run?.stop();
  });

  it('holds every metric of the catalogue, and no shiftwatch metric outside it', async () => {
    const names = await run.prometheus.api.metricNames();
    const absentForNow = new Set<MetricKey>(pending.has('flow') ? FLOW_METRICS : []);
    const coverage = catalogueCoverage(names, absentForNow);
    expect(coverage.missing).toEqual([]);
    expect(coverage.uncatalogued).toEqual([]);
    // The exemption must stay exact: once the bundles carry a flow, its metrics are required.
    expect(coverage.presentThoughPending).toEqual([]);
    // Both models are scraped with their own series.
    const models = await run.prometheus.api.query('shiftwatch_model_info');
    expect(models.map((s) => s.metric.model).sort()).toEqual(['clf', 'reg']);
    const api = run.prometheus.api;
    const perModel = await api.query('count by (model) ({__name__=~"shiftwatch_.+", model!=""})', run.end);
    const window = `${Math.ceil(run.end - run.start)}s`;
    const [samples, scrape] = await Promise.all([
      api.query(`max_over_time(scrape_samples_scraped{job="${run.prometheus.job}"}[${window}])`, run.end),
      api.query(`quantile_over_time(0.5, scrape_duration_seconds{job="${run.prometheus.job}"}[${window}])`, run.end),
    ]);
    log(`series per model: ${perModel.map((s) => `${s.metric.model} ${s.value}`).join(', ')}; ${samples[0]?.value} samples per scrape, median scrape ${((scrape[0]?.value ?? NaN) * 1000).toFixed(1)} ms`);
  });

  it('serves an exposition that `promtool check metrics` accepts', async () => {
    const exposition = await (await fetch(`${run.service.url}/metrics`)).text();
    const check = await checkMetrics(exposition, tools.promtool);
    expect(check.output).toBe('');
    expect(check.ok).toBe(true);
  });

  it('answers every query of every dashboard panel with data', async () => {
    const queries = dashboardQueries();
    // `$model` as a user picks it on the model-detail dashboard: each model in turn (a query passes
    // with data for either: regression panels for the regressor, accuracy panels for the classifier).
    // $__rate_interval as Grafana sets it for a 1 s scrape interval over a short range.
    const outcomes = await runDashboardQueries(run.prometheus.api, queries, { start: run.start, end: run.end, step: 1 },
      MODELS.map((model) => ({ model, __rate_interval: '5s' })));
    const isPending = (o: { requires: readonly string[] }): boolean => o.requires.some((r) => pending.has(r as Requirement));
    const checked = outcomes.filter((o) => !isPending(o));
    const panels = new Set(checked.map((o) => `${o.dashboard}/${o.panel}`));
    const skippedPanels = new Set(outcomes.filter(isPending).map((o) => `${o.dashboard}/${o.panel}`));
    log(`${checked.length} queries of ${panels.size} panels checked against live data; ${outcomes.length - checked.length} queries of ${skippedPanels.size} panels pending (${[...pending].map(([r, why]) => `${r}: ${why}`).join('; ')})`);

    expect(outcomes.filter((o) => o.error !== undefined).map(describeOutcome)).toEqual([]);
    expect(checked.filter((o) => o.finiteValues === 0).map(describeOutcome)).toEqual([]);
    // A pending requirement whose queries have data is stale: remove it from pendingRequirements.
    expect(outcomes.filter((o) => isPending(o) && o.series > 0).map(describeOutcome)).toEqual([]);
    expect(panels.size).toBeGreaterThan(0);
  });

  it('shows the shift on x2 in the shifted windows, and nowhere else', async () => {
    const api = run.prometheus.api;
    const at = async (expr: string, w: WindowMark): Promise<Record<string, number>> =>
      Object.fromEntries((await api.query(expr, w.time)).map((s) => [s.metric.feature ?? s.metric.model ?? '', s.value]));
    const clean = run.windows.filter((w) => w.phase === 'clean');
    const shifted = run.windows.filter((w) => w.phase === 'shifted');
    expect(clean.length).toBeGreaterThan(0);
    expect(shifted.length).toBeGreaterThan(0);

    const flaggedPerWindow: Record<string, string[]> = {};
    for (const w of run.windows) {
      const flags = await at('shiftwatch_feature_drift{model=~"clf|reg"}', w);
      expect(Object.keys(flags).sort()).toEqual([...CLF_FEATURES, ...REG_FEATURES].sort());
      flaggedPerWindow[`${w.index} ${w.phase}`] = Object.entries(flags).filter(([, v]) => v === 1).map(([f]) => f);
    }
    expect(flaggedPerWindow).toEqual(Object.fromEntries(run.windows.map((w) => [`${w.index} ${w.phase}`, w.phase === 'shifted' ? [SHIFTED_FEATURE] : []])));

    for (const w of shifted) {
      const adjusted = await at('shiftwatch_feature_adjusted_p_value{model="clf"}', w);
      const distance = await at('shiftwatch_feature_effect{model="clf",measure="wasserstein"}', w);
      expect(adjusted[SHIFTED_FEATURE]).toBeLessThan(1e-10);
      for (const f of CLF_FEATURES.filter((f) => f !== SHIFTED_FEATURE)) expect(adjusted[f]).toBeGreaterThan(0.05);
      expect(distance[SHIFTED_FEATURE]).toBeGreaterThan(0.5);
      for (const [f, d] of Object.entries(distance)) if (f !== SHIFTED_FEATURE) expect(d).toBeLessThan(0.25);
    }
    for (const w of clean) {
      const adjusted = await at('shiftwatch_feature_adjusted_p_value{model="clf"}', w);
      expect(Math.min(...Object.values(adjusted))).toBeGreaterThan(0.05);
    }

    // The model-level gauges: the classifier's feature-shift detector is in drift at the end and
    // fired; it was ok through the clean windows; the regressor never left ok.
    const status = (w: WindowMark) => at('shiftwatch_model_drift_status{detector="feature-shift"}', w);
    expect(await status(clean[clean.length - 1]!)).toEqual({ clf: 0, reg: 0 });
    expect(await status(shifted[shifted.length - 1]!)).toEqual({ clf: 2, reg: 0 });
    const fired = await api.query('sum by (model) (shiftwatch_alerts_emitted_total{detector="feature-shift",status="firing"})', run.end);
    expect(Object.fromEntries(fired.map((s) => [s.metric.model, s.value]))).toEqual({ clf: 1, reg: 0 });
  });
});
