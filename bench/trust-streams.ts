/**
 * The `trust` benchmark's streams (issue: signals that stay quiet when nothing changed), drawn from
 * the classifier world shared with the demo (src/demo/classifier-world.ts): a daily cycle in the
 * class mix, the channel and, in the seasonal world, two inputs; `hour` is a calendar feature.
 * Windows are shorter than the cycle, and the reference spans whole days. On top of that, each
 * stream scripts one kind of change:
 *  - seasonal: nothing changes (the no-shift control);
 *  - label-shift: from a given window on, the class mix moves (inputs given the class do not; this
 *    stream's world has only the class mix's daily cycle, so the label-shift assumption holds);
 *  - accuracy-drift: input noise grows slowly over the stream, so accuracy falls slowly;
 *  - feature-shift: one input's mean moves for a stretch of windows, then returns.
 */
import { writeWorldCsv, type ClassifierWorld, type NumericInput, type WindowConditions } from '../src/demo/classifier-world.js';

export { createWorld, NUMERIC } from '../src/demo/classifier-world.js';

export type Script =
  | { kind: 'none' }
  | { kind: 'label-shift'; fromWindow: number; mix: readonly number[] }
  | { kind: 'accuracy-drift'; windows: number; maxNoise: number }
  | { kind: 'feature-shift'; feature: NumericInput; fromWindow: number; toWindow: number; shift: number };

/** The conditions of window `w` (relative to the stream's first window) under `script`. */
function conditions(script: Script, w: number): WindowConditions {
  switch (script.kind) {
    case 'none': return {};
    case 'label-shift': return w >= script.fromWindow ? { mix: script.mix } : {};
    case 'accuracy-drift': return { noise: { sd: (script.maxNoise * w) / script.windows } };
    case 'feature-shift': return w >= script.fromWindow && w < script.toWindow ? { shift: { feature: script.feature, by: script.shift } } : {};
  }
}

/**
 * Writes `windows` windows of the world's stream, starting `offsetWindows` windows after the world's
 * first, under `script`. Returns the rows written.
 */
export function writeStream(path: string, world: ClassifierWorld, options: { offsetWindows: number; windows: number; script: Script; seed: number }): Promise<number> {
  return writeWorldCsv(path, world, { offsetWindows: options.offsetWindows, windows: options.windows, seed: options.seed, conditions: (w) => conditions(options.script, w) });
}
