/**
 * A synthetic classification task for tests, benchmarks and the demo: K Gaussian classes in d
 * dimensions and a multinomial logistic-regression model trained on a source sample, made
 * over-confident on purpose (its logits are scaled up), so calibration has something to fix.
 * Target samples can change the class mix (label shift) and add noise to the inputs (covariate shift).
 */
import { gaussian, seededRandom } from '../core/random.js';
import { symmetricDirichlet } from '../core/accuracy/shift-sampling.js';
import { softmax } from '../core/labelshift/softmax.js';
import { at } from '../core/indexing.js';

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
  const logits = x.map((row) => logitsOf(task, row));
  return { x, labels, logits, probs: logits.map(softmax) };
}

/** A Dirichlet(α, …, α) draw, for random class mixes. */
export function dirichlet(k: number, alpha: number, seed: number): number[] {
  return symmetricDirichlet(k, alpha, seededRandom(seed));
}

/** The index drawn by the uniform `u` from the distribution `p`. */
export function drawIndex(p: readonly number[], u: number): number {
  let acc = 0;
  for (const [y, py] of p.entries()) {
    acc += py;
    if (u < acc || y === p.length - 1) return y;
  }
  throw new RangeError('drawIndex: empty distribution');
}

/** The class means averaged over `prior`. */
export function centreOf(means: readonly (readonly number[])[], prior: readonly number[]): number[] {
  return at(means, 0, 'class means').map((_, j) => prior.reduce((s, p, k) => s + p * at(at(means, k, 'class means'), j, 'class mean'), 0));
}

/**
 * A pure covariate shift toward the class boundaries: the inputs `dims` of `x` are pulled toward
 * `centre` (centre + factor × (x − centre), in place), and the returned label is drawn with the
 * uniform `u` from p(y | x) of the task's world (unit-variance Gaussian classes at `means` with
 * class prior `prior`), so the model stays as right about its confidence as before while its
 * accuracy falls.
 */
export function pullTowardBoundaries(x: number[], means: readonly (readonly number[])[], prior: readonly number[], shift: { centre: readonly number[]; dims: readonly number[]; factor: number }, u: number): number {
  for (const j of shift.dims) {
    const centre = at(shift.centre, j, 'centre');
    x[j] = centre + shift.factor * (at(x, j, 'inputs') - centre);
  }
  const logits = means.map((m, k) => Math.log(at(prior, k, 'class prior')) - 0.5 * m.reduce((s, mj, j) => s + (at(x, j, 'inputs') - mj) ** 2, 0));
  return drawIndex(softmax(logits), u);
}

function sampleInputs(task: ClassificationTask, n: number, prior: readonly number[], noise: number, seed: number) {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const labels: number[] = [];
  const x: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = drawIndex(prior, random());
    labels.push(y);
    x.push(at(task.means, y, 'class means').map((m) => m + normal() + noise * normal()));
  }
  return { x, labels };
}

function fitLogistic(task: ClassificationTask, x: number[][], labels: number[], iterations: number, rate: number): void {
  for (let it = 0; it < iterations; it++) {
    const gw = task.weights.map((row) => row.map(() => 0));
    const gb = task.biases.map(() => 0);
    x.forEach((row, i) => {
      const p = softmax(logitsOf(task, row));
      p.forEach((pk, k) => {
        const err = pk - (labels[i] === k ? 1 : 0);
        gb[k] = at(gb, k, 'bias gradient') + err;
        const g = at(gw, k, 'weight gradient');
        // Checked inline, not through at(): this loop runs rows × classes × inputs times per iteration.
        for (let j = 0; j < row.length; j++) {
          const gj = g[j];
          const v = row[j];
          if (gj === undefined || v === undefined) throw new RangeError(`fitLogistic: input ${j} of ${row.length} has no weight`);
          g[j] = gj + err * v;
        }
      });
    });
    task.weights.forEach((w, k) => {
      const g = at(gw, k, 'weight gradient');
      w.forEach((wj, j) => (w[j] = wj - (rate * at(g, j, 'weight gradient')) / x.length));
    });
    task.biases.forEach((b, k) => (task.biases[k] = b - (rate * at(gb, k, 'bias gradient')) / x.length));
  }
}


function dot(a: readonly number[], b: readonly number[]): number {
  // Checked inline, not through at() (see fitLogistic).
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const u = a[i];
    const v = b[i];
    if (u === undefined || v === undefined) throw new RangeError(`dot: ${a.length} weights for ${b.length} inputs`);
    s += u * v;
  }
  return s;
}

/** The task's model outputs (logits) for the inputs `x`. */
export function logitsOf(task: ClassificationTask, x: readonly number[]): number[] {
  return task.weights.map((w, k) => at(task.biases, k, 'class biases') + dot(w, x));
}
