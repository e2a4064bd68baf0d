/** Runs one registered detector on hand-made windows, as the monitor does (test, then step). */
import { DETECTOR_REGISTRY } from '../../../src/core/detectors/registry.js';
import type { AnyDetector, DetectorName, DetectorResult, EarlierResults, WindowView } from '../../../src/core/detectors/contract.js';
import type { MonitoredModel } from '../../../src/core/detectors/model.js';
import { DEFAULT_PREDICTION_OPTIONS, type PredictionOptions } from '../../../src/core/predictions/prediction-options.js';
import { emptySummary, type WindowSummary } from '../../../src/core/window/summary.js';
import type { ReferenceBundle } from '../../../src/core/reference/bundle-types.js';
import { TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

export function detector(name: DetectorName, model: Omit<MonitoredModel, 'window'>, predictions: Partial<PredictionOptions> = {}): AnyDetector {
  const factory = DETECTOR_REGISTRY.find((f) => f.name === name)!;
  const d = factory.create({ window: { type: 'count', size: 1000, minEvents: 1 }, ...model }, {
    tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL, predictions: { ...DEFAULT_PREDICTION_OPTIONS, ...predictions },
  });
  if (d === undefined) throw new Error(`the bundle has nothing for ${name}`);
  return d;
}

/** A window whose summary holds these calibrated probability rows. */
export function predictionWindow(bundle: ReferenceBundle, serial: number, probs: readonly (readonly number[])[]): WindowView {
  const summary: WindowSummary = emptySummary(bundle.features, { classes: bundle.predictions!.classes });
  summary.n = probs.length;
  summary.predictions = { classes: bundle.predictions!.classes, n: probs.length, missing: 0, probs: probs.flat() };
  return { model: bundle.model, id: `w${serial}`, serial, start: serial, end: serial, n: probs.length, summary };
}

/** test + step, threading the state; returns the result and the next state. */
export async function run<S extends object>(d: AnyDetector, state: S, window: WindowView, earlier: EarlierResults = new Map()): Promise<{ result: DetectorResult; state: S; transition: string | null }> {
  const result = await d.test(window, earlier, state);
  if (!result.tested) return { result, state, transition: null };
  const outcome = d.step(state, result, window);
  return { result, state: outcome.state as S, transition: outcome.step.transition };
}
