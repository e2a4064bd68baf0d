import { fitClassificationReference } from '../../../src/core/predictions/classification-fit.js';
import { calibratedPrediction, type ClassificationReference } from '../../../src/core/predictions/classification-reference.js';
import { emptyBacktest, learn, publish, selectEstimator, adaptiveHalfWidth } from '../../../src/core/predictions/accuracy-backtest.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../../../src/core/predictions/prediction-options.js';
import type { AccuracyState } from '../../../src/core/detectors/accuracy-floor.js';
import type { AccuracyDetails } from '../../../src/core/detectors/prediction-details.js';
import { createTask, sample, uniform } from '../../../src/demo/classification.js';
import type { Row } from '../../../src/core/reference/row.js';
import type { ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import { syntheticBundle } from '../../support/fixtures.js';
import { detector, predictionWindow, run } from './detector-harness.js';

const settings = DEFAULT_PREDICTION_OPTIONS.accuracy;

describe('accuracy backtest (pure)', () => {
  const published = (serial: number, estimates: Record<string, [number, number]>) =>
    ({ serial, estimates: Object.fromEntries(Object.entries(estimates).map(([k, [estimate, halfWidth]]) => [k, { estimate, halfWidth }])) });

  it('selects no-change until an estimator beats it on enough labelled windows, then the best one', () => {
    let s = emptyBacktest();
    const candidates = ['atc-ne', 'ac'] as const;
    expect(selectEstimator(s, settings, candidates).estimator).toBe('no-change');
    // A window's error counts towards the totals once a newer window has labels: 6 windows finalise 5.
    for (let w = 1; w <= 6; w++) {
      s = publish(s, published(w, { 'no-change': [0.9, 0.05], 'atc-ne': [0.81, 0.05], ac: [0.86, 0.05] }));
      s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
      if (w < settings.minBacktestWindows) expect(selectEstimator(s, settings, candidates).estimator).toBe('no-change');
    }
    expect(selectEstimator(s, settings, candidates)).toEqual({ estimator: 'atc-ne', mae: expect.closeTo(0.01, 9) });
  });

  it('does not select an estimator that beats no-change lately but not over the whole run', () => {
    let s = emptyBacktest();
    for (let w = 1; w <= 60; w++) {
      // atc-ne: far off for 40 windows, then slightly better than no-change for 20.
      s = publish(s, published(w, { 'no-change': [0.85, 0.05], 'atc-ne': [w <= 40 ? 0.7 : 0.81, 0.05] }));
      s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
    }
    expect(selectEstimator(s, settings, ['atc-ne']).estimator).toBe('no-change');
  });

  it('keeps no-change when no estimator beats it', () => {
    let s = emptyBacktest();
    for (let w = 1; w <= 5; w++) {
      s = publish(s, published(w, { 'no-change': [0.8, 0.05], 'atc-ne': [0.7, 0.05] }));
      s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
    }
    expect(selectEstimator(s, settings, ['atc-ne']).estimator).toBe('no-change');
  });

  it('adaptive conformal widths grow after misses and shrink after covered windows', () => {
    let s = emptyBacktest();
    const errors = [0.01, 0.02, 0.03, 0.04, 0.05];
    for (let w = 1; w <= 5; w++) {
      s = publish(s, published(w, { ac: [0.8 + errors[w - 1]!, 0.001] }));
      s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
    }
    // Every finalised window (1–4) missed its 0.001 half-width: α_t fell from 0.1 by γ·0.9 each time, to its floor 0.
    expect(s.miscoverage.ac).toBe(0);
    const wide = adaptiveHalfWidth(s, settings, 'ac')!;
    expect(wide).toBeCloseTo(0.05, 12);
    for (let w = 6; w <= 30; w++) {
      s = publish(s, published(w, { ac: [0.8 + 0.01, 0.1] }));
      s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
    }
    expect(s.miscoverage.ac).toBeGreaterThan(0.1);
    expect(adaptiveHalfWidth(s, settings, 'ac')!).toBeLessThan(wide);
  });

  it('stays bounded however many windows pass', () => {
    let s = emptyBacktest();
    for (let w = 1; w <= 5000; w++) {
      s = publish(s, published(w, { ac: [0.8, 0.05], 'no-change': [0.9, 0.05] }));
      if (w % 3 === 0) s = learn(s, settings, { serial: w, accuracy: 0.8, labeled: 500 }).state;
    }
    expect(JSON.stringify(s).length).toBeLessThan(20_000);
  });
});

describe('accuracy-floor detector', () => {
  const task = createTask({ classes: 3, dims: 4, seed: 8 });
  let ref: ClassificationReference;
  let bundle: ReferenceBundle;
  beforeAll(() => {
    const src = sample(task, 6000, uniform(3), 0, 1);
    const rows: Row[] = src.probs.map((p, i) => Object.fromEntries([...p.map((v, k) => [`prob_${k}`, v]), ['label', src.labels[i]!]]));
    ref = fitClassificationReference(rows, Object.keys(rows[0]!), { windowSize: 300, seed: 1 })!;
    bundle = { ...syntheticBundle('m', { rows: 1000, windowSize: 300, replicates: 20 }), predictions: ref };
  });
  const windowOf = (seed: number, noise = 0) => {
    const s = sample(task, 300, uniform(3), noise, seed);
    const probs = s.probs.map((p) => calibratedPrediction(ref, { probs: p }) as number[]);
    const accuracy = s.labels.filter((y, i) => s.logits[i]!.indexOf(Math.max(...s.logits[i]!)) === y).length / 300;
    return { probs, accuracy };
  };

  it('shows chunk intervals before labels, adaptive ones after, and no-change until the backtest picks another', async () => {
    const d = detector('accuracy-floor', { name: 'm', bundle });
    let state = d.initialState() as AccuracyState;
    const kinds: string[] = [];
    const selected: string[] = [];
    for (let w = 1; w <= 12; w++) {
      const win = windowOf(100 + w, 1);
      const r = await run(d, state, predictionWindow(bundle, w, win.probs));
      state = r.state;
      const details = r.result.details as AccuracyDetails;
      kinds.push(details.accuracy['atc-ne']!.interval);
      selected.push(details.selected.estimator);
      const learned = d.learn!(state, { serial: w, accuracy: win.accuracy, labeled: 300 });
      state = learned.state as AccuracyState;
      expect(learned.errors!['no-change']).toBeCloseTo(ref.sourceAccuracy - win.accuracy, 12);
    }
    expect(kinds.slice(0, settings.minBacktestWindows)).toEqual(Array(settings.minBacktestWindows).fill('chunk'));
    expect(kinds.at(-1)).toBe('aci');
    expect(selected[0]).toBe('no-change');
    // Noise makes the model clearly worse than at the source: some estimator beats "nothing changed".
    expect(selected.at(-1)).not.toBe('no-change');
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(d.decodeState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('fires only when the headline interval lies wholly below the floor', async () => {
    const win = windowOf(5);
    const strict = detector('accuracy-floor', { name: 'm', bundle }, { floor: 0.999, headline: 'atc-ne' });
    const fired = await run(strict, strict.initialState(), predictionWindow(bundle, 1, win.probs));
    expect((fired.result.details as AccuracyDetails).headline.upper).toBeLessThan(0.999);
    expect(fired.transition).toBe('fire');
    const lenient = detector('accuracy-floor', { name: 'm', bundle }, { floor: 0.3, headline: 'atc-ne' });
    expect((await run(lenient, lenient.initialState(), predictionWindow(bundle, 1, win.probs))).transition).toBeNull();
  });
});
