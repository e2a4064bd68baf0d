/** What a detector factory is given: the model (bundle, window, scorers) and the service's settings. */
import type { ReferenceBundle } from '../reference/bundle-types.js';
import type { WindowSpec } from '../window/windower.js';
import type { LogLikelihoodScorer } from '../flow/scorer.js';
import type { TestOptions } from '../detect/feature-tests.js';
import type { PredictionOptions } from '../predictions/prediction-options.js';
import type { WindowLocalizer } from './localizer.js';
import type { SequentialSettings } from './sequential.js';
import type { AnyDetector, DetectorName } from './contract.js';

export interface MonitoredModel {
  name: string;
  bundle: ReferenceBundle;
  window: WindowSpec;
  /** Scores the bundle's flow; without it the flow's detectors are off even when the bundle has one. */
  flowScorer?: LogLikelihoodScorer;
  /** Runs the bundle's conditional feature test (needs `flowScorer` too). */
  localizer?: WindowLocalizer;
}

export interface DetectorSettings {
  tests: TestOptions;
  sequential: SequentialSettings;
  predictions: PredictionOptions;
}

export interface DetectorFactory {
  name: DetectorName;
  /** The detector for this model, or undefined when its bundle lacks what the detector needs. */
  create(model: MonitoredModel, settings: DetectorSettings): AnyDetector | undefined;
}
