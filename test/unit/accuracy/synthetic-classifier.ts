/**
 * Test fixture: K-class Gaussian data (isotropic, shared spread) and a linear softmax classifier
 * fitted to it (LDA: class means and pooled variance estimated from a training sample, priors
 * uniform). The classifier's logits are linear in x, so it is well calibrated on its own source.
 */
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { softmax } from '../../../src/core/accuracy/scores.js';

export interface GaussianTask {
  means: number[][];
  sd: number;
}

export interface LabelledSample {
  x: number[][];
  y: number[];
}

/** Draws n rows with class proportions `priors` (labels drawn i.i.d. from the priors). */
export function sampleTask(task: GaussianTask, priors: readonly number[], n: number, seed: number): LabelledSample {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    let u = random();
    let k = 0;
    while (k < priors.length - 1 && u >= priors[k]!) u -= priors[k++]!;
    y.push(k);
    x.push(task.means[k]!.map((m) => m + task.sd * normal()));
  }
  return { x, y };
}

export interface LinearClassifier {
  weights: number[][];
  biases: number[];
}

/** LDA with uniform class priors: logit_k = (μ_kᵀx − ½‖μ_k‖²)/σ². */
export function fitLda(sample: LabelledSample, classes: number): LinearClassifier {
  const d = sample.x[0]!.length;
  const sums = Array.from({ length: classes }, () => new Array<number>(d).fill(0));
  const counts = new Array<number>(classes).fill(0);
  sample.x.forEach((row, i) => {
    counts[sample.y[i]!]!++;
    row.forEach((v, j) => (sums[sample.y[i]!]![j]! += v));
  });
  const means = sums.map((s, k) => s.map((v) => v / counts[k]!));
  let squares = 0;
  sample.x.forEach((row, i) => row.forEach((v, j) => (squares += (v - means[sample.y[i]!]![j]!) ** 2)));
  const variance = squares / (sample.x.length * d - classes);
  return {
    weights: means.map((m) => m.map((v) => v / variance)),
    biases: means.map((m) => -m.reduce((a, v) => a + v * v, 0) / (2 * variance)),
  };
}

export function classifierLogits(model: LinearClassifier, x: readonly (readonly number[])[]): number[][] {
  return x.map((row) => model.weights.map((w, k) => model.biases[k]! + w.reduce((a, v, j) => a + v * row[j]!, 0)));
}

export function classifierProbabilities(model: LinearClassifier, x: readonly (readonly number[])[]): number[][] {
  return classifierLogits(model, x).map(softmax);
}

/**
 * Unequal difficulty on purpose: class 0 is far from the rest, classes 1 and 2 overlap, so a label
 * shift towards classes 1 and 2 lowers the accuracy (with equal difficulty it would not move).
 */
export const UNEVEN_TASK: GaussianTask = {
  means: [
    [4, 0],
    [-1, 0.6],
    [-1, -0.6],
  ],
  sd: 1,
};
