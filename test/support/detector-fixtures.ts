/**
 * Small fitted reference bundles that, between them, enable every registered detector, with
 * seeded window streams drawn from each reference's own distribution ("clean") or under a scripted
 * shift. Used by the detector contract suite (test/unit/detectors/contract.spec.ts and
 * test/integration/detector-state.spec.ts). Fitting is done once per test file (memoized); the flow
 * fixture trains a small flow.
 */
import { DETECTOR_REGISTRY } from '../../src/core/detectors/registry.js';
import type { AnyDetector, DetectorName, RealizedWindow, WindowView } from '../../src/core/detectors/contract.js';
import type { DetectorSettings, MonitoredModel } from '../../src/core/detectors/model.js';
import type { FeatureValue } from '../../src/core/contract/event.js';
import { SinglePartitionWindower } from '../../src/core/window/single-partition.js';
import type { ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { BUNDLE_FORMAT_VERSION, plainBundleParts } from '../../src/core/reference/bundle-types.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../../src/core/predictions/prediction-options.js';
import { fitClassificationReference } from '../../src/core/predictions/classification-fit.js';
import { calibratedPrediction, type ClassificationReference } from '../../src/core/predictions/classification-reference.js';
import { fitRegressionReference } from '../../src/core/predictions/regression-reference.js';
import { buildFeatureReference } from '../../src/core/reference/feature-reference.js';
import { fitFeatureNulls } from '../../src/core/detect/null-calibration.js';
import { gaussian, seededRandom } from '../../src/core/random.js';
import { createTask, sample, uniform } from '../../src/demo/classification.js';
import { syntheticRows, type Shift } from './synthetic.js';
import { inferSchema } from '../../src/core/reference/schema.js';
import type { Row } from '../../src/core/reference/row.js';
import { fitFlow } from '../../src/flow/fit-flow.js';
import { createFlowScorer } from '../../src/flow/create-scorer.js';
import { FeatureLocalizer } from '../../src/flow/localize-scorer.js';
import { createLogger } from '../../src/logging.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from './fixtures.js';

export type FixtureName = 'features' | 'classifier' | 'regression' | 'flow';

/** One event as the monitor adds it to a window (probabilities already calibrated). */
interface FixtureEvent {
  features: Record<string, FeatureValue>;
  probs?: number[];
  value?: number;
  /** The true class (classifier fixture), for the window's realized accuracy. */
  label?: number;
}

/** A closed window and, when the fixture has labels, its realized accuracy (what delayed labels report). */
export interface StreamWindow {
  view: WindowView;
  realized?: RealizedWindow;
}

export interface ContractFixture {
  name: FixtureName;
  model: MonitoredModel;
  settings: DetectorSettings;
  /** Events per window. */
  size: number;
  /** The scripted shifts this fixture can draw, by name. */
  shifts: readonly string[];
  /** One window's events: from the reference distribution ('clean') or under a named shift; seeded. */
  events(kind: string, seed: number): FixtureEvent[];
}

export interface DetectorCase {
  fixture: FixtureName;
  /** The scripted shift that must fire the detector. */
  shift: string;
  /** Paths of the objects in its state that are keyed by data (see state-mutations.ts); the rest are records. */
  stateMaps?: string[];
}

/** Which fixture each registered detector runs on, and the shift that must fire it. A new detector adds its line. */
export const DETECTOR_CASES: Partial<Record<DetectorName, DetectorCase>> = {
  'feature-shift': { fixture: 'features', shift: 'amount-mean' },
  'conditional-shift': { fixture: 'flow', shift: 'correlation-flip', stateMaps: ['onset.features'] },
  'covariate-shift': { fixture: 'flow', shift: 'correlation-flip' },
  'label-shift': { fixture: 'classifier', shift: 'class-mix' },
  'accuracy-floor': { fixture: 'classifier', shift: 'accuracy-drop', stateMaps: ['backtest.miscoverage', 'backtest.totals', 'backtest.pending.*.estimates', 'backtest.labelled.*.estimates'] },
  'target-shift': { fixture: 'regression', shift: 'target-mean' },
};

/** The case of a registered detector, or an error that says what to add. */
export function caseOf(name: DetectorName): DetectorCase {
  const c = DETECTOR_CASES[name];
  if (c === undefined) {
    throw new Error(`detector ${name} is registered but has no contract fixture: add it to DETECTOR_CASES in test/support/detector-fixtures.ts (a bundle that enables it and a shift that must fire it)`);
  }
  return c;
}

const settingsWith = (predictions: Partial<DetectorSettings['predictions']> = {}): DetectorSettings => ({
  tests: TEST_OPTIONS,
  sequential: TEST_SEQUENTIAL,
  predictions: { ...DEFAULT_PREDICTION_OPTIONS, ...predictions },
});

/** The detectors the registry builds for a fixture, in the registry's order (as the monitor does). */
export function createDetectors(fixture: ContractFixture, bundle: ReferenceBundle = fixture.model.bundle): AnyDetector[] {
  return DETECTOR_REGISTRY.flatMap((f) => f.create({ ...fixture.model, bundle }, fixture.settings) ?? []);
}

/** Windows built by the real windower from the fixture's events; `plan` lists (kind, count) runs. Deep-frozen. */
export function windowStream(fixture: ContractFixture, plan: readonly (readonly [kind: string, count: number])[], seed: number): StreamWindow[] {
  const { bundle } = fixture.model;
  const flow = bundle.flow !== undefined && fixture.model.flowScorer !== undefined ? bundle.flow : undefined;
  const windower = new SinglePartitionWindower(bundle.features, { type: 'count', size: fixture.size, minEvents: 1 }, {
    ...(bundle.predictions ? { classes: bundle.predictions.classes } : {}),
    regression: bundle.regression !== undefined,
    ...(flow ? { flowFeatures: flow.model.standardization.features, flowCategories: fixture.model.localizer ? (flow.localization?.categorical.map((c) => c.feature) ?? []) : [] } : {}),
  });
  const out: StreamWindow[] = [];
  let offset = 0;
  for (const [kind, count] of plan) {
    for (let w = 0; w < count; w++) {
      const events = fixture.events(kind, seed + out.length);
      let correct = 0;
      for (const e of events) {
        const closed = windower.add(e.features, offset * 10, {
          ...(e.probs ? { probs: e.probs } : {}),
          ...(e.value === undefined ? {} : { value: e.value }),
        });
        offset += 1;
        if (e.label !== undefined && e.probs!.indexOf(Math.max(...e.probs!)) === e.label) correct += 1;
        for (const c of closed) {
          const view: WindowView = { model: bundle.model, id: c.id, serial: c.serial, start: c.start, end: c.end, n: c.summary.n, summary: c.summary };
          const labeled = events[0]!.label === undefined ? 0 : events.length;
          out.push(deepFreeze(labeled > 0 ? { view, realized: { serial: c.serial, accuracy: correct / labeled, labeled } } : { view }));
        }
      }
    }
  }
  return out;
}

/** Freezes plain objects and arrays recursively (typed arrays cannot be frozen and are left as they are). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
    return value;
  }
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

// ---------------------------------------------------------------------------------------------
// The four fixtures. The feature and flow fixtures share the synthetic reference of the flow
// detector's own tests (10,000 rows, windows of 500); the classifier and regression fixtures use
// smaller windows, their detectors being the costlier per window.
//
// Reference sizes. The suite checks the false-alarm rate of one fitted reference. A time-ordered
// null is estimated from the reference's own chunks, so its center carries the reference's
// sampling error, the same for every later window: over reference draws the flag rate is alpha,
// but for one small reference it can be several times alpha (target-shift on 3,000 rows with
// windows of 500, regression.spec.ts's reference, flagged 14 of 100 clean windows and raised a
// false alert). The fixtures hold 20 windows of reference or more.

const REFERENCE_ROWS = 10_000;
const SIZE = 500;

/**
 * The references are iid by construction, so the true lag-1 correlation of their chunks' evidence
 * is 0; the estimate from 20 chunks is noise of about ±0.2. Left in, every distinct value above
 * 0.05 makes its detector simulate a CUSUM threshold for AR(1) evidence (core/stats/cusum-ar1.ts),
 * well under a second in Node but close to a minute in Jest's vm context, where every global
 * lookup in its hot loop is slow.
 */
function independentWindows(bundle: ReferenceBundle): ReferenceBundle {
  const b = structuredClone(bundle);
  if (b.featureNulls) b.featureNulls.lag1 = 0;
  if (b.predictions?.nulls) b.predictions.nulls.labelShift.lag1 = 0;
  if (b.regression?.nulls) b.regression.nulls.lag1 = 0;
  if (b.flow?.nulls) {
    b.flow.nulls.lag1 = 0;
    if (b.flow.nulls.conditional) b.flow.nulls.conditional.lag1 = 0;
  }
  return b;
}

const baseFeatures = (() => {
  let bundle: ReferenceBundle | undefined;
  return (model: string): ReferenceBundle => {
    bundle ??= syntheticBundle('features', { rows: REFERENCE_ROWS, windowSize: SIZE, replicates: 200 });
    return { ...bundle, model };
  };
})();

const syntheticShifts: Record<string, Shift> = {
  clean: { kind: 'none' },
  'amount-mean': { kind: 'mean', feature: 'amount', logShift: 0.5 },
  'correlation-flip': { kind: 'correlation', correlation: -0.8 },
};

function featuresFixture(): ContractFixture {
  return {
    name: 'features', size: SIZE, shifts: ['amount-mean'], settings: settingsWith(),
    model: { name: 'features', bundle: independentWindows(baseFeatures('features')), window: { type: 'count', size: SIZE, minEvents: 1 } },
    events: (kind, seed) => syntheticRows(SIZE, seed, syntheticShifts[kind]).map((features) => ({ features })),
  };
}

/**
 * A 3-class classifier with calibrated probabilities (about 85% accurate), windows of 300, an
 * accuracy floor 0.07 below the reference accuracy, and the average-confidence estimate as the
 * headline. 'accuracy-drop' is a covariate shift that keeps p(y | x): only inputs on which the
 * calibrated model is less than 80% confident arrive, so the true accuracy falls to about 0.6 while
 * the model stays calibrated; the estimate tracks it, and the delayed labels confirm it rather than
 * widen its interval past the floor. 'class-mix': the class mix moves from uniform to 70/20/10.
 */
function classifierFixture(): ContractFixture {
  const size = 300;
  const task = createTask({ classes: 3, dims: 4, separation: 1.5, seed: 8 });
  const reference = sample(task, 6000, uniform(3), 0, 1);
  const rows: Row[] = reference.probs.map((p, i) => Object.fromEntries([...p.map((v, k) => [`prob_${k}`, v]), ['label', reference.labels[i]!]]));
  const predictions: ClassificationReference = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: size, seed: 1 })!;
  const bundle = independentWindows({ ...syntheticBundle('classifier', { rows: 3000, windowSize: size, replicates: 50 }), predictions });
  const draw = (prior: readonly number[], maxConfidence: number, seed: number) => {
    const out: { probs: number[]; label: number }[] = [];
    for (let batch = 0; out.length < size; batch++) {
      const s = sample(task, size, prior, 0, seed * 1000 + batch);
      s.probs.forEach((p, i) => {
        const probs = calibratedPrediction(predictions, { probs: p }) as number[];
        if (Math.max(...probs) < maxConfidence && out.length < size) out.push({ probs, label: s.labels[i]! });
      });
    }
    return out;
  };
  const draws: Record<string, { prior: number[]; maxConfidence: number }> = {
    clean: { prior: uniform(3), maxConfidence: Infinity },
    'class-mix': { prior: [0.7, 0.2, 0.1], maxConfidence: Infinity },
    'accuracy-drop': { prior: uniform(3), maxConfidence: 0.8 },
  };
  return {
    name: 'classifier', size, shifts: ['class-mix', 'accuracy-drop'],
    settings: settingsWith({ floor: predictions.sourceAccuracy - 0.07, headline: 'ac' }),
    model: { name: 'classifier', bundle, window: { type: 'count', size, minEvents: 1 } },
    events(kind, seed) {
      const { prior, maxConfidence } = draws[kind]!;
      const features = syntheticRows(size, seed);
      return draw(prior, maxConfidence, seed).map((e, i) => ({ features: features[i]!, ...e }));
    },
  };
}

/**
 * A regression model: y ~ N(mean, 1), its input x = y + noise, its prediction 0.9·x; windows of
 * 200 against a reference of 6,000 rows (30 windows: see the note on reference sizes above).
 */
function regressionFixture(): ContractFixture {
  const size = 200;
  const draw = (n: number, mean: number, seed: number) => {
    const normal = gaussian(seededRandom(seed));
    return Array.from({ length: n }, () => {
      const y = mean + normal();
      const x = y + 0.5 * normal();
      return { x, prediction: 0.9 * x, label: y };
    });
  };
  const reference = draw(6000, 0, 1);
  const regression = fitRegressionReference(reference, ['x', 'prediction', 'label'], 1, { windowSize: size, alpha: 0.05, iidWindows: 100 })!;
  const features = [buildFeatureReference({ name: 'x', kind: 'numeric' }, reference.map((r) => r.x))];
  const bundle: ReferenceBundle = {
    formatVersion: BUNDLE_FORMAT_VERSION, model: 'regression', version: 'test', createdAt: '2026-11-28T00:00:00.000Z', source: { path: 'synthetic', rows: reference.length, sha256: '' },
    features, featureNulls: fitFeatureNulls(features, reference, { ...TEST_OPTIONS, windowSize: size, iidWindows: 50, seed: 2 })!, regression, ...plainBundleParts(reference.length),
  };
  return {
    name: 'regression', size, shifts: ['target-mean'], settings: settingsWith(),
    model: { name: 'regression', bundle: independentWindows(bundle), window: { type: 'count', size, minEvents: 1 } },
    events: (kind, seed) => draw(size, kind === 'target-mean' ? 0.8 : 0, seed).map((r) => ({ features: { x: r.x }, value: r.prediction })),
  };
}

/** The synthetic features with a small trained flow and its conditional feature test (as flow-detection.spec.ts trains them). */
async function flowFixture(): Promise<ContractFixture> {
  const rows = syntheticRows(REFERENCE_ROWS, 3);
  const flow = await fitFlow(rows, inferSchema(rows, Object.keys(rows[0]!)), {
    seed: 1, architecture: { layers: 4, hidden: 32 }, maxEpochs: 25, patience: 5, batchSize: 512, learningRate: 3e-3,
    localization: { windowSize: SIZE, alpha: 0.05, replicates: 1000, method: 'flow' },
  });
  if ('skipped' in flow) throw new Error(`the flow fixture trained no flow: ${flow.skipped}`);
  const flowScorer = await createFlowScorer(flow.model, 'auto', 4096, createLogger('error'), 'flow');
  const localizer = await FeatureLocalizer.create(flow.localization!, flow.model);
  return {
    name: 'flow', size: SIZE, shifts: ['correlation-flip'], settings: settingsWith(),
    model: { name: 'flow', bundle: independentWindows({ ...baseFeatures('flow'), flow }), window: { type: 'count', size: SIZE, minEvents: 1 }, flowScorer, localizer },
    events: (kind, seed) => syntheticRows(SIZE, seed, syntheticShifts[kind]).map((features) => ({ features })),
  };
}

let fitted: Promise<Record<FixtureName, ContractFixture>> | undefined;

let classifierOnly: ContractFixture | undefined;

/** The classifier fixture alone (the flow fixture's fit takes most of `contractFixtures`' time). */
export function classifierContractFixture(): ContractFixture {
  classifierOnly ??= classifierFixture();
  return classifierOnly;
}

/** Every fixture, fitted once per test file. */
export function contractFixtures(): Promise<Record<FixtureName, ContractFixture>> {
  fitted ??= (async () => ({ features: featuresFixture(), classifier: classifierFixture(), regression: regressionFixture(), flow: await flowFixture() }))();
  return fitted;
}
