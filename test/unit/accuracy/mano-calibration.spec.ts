/**
 * MaNo score → accuracy calibration on the seeded synthetic classifier of synthetic-classifier.ts
 * (3 Gaussian classes of uneven difficulty, LDA logits; Φ ≈ 6.3 on the held-out set, so softmax).
 */
import { fitMano, manoScore, manoScoreFromSummary, manoSummary, mergeManoSummaries } from '../../../src/core/accuracy/mano.js';
import { fitManoCalibration, manoAccuracy, type ManoCalibration } from '../../../src/core/accuracy/mano-calibration.js';
import { logitAccuracy } from '../../../src/core/accuracy/synthetic-shifts.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { UNEVEN_TASK, classifierLogits, fitLda, sampleTask } from './synthetic-classifier.js';

const UNIFORM = [1 / 3, 1 / 3, 1 / 3];
const model = fitLda(sampleTask(UNEVEN_TASK, UNIFORM, 5000, 1), 3);
const held = sampleTask(UNEVEN_TASK, UNIFORM, 5000, 2);
const heldLogits = classifierLogits(model, held.x);
const fit = fitMano(heldLogits);
const calibration = fitManoCalibration(heldLogits, held.y, fit);

describe('fitManoCalibration with the default synthetic shifts', () => {
  it('fits a linear map on 70 % of 100 sets plus the held-out point and calibrates on the other 30', () => {
    expect(fit.normalisation).toBe('softmax');
    expect(calibration.normalisation).toBe('softmax');
    expect(calibration.map.kind).toBe('linear');
    expect(calibration.fitSets).toBe(71);
    expect(calibration.calibrationSets).toBe(30);
    expect(calibration.rankCorrelation).toBeGreaterThan(0.8);
  });

  it('reproduces the held-out accuracy within the conformal half-width (docs/algorithms.md#mano)', () => {
    expect(calibration.sourceAccuracy).toBeCloseTo(logitAccuracy(heldLogits, held.y), 15);
    expect(calibration.sourceFitError).toBeLessThanOrEqual(calibration.halfWidth);
    expect(calibration.halfWidth).toBeGreaterThan(0);
    expect(calibration.halfWidth).toBeLessThan(0.05);
    expect(manoAccuracy(calibration.sourceScore, calibration).accuracy).toBeCloseTo(calibration.sourceAccuracy, 1);
  });

  it('is plain JSON and deterministic for a given seed', () => {
    const roundTrip = JSON.parse(JSON.stringify(calibration)) as ManoCalibration;
    expect(roundTrip).toEqual(calibration);
    expect(fitManoCalibration(heldLogits, held.y, fit)).toEqual(calibration);
    expect(fitManoCalibration(heldLogits, held.y, fit, { seed: 2 }).halfWidth).not.toBe(calibration.halfWidth);
  });
});

describe('manoAccuracy', () => {
  it('tracks a label shift towards the hard classes within its interval, where "no change" fails', () => {
    const target = sampleTask(UNEVEN_TASK, [0.02, 0.49, 0.49], 5000, 3);
    const logits = classifierLogits(model, target.x);
    const truth = logitAccuracy(logits, target.y);
    const estimate = manoAccuracy(manoScore(logits, fit), calibration);
    expect(Math.abs(calibration.sourceAccuracy - truth)).toBeGreaterThan(calibration.halfWidth);
    expect(estimate.interval.kind).toBe('conformal');
    expect(estimate.interval.lower).toBeLessThanOrEqual(truth);
    expect(estimate.interval.upper).toBeGreaterThanOrEqual(truth);
    expect(estimate.inCalibrationRange).toBe(true);
  });

  it('flags scores outside the calibration range as extrapolation and clips to [0, 1]', () => {
    const outside = manoAccuracy(3 ** -0.25, calibration); // one-hot rows: the largest possible score
    expect(outside.inCalibrationRange).toBe(false);
    expect(outside.accuracy).toBeLessThanOrEqual(1);
    expect(manoAccuracy(1 / 3, calibration).inCalibrationRange).toBe(false); // uniform rows: the smallest score
    expect(manoAccuracy(0.05, calibration).accuracy).toBe(0); // the line would go below 0
  });

  it('works from merged window summaries exactly as from the whole window', () => {
    const window = classifierLogits(model, sampleTask(UNEVEN_TASK, UNIFORM, 600, 4).x);
    const merged = mergeManoSummaries(manoSummary(window.slice(0, 250), fit), manoSummary(window.slice(250), fit));
    expect(manoScoreFromSummary(merged)).toBeCloseTo(manoScore(window, fit), 13);
  });
});

describe('isotonic map', () => {
  it('is non-decreasing and also reproduces the held-out accuracy', () => {
    const isotonic = fitManoCalibration(heldLogits, held.y, fit, { method: 'isotonic' });
    expect(isotonic.map.kind).toBe('isotonic');
    if (isotonic.map.kind !== 'isotonic') return;
    const { accuracies } = isotonic.map;
    for (let i = 1; i < accuracies.length; i++) expect(accuracies[i]).toBeGreaterThanOrEqual(accuracies[i - 1]!);
    expect(isotonic.sourceFitError).toBeLessThanOrEqual(isotonic.halfWidth);
  });
});

describe('refusals', () => {
  it('refuses a score that does not move (identical rows), saying MaNo should be disabled', () => {
    const logits = Array.from({ length: 300 }, () => [1, 0, 0]);
    const labels = logits.map((_, i) => (i % 3 === 0 ? 0 : 1));
    expect(() => fitManoCalibration(logits, labels, fitMano(logits))).toThrow(
      /score hardly moves across synthetic shifts \(standard deviation \d[^)]*\).*Fix: none needed: MaNo is left out of the bundle/,
    );
  });

  it('refuses a score that falls as accuracy rises (confidently wrong rows)', () => {
    // 70 % correct rows with a small margin, 30 % wrong rows with a large one.
    const normal = gaussian(seededRandom(21));
    const labels = Array.from({ length: 600 }, (_, i) => i % 3);
    const logits = labels.map((c, i) => {
      const row = [0.3 * normal(), 0.3 * normal(), 0.3 * normal()];
      if (i % 10 < 7) row[c]! += 1;
      else row[(c + 1) % 3]! += 6;
      return row;
    });
    expect(() => fitManoCalibration(logits, labels, fitMano(logits))).toThrow(/does not track accuracy .*Spearman ρ = -/);
  });

  it('refuses a map fitted on extreme label shifts that misses the held-out accuracy (docs/algorithms.md#mano)', () => {
    const extreme = { none: [], prior: [0.02], tilt: [], mix: [] };
    expect(() => fitManoCalibration(heldLogits, held.y, fit, { severities: extreme, repeats: 30 })).toThrow(
      /the map gives 0\.8\d+ on the held-out set itself, whose accuracy is 0\.8118 \(off by more than the interval half-width/,
    );
  });

  it('refuses too few calibration sets for the coverage instead of an infinite interval', () => {
    expect(() => fitManoCalibration(heldLogits, held.y, fit, { repeats: 1 })).toThrow('3 calibration sets are too few for coverage 0.9');
  });

  it('refuses labels that do not match the logits', () => {
    expect(() => fitManoCalibration(heldLogits.slice(0, 10), held.y, fit)).toThrow('10 logit rows but 5000 labels');
    expect(() => fitManoCalibration([[1, 0, 0]], [3], fit)).toThrow('labels must be class indices in [0, 3)');
  });
});
