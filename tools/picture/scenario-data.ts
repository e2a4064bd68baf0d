/**
 * The data of the monitored scenario (scenario.ts): two models, seeded.
 *
 * - `clf`, a 4-class classifier (src/demo/classification.ts) on six numeric inputs x0..x5 plus a
 *   categorical `channel` independent of the class. Its events carry `prediction.probs`, and its
 *   labels arrive later on the labels topic. The shift pulls x2 toward the class boundaries
 *   (classification.ts, `pullTowardBoundaries`: x2 keeps SQUEEZE of its distance from the classes'
 *   centre, and the label follows the world's own p(y | x), a pure covariate shift): every other
 *   input keeps its distribution, the model's outputs are recomputed from the shifted inputs, and
 *   its accuracy drops, with its confidence, as it would in production.
 * - `reg`, a regression model on r0..r3 whose events carry `prediction.value`; it stays clean, with
 *   r3 missing in 1% of its events. Its windows are half the classifier's: a small reference
 *   keeps its fit (the regression target-shift source model) quick.
 */
import { centreOf, createTask, pullTowardBoundaries, sample, uniform, type ClassificationTask } from '../../src/demo/classification.js';
import { softmax } from '../../src/core/labelshift/softmax.js';
import { gaussian, seededRandom } from '../../src/core/random.js';

export const CLASSES = 4;
export const CLF_INPUTS = 6;
export const CLF_FEATURES = [...Array.from({ length: CLF_INPUTS }, (_, j) => `x${j}`), 'channel'] as const;
export const SHIFTED_FEATURE = 'x2';
const SHIFTED_INDEX = 2;
/** What x2 keeps of its distance from the classes' centre in the shifted windows. */
export const SQUEEZE = 0.25;
export const CHANNELS = ['web', 'app', 'store'] as const;
const CHANNEL_PROBS = [0.6, 0.3, 0.1];
export const REG_FEATURES = ['r0', 'r1', 'r2', 'r3'] as const;

export const EVENT_TIME_ZERO = 1_764_331_200_000;

export interface ScenarioEvent {
  key: string;
  value: string;
}

let cachedTask: ClassificationTask | undefined;
/** The classifier (trained once, deterministic). */
export function classifier(): ClassificationTask {
  cachedTask ??= createTask({ classes: CLASSES, dims: CLF_INPUTS, separation: 1.4, seed: 11 });
  return cachedTask;
}

function channel(random: () => number): string {
  const u = random();
  let acc = 0;
  for (let i = 0; i < CHANNELS.length; i++) {
    acc += CHANNEL_PROBS[i]!;
    if (u < acc) return CHANNELS[i]!;
  }
  return CHANNELS[CHANNELS.length - 1]!;
}

interface ClfRows {
  features: Record<string, number | string>[];
  probs: number[][];
  labels: number[];
}

function clfRows(n: number, seed: number, shifted: boolean): ClfRows {
  const task = classifier();
  const s = sample(task, n, uniform(CLASSES), 0, seed);
  const random = seededRandom(seed + 7_000_003);
  const relabel = seededRandom(seed + 9_000_011);
  const squeeze = { centre: centreOf(task.means, uniform(CLASSES)), dims: [SHIFTED_INDEX], factor: SQUEEZE };
  const features: Record<string, number | string>[] = [];
  const probs: number[][] = [];
  const labels = s.labels.slice();
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!.slice();
    if (shifted) labels[i] = pullTowardBoundaries(x, task.means, uniform(CLASSES), squeeze, relabel());
    const row: Record<string, number | string> = {};
    x.forEach((v, j) => (row[`x${j}`] = round(v)));
    row.channel = channel(random);
    features.push(row);
    probs.push(shifted ? softmax(task.weights.map((w, k) => task.biases[k]! + w.reduce((a, wj, j) => a + wj * x[j]!, 0))) : s.probs[i]!);
  }
  return { features, probs: probs.map((p) => p.map(round)), labels };
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

/** The classifier's reference: features, `prob_0..prob_3` and the true `label`, as CSV. */
export function clfReferenceCsv(rows: number, seed = 1): string {
  const r = clfRows(rows, seed, false);
  const header = [...CLF_FEATURES, ...Array.from({ length: CLASSES }, (_, k) => `prob_${k}`), 'label'];
  const lines = r.features.map((f, i) => [...CLF_FEATURES.map((name) => f[name]), ...r.probs[i]!, r.labels[i]].join(','));
  return `${header.join(',')}\n${lines.join('\n')}\n`;
}

function regRows(n: number, seed: number): { features: Record<string, number | null>[]; predictions: number[]; targets: number[] } {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const features: Record<string, number | null>[] = [];
  const predictions: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const common = normal();
    const r = [common + normal(), 0.5 * common + normal(), normal(), 2 + normal() * 0.5];
    const prediction = 3 + 1.5 * r[0]! - r[1]! + 0.5 * r[2]!;
    targets.push(round(prediction + 0.8 * normal()));
    predictions.push(round(prediction));
    features.push(Object.fromEntries(REG_FEATURES.map((name, j) => [name, round(r[j]!)])));
  }
  return { features, predictions, targets };
}

/** The regression model's reference: features, the numeric `prediction` and the true target as `label`. */
export function regReferenceCsv(rows: number, seed = 2): string {
  const r = regRows(rows, seed);
  const lines = r.features.map((f, i) => [...REG_FEATURES.map((name) => f[name]), r.predictions[i], r.targets[i]].join(','));
  return `${[...REG_FEATURES, 'prediction', 'label'].join(',')}\n${lines.join('\n')}\n`;
}

export interface WindowMessages {
  events: ScenarioEvent[];
  /** The classifier's labels for this window's events, to send later. */
  labels: ScenarioEvent[];
}

/** Window `w` of both models (`sizes.clf` and `sizes.reg` events), interleaved as they would arrive. */
export function windowMessages(w: number, sizes: { clf: number; reg: number }, shifted: boolean): WindowMessages {
  const clf = clfRows(sizes.clf, 1_000 + w, shifted);
  const reg = regRows(sizes.reg, 2_000 + w);
  const missing = seededRandom(3_000 + w);
  const events: ScenarioEvent[] = [];
  const labels: ScenarioEvent[] = [];
  const n = Math.max(sizes.clf, sizes.reg);
  for (let i = 0; i < n; i++) {
    const ts = EVENT_TIME_ZERO + (w * n + i) * 100;
    if (i < sizes.clf) {
      const id = `clf-w${w}-${i}`;
      events.push({ key: id, value: JSON.stringify({ model: 'clf', id, ts, features: clf.features[i], prediction: { probs: clf.probs[i] } }) });
      // Known one window after the event (its time matters with `labels.order: event-time`).
      labels.push({ key: id, value: JSON.stringify({ model: 'clf', id, label: clf.labels[i], ts: ts + n * 100 }) });
    }
    if (i < sizes.reg) {
      const features = { ...reg.features[i]! };
      if (missing() < 0.01) features.r3 = null;
      const id = `reg-w${w}-${i}`;
      events.push({ key: id, value: JSON.stringify({ model: 'reg', id, ts, features, prediction: { value: reg.predictions[i] } }) });
    }
  }
  return { events, labels };
}

/** A few messages the monitor must dead-letter (with their reason), sent with the first window. */
export const BAD_MESSAGES: ScenarioEvent[] = [
  { key: 'bad-json', value: '{"model":"clf","features":{' },
  { key: 'bad-model', value: JSON.stringify({ model: 'nope', id: 'x', features: { x0: 1 } }) },
  { key: 'bad-type', value: JSON.stringify({ model: 'reg', id: 'y', features: { r0: 'twelve' } }) },
];
