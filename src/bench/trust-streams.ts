/**
 * Synthetic streams with the hard properties of real ones, for the `trust` benchmark (issue: signals
 * that stay quiet when nothing changed). A 3-class model (multinomial logistic regression trained
 * on a source sample, over-confident on purpose) scores events whose inputs and class mix follow a
 * daily cycle: class shares swing by ±0.08, two inputs drift with the time of day, a categorical
 * channel's mix follows the day too, and `hour` is a calendar feature. Windows are shorter than the
 * cycle, and the reference spans whole days. On top of that, each stream scripts one kind of change:
 *  - seasonal: nothing changes (the no-shift control);
 *  - label-shift: from a given window on, the class mix moves (inputs given the class do not; this
 *    stream's world has only the class mix's daily cycle, so the label-shift assumption holds);
 *  - accuracy-drift: input noise grows slowly over the stream, so accuracy falls slowly;
 *  - feature-shift: one input's mean moves for a stretch of windows, then returns.
 * Rows are written as the CSV a user would export: features, prob_<class>, label, ts.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createTask, type ClassificationTask } from '../demo/classification.js';
import { gaussian, seededRandom } from '../core/random.js';
import { softmax } from '../core/labelshift/softmax.js';

export const CLASS_NAMES = ['low', 'mid', 'high'] as const;
export const NUMERIC = ['x0', 'x1', 'x2', 'x3'] as const;
export const DAY_MS = 24 * 3600 * 1000;
export const START_MS = Date.UTC(2026, 5, 1);

export interface StreamShape {
  windowSize: number;
  windowsPerDay: number;
}

export type Script =
  | { kind: 'none' }
  | { kind: 'label-shift'; fromWindow: number; mix: readonly number[] }
  | { kind: 'accuracy-drift'; windows: number; maxNoise: number }
  | { kind: 'feature-shift'; feature: (typeof NUMERIC)[number]; fromWindow: number; toWindow: number; shift: number };

export interface TrustWorld {
  task: ClassificationTask;
  shape: StreamShape;
  /** Inputs drift with the time of day (x0, x1); without it only the class mix does, so p(x | y) never moves. */
  covariateSeasonality: boolean;
}

export function createWorld(shape: StreamShape, seed: number, covariateSeasonality = true): TrustWorld {
  return { task: createTask({ classes: CLASS_NAMES.length, dims: NUMERIC.length, separation: 1.1, seed, overconfidence: 1.6 }), shape, covariateSeasonality };
}

/** The daily class mix at phase φ (radians). */
function dailyMix(phi: number, base: readonly number[]): number[] {
  const swing = [0.08 * Math.sin(phi), -0.04 * Math.sin(phi), -0.04 * Math.sin(phi)];
  const raw = base.map((b, k) => Math.max(0.01, b + swing[k]!));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / total);
}

const BASE_MIX = [0.25, 0.45, 0.3] as const;

/**
 * Writes `windows` windows of the world's stream, starting `offsetWindows` windows after START_MS,
 * under `script` (window indices are relative to the stream's first window). Returns the rows written.
 */
export async function writeStream(path: string, world: TrustWorld, options: { offsetWindows: number; windows: number; script: Script; seed: number }): Promise<number> {
  const { windowSize, windowsPerDay } = world.shape;
  const rowsPerDay = windowSize * windowsPerDay;
  const step = DAY_MS / rowsPerDay;
  const random = seededRandom(options.seed);
  const normal = gaussian(random);
  const { task } = world;
  const out = createWriteStream(path);
  out.write(`${['ts', ...NUMERIC, 'hour', 'channel', ...CLASS_NAMES.map((c) => `prob_${c}`), 'label'].join(',')}\n`);
  let rows = 0;
  for (let w = 0; w < options.windows; w++) {
    const script = options.script;
    let lines = '';
    for (let i = 0; i < windowSize; i++) {
      const index = (options.offsetWindows + w) * windowSize + i;
      const t = START_MS + index * step;
      const phi = (2 * Math.PI * (t % DAY_MS)) / DAY_MS;
      const mix = script.kind === 'label-shift' && w >= script.fromWindow ? dailyMix(phi, script.mix) : dailyMix(phi, BASE_MIX);
      let y = 0;
      for (let acc = mix[0]!, u = random(); u >= acc && y < mix.length - 1; ) acc += mix[++y]!;
      const noise = script.kind === 'accuracy-drift' ? (script.maxNoise * w) / script.windows : 0;
      const x = task.means[y]!.map((m) => m + normal() + noise * normal());
      if (world.covariateSeasonality) {
        x[0]! += 0.6 * Math.sin(phi);
        x[1]! += 0.4 * Math.cos(phi);
      }
      if (script.kind === 'feature-shift' && w >= script.fromWindow && w < script.toWindow) x[NUMERIC.indexOf(script.feature)]! += script.shift;
      const probs = softmax(task.weights.map((row, k) => task.biases[k]! + row.reduce((s, v, j) => s + v * x[j]!, 0)));
      const hour = Math.floor((24 * (t % DAY_MS)) / DAY_MS);
      const channel = random() < 0.5 + 0.3 * Math.sin(phi) ? 'web' : 'app';
      lines += `${[Math.round(t), ...x.map((v) => v.toFixed(5)), hour, channel, ...probs.map((p) => p.toFixed(8)), CLASS_NAMES[y]].join(',')}\n`;
      rows++;
    }
    if (!out.write(lines)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}
