/** Seeded synthetic data for the label-shift tests (not a spec file). */
import { gaussian, seededRandom } from '../../../src/core/random.js';

export { gaussian, seededRandom };

/** Index drawn from the probability vector p. */
export function sampleCategorical(random: () => number, p: readonly number[]): number {
  let u = random();
  for (let k = 0; k < p.length - 1; k++) {
    u -= p[k]!;
    if (u < 0) return k;
  }
  return p.length - 1;
}

/** Spec Appendix A.3: P(ŷ=i | y=j), source prior p and shifted target prior q. */
export const A3 = {
  M: [
    [0.8, 0.15, 0.1],
    [0.1, 0.75, 0.2],
    [0.1, 0.1, 0.7],
  ],
  p: [0.5, 0.3, 0.2],
  q: [0.2, 0.3, 0.5],
};

/** Labels drawn from `prior` and hard predictions drawn from column y of M (M[i][j] = P(ŷ=i|y=j)). */
export function sampleConfusionData(random: () => number, M: readonly (readonly number[])[], prior: readonly number[], size: number) {
  const labels: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < size; i++) {
    const y = sampleCategorical(random, prior);
    labels.push(y);
    predicted.push(sampleCategorical(random, M.map((row) => row[y]!)));
  }
  return { labels, predicted };
}

/** Spec Appendix A.4 model: x | y=k ~ N(μ_k, 1), μ = (−2, 0, 2). */
export const GAUSS_MEANS = [-2, 0, 2];

/** Exact posterior P[k] ∝ N(x; μ_k, 1)·prior_k: a perfectly calibrated source model. */
export function gaussianPosterior(x: number, prior: readonly number[], means: readonly number[] = GAUSS_MEANS): number[] {
  const w = means.map((m, k) => Math.exp(-0.5 * (x - m) ** 2) * prior[k]!);
  const total = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / total);
}

/** m points with labels from q; returns the labels and the source posteriors (under `sourcePrior`). */
export function sampleGaussianWindow(random: () => number, m: number, q: readonly number[], sourcePrior: readonly number[]) {
  const normal = gaussian(random);
  const labels: number[] = [];
  const posteriors: number[][] = [];
  for (let u = 0; u < m; u++) {
    const y = sampleCategorical(random, q);
    labels.push(y);
    posteriors.push(gaussianPosterior(GAUSS_MEANS[y]! + normal(), sourcePrior));
  }
  return { labels, posteriors };
}

export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

