/** The conditional feature test as the detectors use it (implemented by FeatureLocalizer in src/flow/). */
import type { TestWindowOptions, WindowTestResult } from '../../flow/localize-scorer.js';

export interface WindowLocalizer {
  testWindow(rows: Float32Array, n: number, options: TestWindowOptions): Promise<WindowTestResult>;
}
