/**
 * A classifier's world with the hard properties of real traffic, shared by the demo and the `trust`
 * benchmark. A 3-class model (multinomial logistic regression trained on a source sample,
 * over-confident on purpose; classification.ts) scores events whose class mix follows a daily cycle
 * (class shares swing by ±0.08), optionally with two inputs drifting with the time of day, a
 * categorical channel whose mix follows the day too, and `hour`, a calendar feature. Windows are
 * shorter than the cycle.
 *
 * Each window's rows are drawn under conditions that script a change:
 *  - `mix`: another base class mix (inputs given the class do not move: pure label shift);
 *  - `noise`: extra Gaussian noise on some inputs (covariate shift that lowers the accuracy);
 *  - `shift`: one input's mean moves.
 * Rows come out in time order, one event time step apart; `writeWorldCsv` writes them as the CSV a
 * user would export (features, prob_<class>, label, ts).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { centreOf, createTask, drawIndex, logitsOf, pullTowardBoundaries, type ClassificationTask } from './classification.js';
import { gaussian, seededRandom } from '../core/random.js';
import { softmax } from '../core/labelshift/softmax.js';
import { at } from '../core/indexing.js';

export const CLASS_NAMES = ['low', 'mid', 'high'] as const;
export const NUMERIC = ['x0', 'x1', 'x2', 'x3'] as const;
export type NumericInput = (typeof NUMERIC)[number];
export const CHANNELS = ['web', 'app'] as const;
export const DAY_MS = 24 * 3600 * 1000;
export const START_MS = Date.UTC(2026, 5, 1);
/** The class mix around which the day swings. */
export const BASE_MIX: readonly number[] = [0.25, 0.45, 0.3];

export interface StreamShape {
  windowSize: number;
  windowsPerDay: number;
}

export interface ClassifierWorld {
  task: ClassificationTask;
  shape: StreamShape;
  /** Inputs drift with the time of day (x0, x1); without it only the class mix does, so p(x | y) never moves. */
  covariateSeasonality: boolean;
}

/** What one window's rows are drawn under; the empty object is the world as it was. */
export interface WindowConditions {
  /** The base class mix (the daily swing still applies); default BASE_MIX. */
  mix?: readonly number[];
  /** Extra noise, in standard deviations of an input within a class, on `features` (default: every input). */
  noise?: { sd: number; features?: readonly NumericInput[] };
  /** Added to one input. */
  shift?: { feature: NumericInput; by: number };
  /**
   * Inputs pulled toward the world's centre (the class means averaged over the base mix): each of
   * `features` becomes centre + factor × (x − centre), and the label is then drawn from the world's
   * own p(y | x). A pure covariate shift toward the classes' boundaries: the accuracy falls, and the
   * model's confidence with it.
   */
  squeeze?: { factor: number; features: readonly NumericInput[] };
  /**
   * One input is drawn for another row's class (as when a join pairs rows wrongly): its marginal
   * stays as it was, its link to the class and to the other inputs breaks.
   */
  detach?: NumericInput;
}

export interface WorldRow {
  ts: number;
  x: number[];
  hour: number;
  channel: (typeof CHANNELS)[number];
  probs: number[];
  /** Index into CLASS_NAMES. */
  label: number;
}

export function createWorld(shape: StreamShape, seed: number, covariateSeasonality = true): ClassifierWorld {
  return { task: createTask({ classes: CLASS_NAMES.length, dims: NUMERIC.length, separation: 1.1, seed, overconfidence: 1.6 }), shape, covariateSeasonality };
}

/** The daily class mix at phase φ (radians) around `base`. */
export function dailyMix(phi: number, base: readonly number[]): number[] {
  const swing = [0.08 * Math.sin(phi), -0.04 * Math.sin(phi), -0.04 * Math.sin(phi)];
  const raw = base.map((b, k) => Math.max(0.01, b + at(swing, k, 'daily swing')));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / total);
}

export interface WorldStream {
  /** Windows of the world's time line before the first one drawn (its clock starts at START_MS). */
  offsetWindows: number;
  windows: number;
  seed: number;
  /** The conditions of window `w` (counted from the stream's first window). */
  conditions: (w: number) => WindowConditions;
}

/** The rows of `stream`, window after window, in time order. */
export function* worldRows(world: ClassifierWorld, stream: WorldStream): Generator<WorldRow> {
  const { windowSize, windowsPerDay } = world.shape;
  const step = DAY_MS / (windowSize * windowsPerDay);
  const random = seededRandom(stream.seed);
  const normal = gaussian(random);
  const { task } = world;
  const centre = centreOf(task.means, BASE_MIX);
  for (let w = 0; w < stream.windows; w++) {
    const c = stream.conditions(w);
    const noisy = NUMERIC.map((name) => (c.noise !== undefined && (c.noise.features?.includes(name) ?? true) ? c.noise.sd : 0));
    const shifted = c.shift === undefined ? -1 : NUMERIC.indexOf(c.shift.feature);
    const squeeze = c.squeeze === undefined ? undefined : { centre, dims: c.squeeze.features.map((f) => NUMERIC.indexOf(f)), factor: c.squeeze.factor };
    const detached = c.detach === undefined ? -1 : NUMERIC.indexOf(c.detach);
    for (let i = 0; i < windowSize; i++) {
      const t = START_MS + ((stream.offsetWindows + w) * windowSize + i) * step;
      const phi = (2 * Math.PI * (t % DAY_MS)) / DAY_MS;
      const mix = dailyMix(phi, c.mix ?? BASE_MIX);
      let y = drawIndex(mix, random());
      const means = at(task.means, y, 'class means');
      const x = means.map((m, j) => m + normal() + at(noisy, j, 'noise sds') * normal());
      if (detached >= 0) {
        const other = at(task.means, drawIndex(mix, random()), 'class means');
        x[detached] = at(x, detached, 'inputs') - at(means, detached, 'class mean') + at(other, detached, 'class mean');
      }
      if (squeeze !== undefined) y = pullTowardBoundaries(x, task.means, mix, squeeze, random());
      if (world.covariateSeasonality) {
        x[0] = at(x, 0, 'inputs') + 0.6 * Math.sin(phi);
        x[1] = at(x, 1, 'inputs') + 0.4 * Math.cos(phi);
      }
      if (c.shift !== undefined && shifted >= 0) x[shifted] = at(x, shifted, 'inputs') + c.shift.by;
      const probs = softmax(logitsOf(task, x));
      const hour = Math.floor((24 * (t % DAY_MS)) / DAY_MS);
      const channel = random() < 0.5 + 0.3 * Math.sin(phi) ? CHANNELS[0] : CHANNELS[1];
      yield { ts: Math.round(t), x, hour, channel, probs, label: y };
    }
  }
}

/** The world's features of a row, as an event's `features` object. */
export function rowFeatures(row: WorldRow): Record<string, number | string> {
  const features: Record<string, number | string> = {};
  NUMERIC.forEach((name, j) => (features[name] = at(row.x, j, 'row inputs')));
  features.hour = row.hour;
  features.channel = row.channel;
  return features;
}

/** Writes `stream` as CSV (ts, the features, prob_<class>, label); returns the rows written. */
export async function writeWorldCsv(path: string, world: ClassifierWorld, stream: WorldStream): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${['ts', ...NUMERIC, 'hour', 'channel', ...CLASS_NAMES.map((c) => `prob_${c}`), 'label'].join(',')}\n`);
  let rows = 0;
  let lines = '';
  for (const r of worldRows(world, stream)) {
    lines += `${[r.ts, ...r.x.map((v) => v.toFixed(5)), r.hour, r.channel, ...r.probs.map((p) => p.toFixed(8)), CLASS_NAMES[r.label]].join(',')}\n`;
    if (++rows % world.shape.windowSize === 0) {
      if (!out.write(lines)) await once(out, 'drain');
      lines = '';
    }
  }
  out.end(lines);
  await once(out, 'finish');
  return rows;
}
