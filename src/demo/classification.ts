/**
 * A synthetic classification task for tests, benchmarks and the demo: K Gaussian classes in d
 * dimensions and a multinomial logistic-regression model trained on a source sample, made
 * over-confident on purpose (its logits are scaled up), so calibration has something to fix.
 * Target samples can change the class mix (label shift) and add noise to the inputs (covariate shift).
 */
import { gaussian, seededRandom } from '../core/random.js';

export interface ClassificationTask {
  classes: number;
  dims: number;
  means: number[][];
  /** Weights (K × d) and biases (K) of the trained model, logits scaled by `overconfidence`. */
  weights: number[][];
  biases: number[];
}

export interface LabelledSample {
  x: number[][];
  labels: number[];
  logits: number[][];
  probs: number[][];
}

export function createTask(options: { classes?: number; dims?: number; separation?: number; seed?: number; overconfidence?: number } = {}): ClassificationTask {
  const classes = options.classes ?? 10;
  const dims = options.dims ?? 16;
  const normal = gaussian(seededRandom(options.seed ?? 1));
  const separation = options.separation ?? 0.6;
  const means = Array.from({ length: classes }, () => Array.from({ length: dims }, () => separation * normal()));
  const task: ClassificationTask = { classes, dims, means, weights: means.map(() => new Array<number>(dims).fill(0)), biases: new Array<number>(classes).fill(0) };
  const train = sampleInputs(task, 4000, uniform(classes), 0, (options.seed ?? 1) + 7);
  fitLogistic(task, train.x, train.labels, 150, 0.5);
  const scale = options.overconfidence ?? 2;
  task.weights = task.weights.map((row) => row.map((w) => w * scale));
  task.biases = task.biases.map((b) => b * scale);
  return task;
}

export const uniform = (k: number): number[] => new Array<number>(k).fill(1 / k);

/** Draws labels from `prior`, inputs from the class Gaussians plus `noise` SD of extra noise, and the model's outputs. */
export function sample(task: ClassificationTask, n: number, prior: readonly number[], noise: number, seed: number): LabelledSample {
  const { x, labels } = sampleInputs(task, n, prior, noise, seed);
  const logits = x.map((row) => task.weights.map((w, k) => task.biases[k]! + dot(w, row)));
  return { x, labels, logits, probs: logits.map(softmaxRow) };
}

/** A Dirichlet(α, …, α) draw, for random class mixes. */
export function dirichlet(k: number, alpha: number, seed: number): number[] {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const g = Array.from({ length: k }, () => gammaDraw(alpha, random, normal));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / total);
}

function sampleInputs(task: ClassificationTask, n: number, prior: readonly number[], noise: number, seed: number) {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const labels: number[] = [];
  const x: number[][] = [];
  for (let i = 0; i < n; i++) {
    const u = random();
    let y = 0;
    for (let acc = prior[0]!; u >= acc && y < task.classes - 1; ) acc += prior[++y]!;
    labels.push(y);
    x.push(task.means[y]!.map((m) => m + normal() + noise * normal()));
  }
  return { x, labels };
}

function fitLogistic(task: ClassificationTask, x: number[][], labels: number[], iterations: number, rate: number): void {
  for (let it = 0; it < iterations; it++) {
    const gw = task.weights.map((row) => row.map(() => 0));
    const gb = task.biases.map(() => 0);
    x.forEach((row, i) => {
      const p = softmaxRow(task.weights.map((w, k) => task.biases[k]! + dot(w, row)));
      p.forEach((pk, k) => {
        const err = pk - (labels[i] === k ? 1 : 0);
        gb[k]! += err;
        for (let j = 0; j < row.length; j++) gw[k]![j]! += err * row[j]!;
      });
    });
    task.weights.forEach((w, k) => w.forEach((_, j) => (w[j]! -= (rate * gw[k]![j]!) / x.length)));
    task.biases.forEach((_, k) => (task.biases[k]! -= (rate * gb[k]!) / x.length));
  }
}

export function softmaxRow(z: readonly number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Marsaglia–Tsang gamma sampler (with the α < 1 boost). */
function gammaDraw(alpha: number, random: () => number, normal: () => number): number {
  if (alpha < 1) return gammaDraw(alpha + 1, random, normal) * Math.pow(random(), 1 / alpha);
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}
