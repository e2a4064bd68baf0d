/**
 * `scrape`: what a Prometheus scrape of shiftwatch costs. The real MetricsRecorder on its own
 * registry, initialised as the service does for `--models` synthetic models of `--features`
 * numeric features each (default 50 × 100, classifiers with K = 10 classes: the heaviest kind),
 * every per-feature gauge then set to a non-round value as after a tested window. Times
 * `registry.metrics()` (the whole body of `/metrics`) over `--repeats` runs after a warm-up, and
 * counts the series exposed. Baseline, timed in the same loop: the simplest possible writer of the
 * same series (one template string per series), the floor for producing that much text.
 *
 * Also counts the series one model adds at `--series-features` features (default 32), for each
 * kind of model (features only, classifier with K classes, regressor), next to the budget that
 * `limits.maxSeries` is checked against (estimateSeries in the catalogue).
 */
import { Registry } from 'prom-client';
import { estimateSeries, type SeriesModel } from '../src/metrics/catalog.js';
import type { DetectorName } from '../src/core/detectors/contract.js';
import { MetricsRecorder } from '../src/metrics/recorder.js';
import { buildFeatureReference } from '../src/core/reference/feature-reference.js';
import { fitRegressionReference } from '../src/core/predictions/regression-reference.js';
import { BUNDLE_FORMAT_VERSION, plainBundleParts, type FeatureReference, type ReferenceBundle } from '../src/core/reference/bundle-types.js';
import { gaussian, seededRandom } from '../src/core/random.js';
import { intFlag, parseFlags, UsageError } from './args.js';
import { buildSetup } from './classification-windows.js';
import { machineInfo } from './machine.js';
import { median, quantile, round } from './stats.js';

const log = (line: string) => process.stderr.write(`[scrape] ${line}\n`);

export const SCRAPE_FLAGS = ['models', 'features', 'classes', 'kind', 'repeats', 'series-features'] as const;
const KINDS = ['plain', 'classifier', 'regressor'] as const;
type Kind = (typeof KINDS)[number];

interface Parts {
  feature: FeatureReference;
  predictions: NonNullable<ReferenceBundle['predictions']>;
  regression: NonNullable<ReferenceBundle['regression']>;
}

/** One real numeric feature reference (its name is replaced per feature), and real prediction/regression references. */
function buildParts(classes: number): Parts {
  const normal = gaussian(seededRandom(7));
  const feature = buildFeatureReference({ name: 'f', kind: 'numeric' }, Array.from({ length: 2000 }, () => normal()));
  const predictions = buildSetup({ classes, dims: 16, validationSize: 3000, windowSize: 500, seed: 20261128 }).ref;
  const rows = Array.from({ length: 300 }, () => {
    const prediction = normal();
    return { prediction, label: prediction + 0.3 * normal() };
  });
  const regression = fitRegressionReference(rows, ['prediction', 'label'], 1);
  if (!regression) throw new Error('the synthetic regression rows were not recognised');
  return { feature, predictions, regression };
}

function bundle(model: string, features: number, kind: Kind, parts: Parts): ReferenceBundle {
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    model,
    version: 'bench',
    createdAt: '2026-11-28T00:00:00.000Z',
    source: { path: 'synthetic', rows: parts.feature.n, sha256: '' },
    features: Array.from({ length: features }, (_, j) => ({ ...parts.feature, name: `f${String(j).padStart(3, '0')}` })),
    ...plainBundleParts(parts.feature.n),
    ...(kind === 'classifier' ? { predictions: parts.predictions } : {}),
    ...(kind === 'regressor' ? { regression: parts.regression } : {}),
  };
}

/** What estimateSeries is told about one synthetic model of a kind (no flow scorer here). */
function seriesModel(kind: Kind, features: number, classes: number): SeriesModel {
  return { features, classes: kind === 'classifier' ? classes : 0, regression: kind === 'regressor' };
}

/** The detectors the service would run for a bundle (no flow scorer here). */
function detectorsOf(b: ReferenceBundle): DetectorName[] {
  return ['feature-shift', ...(b.predictions ? (['label-shift', 'accuracy-floor'] as const) : []), ...(b.regression ? (['target-shift'] as const) : [])];
}

/** A recorder initialised as at service start, then every per-feature gauge set as after a window. */
function recorderFor(bundles: readonly ReferenceBundle[]): MetricsRecorder {
  const recorder = new MetricsRecorder(new Registry(), 'bench.events');
  recorder.initialise('bench', bundles.map((b) => ({ bundle: b, windowType: 'count', detectors: detectorsOf(b) })));
  const random = seededRandom(11);
  const m = recorder.m;
  for (const b of bundles) {
    m.windowPValue.set({ model: b.model }, random());
    for (const f of b.features) {
      const labels = { model: b.model, feature: f.name };
      m.featureStatistic.set(labels, random() * 0.1);
      m.featurePValue.set(labels, random());
      m.featureAdjustedPValue.set(labels, random());
      m.featureEffect.set({ ...labels, measure: 'psi' }, random() * 0.05);
      m.featureEffect.set({ ...labels, measure: 'wasserstein' }, random() * 0.2);
    }
  }
  return recorder;
}

interface ParsedSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The sample lines of an exposition as (name, labels, value); label values hold no escaped quotes here. */
function parseExposition(text: string): ParsedSeries[] {
  const out: ParsedSeries[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * The baseline: the same series written by the simplest exposition writer (a template string per
 * series from its label object), i.e. what producing this much text costs in JavaScript at least.
 */
function naiveExposition(series: readonly ParsedSeries[]): string {
  let out = '';
  for (const s of series) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
    out += `${s.name}${labels ? `{${labels}}` : ''} ${s.value}\n`;
  }
  return out;
}

/** Series in an exposition: its sample lines. */
export function countSeries(exposition: string, filter: (line: string) => boolean = () => true): number {
  let n = 0;
  for (const line of exposition.split('\n')) if (line !== '' && !line.startsWith('#') && filter(line)) n++;
  return n;
}

export async function runScrape(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, SCRAPE_FLAGS);
  const models = intFlag(flags, 'models', 50);
  const features = intFlag(flags, 'features', 100);
  const classes = intFlag(flags, 'classes', 10, 2);
  const repeats = intFlag(flags, 'repeats', 50);
  const seriesFeatures = intFlag(flags, 'series-features', 32);
  const kind = (flags.get('kind') ?? 'classifier') as Kind;
  if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got "${kind}"`);

  log(`fitting the synthetic references (classifier K = ${classes}, regressor)`);
  const parts = buildParts(classes);

  // Series one model adds, per kind: the difference between one model and none.
  const base = countSeries(await recorderFor([]).registry.metrics());
  const perModel = {} as Record<Kind, { measured: number; budget: number }>;
  for (const k of KINDS) {
    const one = countSeries(await recorderFor([bundle('m0', seriesFeatures, k, parts)]).registry.metrics());
    const budget = estimateSeries([seriesModel(k, seriesFeatures, classes)]) - estimateSeries([]);
    perModel[k] = { measured: one - base, budget };
    log(`one ${k} with ${seriesFeatures} features: ${one - base} series (estimateSeries budgets ${budget}); ${base} series shared by all models`);
  }

  log(`initialising ${models} ${kind} models × ${features} features`);
  const recorder = recorderFor(Array.from({ length: models }, (_, i) => bundle(`model-${String(i).padStart(2, '0')}`, features, kind, parts)));
  const first = await recorder.registry.metrics();
  const series = countSeries(first);
  const bytes = Buffer.byteLength(first);
  for (let i = 0; i < 5; i++) await recorder.registry.metrics();
  const parsed = parseExposition(first);
  const ms: number[] = [];
  const baselineMs: number[] = [];
  // Interleaved, so that load from other processes hits both alike.
  for (let i = 0; i < repeats; i++) {
    let t0 = performance.now();
    await recorder.registry.metrics();
    ms.push(performance.now() - t0);
    t0 = performance.now();
    naiveExposition(parsed);
    baselineMs.push(performance.now() - t0);
  }
  const figures = {
    scenario: 'scrape',
    models,
    features,
    kind,
    classes: kind === 'classifier' ? classes : 0,
    repeats,
    series,
    budget: estimateSeries(Array.from({ length: models }, () => seriesModel(kind, features, classes))),
    exposition_bytes: bytes,
    scrape_ms_median: round(median(ms), 2),
    scrape_ms_p95: round(quantile(ms, 0.95), 2),
    scrape_ms_min: round(Math.min(...ms), 2),
    scrape_us_per_series: round((median(ms) * 1000) / series, 2),
    baseline_ms_median: round(median(baselineMs), 2),
    ratio_to_baseline: round(median(ms) / median(baselineMs), 2),
    series_shared: base,
    series_per_model_at_features: seriesFeatures,
    series_per_model: Object.fromEntries(KINDS.map((k) => [k, perModel[k].measured])),
    series_per_model_budget: Object.fromEntries(KINDS.map((k) => [k, perModel[k].budget])),
    machine: machineInfo(),
  };
  log(`${models} × ${features}: ${series} series, ${(bytes / 2 ** 20).toFixed(2)} MiB; registry.metrics() median ${figures.scrape_ms_median} ms, p95 ${figures.scrape_ms_p95} ms over ${repeats} runs; naive writer ${figures.baseline_ms_median} ms (×${figures.ratio_to_baseline})`);
  return figures;
}
