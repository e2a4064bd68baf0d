/**
 * `scripts/render-dashboard` (or `npm run build:tools && node dist-tools/tools/picture/render-dashboard.js`): runs the monitored
 * scenario on real components (a local Kafka broker unless --brokers names one, the built service,
 * Prometheus from Debian) and renders the key panels of the model-detail dashboard, from the
 * dashboards' own PromQL and Prometheus `query_range` answers, into one PNG (docs/dashboard.png).
 *
 *   scripts/render-dashboard [--out docs/dashboard.png] [--svg FILE] [--clean 8] [--shifted 8] [--brokers host:port,...]
 *                            [--save-data FILE] [--data FILE]   (keep Prometheus's answers / redraw from them)
 *                            [--without-flow]                   (no density flow for the classifier)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardQueries, substituteVariables, UIDS, type DashboardQuery } from '../../dashboards/index.js';
import { repoRoot } from '../../src/infra/kafka-paths.js';
import { startLocalKafka, type LocalKafka } from '../../src/infra/local-kafka.js';
import type { PrometheusApi, RangeSeries } from '../prometheus/prometheus-api.js';
import { ensurePrometheusTools } from '../prometheus/prometheus-tools.js';
import { METRICS } from '../../src/metrics/catalog.js';
import { runScenario, SMALL_FLOW, type ScenarioRun } from './scenario.js';
import { SQUEEZE, SHIFTED_FEATURE } from './scenario-data.js';
import { PALETTE, renderFigure, THEME, type Line, type Panel, type Point } from './svg-chart.js';

const log = (line: string): void => void process.stderr.write(`[render-dashboard] ${line}\n`);

/** Every estimator's series is fetched: the headline is stitched from whichever one the backtest selected. */
const ESTIMATORS = '.+';
const ORANGE = '#ff9830';
const RED = '#f2495c';

/** The model-detail panels drawn, by title. */
const PANEL_TITLES = [
  'Adjusted p-value by feature',
  'Feature-shift window p-value',
  'CUSUM over its threshold, by detector',
  'Distance from the reference',
  'PSI by feature',
  'Mean log-likelihood vs reference band',
  'Estimated accuracy with intervals vs realized',
  'Selected estimator',
] as const;
type PanelTitle = (typeof PANEL_TITLES)[number];

/** Everything a picture is drawn from: Prometheus's answers per panel, and the run's time line. */
export interface PictureData {
  start: number;
  end: number;
  /** Epoch seconds from which the shifted windows' results show. */
  shiftFrom: number | null;
  cleanWindows: number;
  shiftedWindows: number;
  hasFlow: boolean;
  panels: Partial<Record<PanelTitle, RangeSeries[]>>;
}

/** The range answers of the model-detail panels' queries, variables set for the classifier. */
async function collect(api: PrometheusApi, run: ScenarioRun): Promise<PictureData> {
  const queries: DashboardQuery[] = dashboardQueries();
  const range = { start: run.start, end: run.end, step: 0.5 };
  const hasFlow = 'flow' in run.bundles.clf;
  const panels: PictureData['panels'] = {};
  for (const title of PANEL_TITLES) {
    if (title === 'Mean log-likelihood vs reference band' && !hasFlow) continue;
    const mine = queries.filter((q) => q.dashboard === UIDS.model && q.panel === title && !q.instant);
    if (mine.length === 0) throw new Error(`the model-detail dashboard has no range panel titled "${title}": update tools/picture/render-dashboard.ts`);
    const series: RangeSeries[] = [];
    for (const q of mine) series.push(...(await api.queryRange(substituteVariables(q.expr, { model: 'clf', feature: '.+', estimator: ESTIMATORS, __rate_interval: '5s' }), range)));
    panels[title] = series;
  }
  const clean = run.windows.filter((w) => w.phase === 'clean');
  return {
    start: run.start, end: run.end, shiftFrom: clean.length > 0 && clean.length < run.windows.length ? clean[clean.length - 1]!.time : null,
    cleanWindows: clean.length, shiftedWindows: run.windows.length - clean.length, hasFlow, panels,
  };
}

const named = (series: RangeSeries[], metric: { name: string }): RangeSeries[] => series.filter((s) => s.metric.__name__ === metric.name);
const colorOf = (names: readonly string[]) => (name: string): string => PALETTE[names.indexOf(name) % PALETTE.length]!;

/** One line per feature, sorted by name, the shifted feature drawn thicker. */
function featureLines(series: readonly RangeSeries[]): Line[] {
  const names = series.map((s) => s.metric.feature ?? '?').sort();
  return series
    .map((s) => ({ name: s.metric.feature ?? '?', points: s.points, color: colorOf(names)(s.metric.feature ?? '?'), width: s.metric.feature === SHIFTED_FEATURE ? 2.5 : 1.5 }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function buildPanels(data: PictureData): Panel[] {
  const panelData = (title: PanelTitle): RangeSeries[] => data.panels[title] ?? [];
  const panels: Panel[] = [];

  const adjusted = panelData('Adjusted p-value by feature');
  panels.push({
    kind: 'state',
    title: 'Adjusted p-value by feature',
    span: 2,
    rows: adjusted.map((s) => ({ name: s.metric.feature ?? '?', points: s.points })).sort((a, b) => a.name.localeCompare(b.name)),
    color: (p) => (p < 0.01 ? RED : p < 0.05 ? ORANGE : '#37872d'),
    legend: [{ label: 'p ≥ 0.05', color: '#37872d' }, { label: 'p < 0.05', color: ORANGE }, { label: 'p < 0.01', color: RED }],
  });

  const windowP = panelData('Feature-shift window p-value');
  panels.push({
    kind: 'timeseries',
    title: 'Feature-shift window p-value',
    scale: 'log',
    unit: 'none',
    max: 1,
    lines: windowP.slice(0, 1).map((s) => ({ name: 'window p-value', points: s.points, color: PALETTE[0]! })),
    thresholds: [{ value: 0.05, color: ORANGE, label: 'α = 0.05' }],
  });

  // The ratio CUSUM / h of each detector: an alert fires when a line crosses 1.
  const cusum = panelData('CUSUM over its threshold, by detector');
  const detectors = cusum.map((s) => s.metric.detector ?? '?').sort();
  panels.push({
    kind: 'timeseries',
    title: 'CUSUM / threshold h, by detector',
    scale: 'linear',
    unit: 'none',
    min: 0,
    lines: cusum.map((s) => ({ name: s.metric.detector ?? '?', points: s.points, color: colorOf(detectors)(s.metric.detector ?? '?') })),
    thresholds: [{ value: 1, color: RED, label: 'alarm' }],
  });

  const distance = panelData('Distance from the reference');
  panels.push({
    kind: 'timeseries',
    title: 'Distance from the reference (W1/σ, JS)',
    scale: 'linear',
    unit: 'none',
    min: 0,
    lines: featureLines(distance),
  });

  if (data.hasFlow) {
    const flow = panelData('Mean log-likelihood vs reference band');
    const band = named(flow, METRICS.flowReferenceLogLikelihood);
    const q = (level: string) => band.find((s) => Object.entries(s.metric).some(([k, v]) => k !== 'model' && v === level));
    const lines: Line[] = named(flow, METRICS.flowMeanLogLikelihood).map((s, i) => ({ name: `mean (${s.metric.source})`, points: s.points, color: PALETTE[i]!, width: 2 }));
    const [low, high] = [q('0.05'), q('0.95')];
    if (low && high) lines.unshift({ name: 'reference q0.05–q0.95', points: high.points, color: '#8e8e99', band: { to: low.points, opacity: 0.2 } });
    panels.push({ kind: 'timeseries', title: 'Mean log-likelihood vs reference band', scale: 'linear', unit: 'none', lines });
  } else {
    const psi = panelData('PSI by feature');
    panels.push({
      kind: 'timeseries',
      title: 'PSI by feature',
      scale: 'linear',
      unit: 'none',
      min: 0,
      lines: featureLines(psi),
      thresholds: [{ value: 0.1, color: ORANGE, label: '0.1' }, { value: 0.25, color: RED, label: '0.25' }],
    });
  }

  panels.push(accuracyPanel(panelData('Estimated accuracy with intervals vs realized'), panelData('Selected estimator')));
  return panels;
}

/**
 * The headline as the model-detail dashboard shows it: at each instant the estimate and interval of
 * the estimator the backtest selected (the "Selected estimator" panel), against realized accuracy
 * from the delayed labels and the "no change" baseline (the reference's accuracy).
 */
function accuracyPanel(accuracy: readonly RangeSeries[], selected: readonly RangeSeries[]): Panel {
  const at = (metric: { name: string }, estimator: string) => new Map(named([...accuracy], metric).find((s) => s.metric.estimator === estimator)?.points ?? []);
  const series = (estimator: string) => ({ estimate: at(METRICS.accuracyEstimate, estimator), lower: at(METRICS.accuracyLower, estimator), upper: at(METRICS.accuracyUpper, estimator) });
  const chosen = new Map<number, string>();
  for (const s of selected) for (const [t, v] of s.points) if (v === 1 && s.metric.estimator) chosen.set(t, s.metric.estimator);
  const times = [...chosen.keys()].sort((a, b) => a - b);
  const byEstimator = new Map([...new Set(chosen.values())].map((e) => [e, series(e)]));
  const stitched = (part: 'estimate' | 'lower' | 'upper'): Point[] => times.flatMap((t) => {
    const v = byEstimator.get(chosen.get(t)!)![part].get(t);
    return v === undefined ? [] : [[t, v] as Point];
  });
  const sequence = times.map((t) => chosen.get(t)!).filter((e, i, all) => i === 0 || all[i - 1] !== e);
  const noChange = [...at(METRICS.accuracyEstimate, 'no-change')] as Point[];
  const lines: Line[] = [
    { name: 'interval', points: stitched('upper'), color: PALETTE[0]!, band: { to: stitched('lower'), opacity: 0.2 }, hidden: true },
    { name: 'no change (reference accuracy)', points: noChange, color: THEME.dim, dashed: true },
    { name: `estimated with its interval (selected: ${sequence.join(' → ')})`, points: stitched('estimate'), color: PALETTE[0]!, width: 2.5 },
    ...named([...accuracy], METRICS.accuracyRealized).map((s) => ({ name: 'realized (labels one window late)', points: s.points, color: THEME.text, width: 3 })),
  ];
  return { kind: 'timeseries', title: 'Accuracy without labels: the headline estimate with its interval vs realized', scale: 'linear', unit: 'percent', span: 2, lines };
}

function render(data: PictureData, width: number): string {
  return renderFigure({
    title: 'shiftwatch / Model detail — model "clf"',
    subtitle: `${data.cleanWindows} clean windows, then ${data.shiftedWindows} with ${SHIFTED_FEATURE} pulled toward the class boundaries (×${SQUEEZE} its distance from the classes' centre), 500 events each; labels arrive one window late`,
    footer: `Rendered by scripts/render-dashboard from Prometheus query_range answers to the dashboard's own PromQL, on a real run: Kafka broker, shiftwatch service, Prometheus 2.42 scraping every 1 s. ${new Date(data.end * 1000).toISOString().slice(0, 10)}.`,
    from: data.start,
    to: data.end,
    spans: data.shiftFrom === null ? [] : [{ from: data.shiftFrom, to: data.end, label: `${SHIFTED_FEATURE} shifted`, color: RED }],
    panels: buildPanels(data),
    columns: 2,
    width,
  });
}

/** Runs the scenario on real components and collects the panels' data. */
async function liveData(brokerList: string | undefined, clean: number, shifted: number, flow: boolean): Promise<PictureData> {
  const tools = await ensurePrometheusTools({ install: true, log });
  let kafka: LocalKafka | undefined;
  let run: ScenarioRun | undefined;
  try {
    const brokers = brokerList?.split(',').map((b) => b.trim()).filter(Boolean) ?? (kafka = await startLocalKafka({ log })).brokers;
    run = await runScenario({ brokers, tools, cleanWindows: clean, shiftedWindows: shifted, log, ...(flow ? { flow: SMALL_FLOW } : {}) });
    return await collect(run.prometheus.api, run);
  } finally {
    await run?.stop();
    await kafka?.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: join(repoRoot(), 'docs', 'dashboard.png') },
      svg: { type: 'string' },
      /** Write the collected data as JSON, to redraw later without a run. */
      'save-data': { type: 'string' },
      /** Draw from data saved by --save-data instead of running the scenario. */
      data: { type: 'string' },
      clean: { type: 'string', default: '8' },
      shifted: { type: 'string', default: '8' },
      brokers: { type: 'string' },
      /** Train no density flow for the classifier (and draw no log-likelihood panel). */
      'without-flow': { type: 'boolean', default: false },
      width: { type: 'string', default: '1400' },
    },
  });
  const data = values.data
    ? (JSON.parse(await readFile(resolve(values.data), 'utf8')) as PictureData)
    : await liveData(values.brokers, Number(values.clean), Number(values.shifted), !values['without-flow']);
  if (values['save-data']) await writeFile(resolve(values['save-data']), JSON.stringify(data));
  const svg = render(data, Number(values.width));
  if (values.svg) await writeFile(resolve(values.svg), svg);
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  await mkdir(dirname(resolve(values.out)), { recursive: true });
  await writeFile(resolve(values.out), png);
  log(`wrote ${resolve(values.out)} (${(png.length / 1024).toFixed(0)} KiB)`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
