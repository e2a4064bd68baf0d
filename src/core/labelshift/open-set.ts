/**
 * Open-set label shift (docs/algorithms.md#open-set-label-shift): the target holds the K source classes in new proportions plus
 * one unseen out-of-distribution (OOD) class. Inputs are a calibrated closed-set posterior f per row
 * and an in-distribution probability h ∈ [0, 1] per row (any ID probability can be plugged in; the
 * hard 0/1 threshold below is the default way to get one from a raw score). Stages:
 *   0. turn a raw ID score into h (hard threshold at the midpoint of the two source medians);
 *   1. source ID ratio ρ_s from μ1 (mean h on source ID data) and μ0 (mean h on pseudo-OOD data ÷ T);
 *   2. EM over K+1 labels with f̃ = [h·f, 1 − h] and c̃ = [ρ_s·c, 1 − ρ_s], a fixed 100 iterations;
 *   3. adjusted classify-and-count correction of the EM's ID fraction: (ρ_EM − μ0)/(μ1 − μ0).
 * Self-contained on purpose: it does not use the closed-set EM module.
 */
import { at, outOfRange } from '../indexing.js';
import { zipWith } from './linear-algebra.js';

/**
 * Divisor T applied to μ0 in stage 1 and in stage 3 (the reference method's value). Note [ours]: with
 * T = 1 stage 3 is exactly adjusted classify-and-count, (observed − FPR)/(TPR − FPR); T = 2 is a
 * heuristic, and when the pseudo-OOD set scores like real OOD it biases ρ̂_t up (≈ +0.02 at ρ_t = 0.5
 * in our simulation). It is a parameter of `openSetSource` for that reason.
 */
export const PSEUDO_OOD_TEMPERATURE = 2;
/** The stage-2 EM runs a fixed number of iterations, with no tolerance. */
export const OPEN_SET_EM_ITERATIONS = 100;

/**
 * Stage 0: medians of a raw ID score on source ID and pseudo-OOD rows, their midpoint and half gap
 * (separated = halfGap > 1e-4), and the boundary where h switches from 0 to 1.
 */
export interface IdScoreThreshold {
  idMedian: number;
  pseudoOodMedian: number;
  midpoint: number;
  halfGap: number;
  boundary: number;
  separated: boolean;
}

/**
 * Source-side quantities every window reuses: c (normalised), μ1 = mean h on source ID rows, the
 * pseudo-OOD mean of h before and after the division by T (μ0), ρ_s and c̃ = [ρ_s·c, 1 − ρ_s].
 */
export interface OpenSetSource {
  classPrior: number[];
  idRateOnSourceId: number;
  idRateOnPseudoOodRaw: number;
  idRateOnPseudoOod: number;
  temperature: number;
  sourceIdFraction: number;
  openSetPrior: number[];
  warnings: string[];
}

export interface OpenSetOptions {
  /** EM iterations (default 100, as the method prescribes; other values are for tests only). */
  iterations?: number;
  /** 'mle' (default) or the 'map' variant that shrinks π toward uniform after each M-step. */
  estimator?: 'mle' | 'map';
}

/**
 * One window's estimate: π̂ over the K ID classes (sum 1), ρ̂_t (ID fraction, after stage 3) and the
 * OOD fraction 1 − ρ̂_t, the uncorrected ρ_t,EM, π̃_t = [ρ̂_t·π̂, 1 − ρ̂_t] and weights π̂/c.
 * `corrected` is false when μ1 ≤ μ0: the correction is undefined there and ρ_t,EM is reported.
 */
export interface OpenSetEstimate {
  classProportions: number[];
  idFraction: number;
  oodFraction: number;
  emIdFraction: number;
  corrected: boolean;
  targetOpenSetPrior: number[];
  classWeights: number[];
  iterations: number;
  source: OpenSetSource;
  warnings: string[];
}

function nonEmpty(values: readonly number[]): readonly number[] {
  if (values.length === 0) throw new RangeError('open-set label shift: empty source sample');
  return values;
}
const mean = (values: readonly number[]) => nonEmpty(values).reduce((acc, v) => acc + v, 0) / values.length;
const median = (values: readonly number[]) => {
  const s = [...nonEmpty(values)].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? at(s, mid, 'median') : (at(s, mid - 1, 'median') + at(s, mid, 'median')) / 2;
};

/**
 * Stage 0. Medians of a raw ID score (higher = more ID) on source ID rows and on pseudo-OOD rows. The
 * boundary defaults to their midpoint; pass another (e.g. from a 1-D logistic regression) to override.
 */
export function fitIdScoreThreshold(
  rawOnSourceId: readonly number[],
  rawOnPseudoOod: readonly number[],
  boundary?: number,
): IdScoreThreshold {
  const idMedian = median(rawOnSourceId);
  const pseudoOodMedian = median(rawOnPseudoOod);
  const midpoint = (idMedian + pseudoOodMedian) / 2;
  const halfGap = (idMedian - pseudoOodMedian) / 2;
  return { idMedian, pseudoOodMedian, midpoint, halfGap, boundary: boundary ?? midpoint, separated: halfGap > 1e-4 };
}

/**
 * Hard rescaling (the default for every K): h = 1 above the boundary, else 0. The reference method's
 * soft alternative, sigmoid((raw − midpoint)/halfGap), pushed ρ̂_t to 1 in our simulation, so
 * it is left out; any other per-row ID probability can still be passed to the estimator.
 */
export function hardIdProbability(threshold: IdScoreThreshold, raw: number): number {
  return raw > threshold.boundary ? 1 : 0;
}

/** Stage 1 formula. μ0 must already be divided by T. Solves ρ·μ1 + (1 − ρ)·μ0 = ρ for ρ. */
export function sourceIdFraction(mu1: number, mu0: number): number {
  return mu0 / (1 - mu1 + mu0);
}

/** c̃ = [ρ_s·c_1, …, ρ_s·c_K, 1 − ρ_s]. */
export function openSetPrior(classPrior: readonly number[], rhoS: number): number[] {
  return [...classPrior.map((c) => rhoS * c), 1 - rhoS];
}

/** Stage 3: (ρ_EM − μ0)/(μ1 − μ0) clipped to [0, 1]; μ0 already divided by T. Null when μ1 ≤ μ0. */
export function correctIdFraction(rhoEm: number, mu1: number, mu0: number): number | null {
  if (!(mu1 > mu0)) return null;
  return Math.min(1, Math.max(0, (rhoEm - mu0) / (mu1 - mu0)));
}

function checkProbabilities(name: string, values: readonly number[]): void {
  const bad = values.find((h) => !(h >= 0 && h <= 1));
  if (bad !== undefined) throw new RangeError(`${name}: ID probabilities must lie in [0, 1], got ${bad}`);
}

/**
 * Stage 1 from the per-row ID probabilities h on source ID validation rows and on the pseudo-OOD
 * reference, plus the source class distribution (counts or proportions over the K classes).
 */
export function openSetSource(
  classPrior: readonly number[],
  idProbOnSourceId: readonly number[],
  idProbOnPseudoOod: readonly number[],
  temperature = PSEUDO_OOD_TEMPERATURE,
): OpenSetSource {
  const total = classPrior.reduce((acc, c) => acc + c, 0);
  if (classPrior.length === 0 || !(total > 0) || classPrior.some((c) => !(c > 0))) {
    throw new RangeError('openSetSource: class prior must have positive entries');
  }
  if (!(temperature > 0)) throw new RangeError(`openSetSource: temperature must be > 0, got ${temperature}`);
  checkProbabilities('openSetSource(source ID)', idProbOnSourceId);
  checkProbabilities('openSetSource(pseudo-OOD)', idProbOnPseudoOod);
  const c = classPrior.map((v) => v / total);
  const mu1 = mean(idProbOnSourceId);
  const mu0Raw = mean(idProbOnPseudoOod);
  const mu0 = mu0Raw / temperature;
  const warnings: string[] = [];
  if (mu1 - mu0 <= 1e-3) warnings.push(`ID score barely separates ID from pseudo-OOD (μ1 = ${mu1}, μ0 = ${mu0})`);
  let rhoS = sourceIdFraction(mu1, mu0);
  // Guard [ours]: ρ_s is 0 when no pseudo-OOD row looks ID (common with a hard h), which would make
  // c̃ zero on the ID classes. Clamping is harmless for a hard h (ρ_s cancels row by row in the E-step).
  const eps = 1e-6;
  if (!(rhoS >= eps && rhoS <= 1 - eps)) {
    warnings.push(`source ID fraction ρ_s = ${rhoS} clamped into [${eps}, ${1 - eps}]`);
    rhoS = Number.isNaN(rhoS) ? 0.5 : Math.min(1 - eps, Math.max(eps, rhoS));
  }
  const priorTilde = openSetPrior(c, rhoS);
  return {
    classPrior: c, idRateOnSourceId: mu1, idRateOnPseudoOodRaw: mu0Raw, idRateOnPseudoOod: mu0,
    temperature, sourceIdFraction: rhoS, openSetPrior: priorTilde, warnings,
  };
}

/** Stages 2 and 3 on one target window: `posteriors` is m×K, `idProbabilities` has m entries. */
export function estimateOpenSetLabelShift(
  posteriors: readonly (readonly number[])[],
  idProbabilities: readonly number[],
  source: OpenSetSource,
  options: OpenSetOptions = {},
): OpenSetEstimate {
  const k = source.classPrior.length;
  const m = posteriors.length;
  const iterations = options.iterations ?? OPEN_SET_EM_ITERATIONS;
  if (m === 0 || idProbabilities.length !== m) throw new RangeError(`open-set EM: ${m} rows vs ${idProbabilities.length} ID probabilities`);
  if (posteriors.some((row) => row.length !== k)) throw new RangeError(`open-set EM: every posterior row needs ${k} entries`);
  checkProbabilities('open-set EM', idProbabilities);
  const cTilde = source.openSetPrior;
  if (cTilde.length !== k + 1) throw new RangeError(`open-set EM: the source's open-set prior has ${cTilde.length} entries, expected ${k + 1}`);
  const warnings = [...source.warnings];
  // MAP shrinkage weight λ = 1 − 0.5κ/(1 + 0.5κ), κ = KL(c ‖ uniform) + 1e-6; the OOD ratio gets no prior.
  const kappa = source.classPrior.reduce((acc, c) => acc + c * Math.log(c * k), 0) + 1e-6;
  const lambda = options.estimator === 'map' ? 1 - (0.5 * kappa) / (1 + 0.5 * kappa) : 1;

  let pi = [...source.classPrior];
  let rho = source.sourceIdFraction;
  // Rows were checked to have k entries and cTilde k + 1, so every read below is in range.
  const g = new Float64Array(k + 1);
  for (let it = 0; it < iterations; it++) {
    const w = Float64Array.from([...pi.map((p, j) => (rho * p) / at(cTilde, j)), (1 - rho) / at(cTilde, k)]);
    const piTilde = new Float64Array(k + 1);
    let used = 0;
    for (let u = 0; u < m; u++) {
      const h = at(idProbabilities, u, 'open-set EM: ID probabilities');
      const row = at(posteriors, u, 'open-set EM: posteriors');
      let sum = 0;
      let j = 0;
      for (const f of row) {
        const gj = h * f * (w[j] ?? outOfRange('open-set EM', j, w));
        g[j++] = gj;
        sum += gj;
      }
      const ood = (1 - h) * (w[k] ?? outOfRange('open-set EM', k, w));
      g[k] = ood;
      sum += ood;
      if (!(sum > 0)) continue; // the row has no mass under the current prior; it carries no information
      used++;
      for (let j = 0; j <= k; j++) {
        const share = (g[j] ?? outOfRange('open-set EM', j, g)) / sum;
        piTilde[j] = (piTilde[j] ?? outOfRange('open-set EM', j, piTilde)) + share;
      }
    }
    if (used === 0) throw new RangeError('open-set EM: no row has positive mass under the current prior');
    for (let j = 0; j <= k; j++) piTilde[j] = (piTilde[j] ?? outOfRange('open-set EM', j, piTilde)) / used;
    const idMass = 1 - (piTilde[k] ?? outOfRange('open-set EM', k, piTilde));
    rho = idMass;
    if (idMass > 0) pi = Array.from(piTilde.subarray(0, k), (p) => lambda * (p / idMass) + (1 - lambda) / k);
  }
  if (!(rho > 0)) warnings.push('every row was assigned to OOD; class proportions stay at the source prior');

  const { idRateOnSourceId: mu1, idRateOnPseudoOod: mu0 } = source;
  const correctedValue = correctIdFraction(rho, mu1, mu0);
  if (correctedValue === null) warnings.push(`μ0 ≥ μ1 (${mu0} ≥ ${mu1}): stage-3 correction skipped`);
  const idFraction = correctedValue ?? rho;
  const targetOpenSetPrior = [...pi.map((p) => idFraction * p), 1 - idFraction];
  const classWeights = zipWith(pi, source.classPrior, (p, c) => p / c, 'open-set EM');
  return {
    classProportions: pi, idFraction, oodFraction: 1 - idFraction, emIdFraction: rho,
    corrected: correctedValue !== null, targetOpenSetPrior, classWeights, iterations, source, warnings,
  };
}

/** Corrected (K+1)-way posterior ∝ f̃ ⊙ π̃_t / c̃ for one row; the last entry is the OOD label. */
export function correctOpenSetPosterior(posterior: readonly number[], idProbability: number, estimate: OpenSetEstimate): number[] {
  const cTilde = estimate.source.openSetPrior;
  const k = posterior.length;
  const raw = [...posterior.map((f) => idProbability * f), 1 - idProbability].map(
    (v, j) => (v * at(estimate.targetOpenSetPrior, j, 'correctOpenSetPosterior')) / at(cTilde, j, 'correctOpenSetPosterior'),
  );
  const sum = raw.reduce((acc, v) => acc + v, 0);
  return sum > 0 ? raw.map((v) => v / sum) : new Array<number>(k + 1).fill(1 / (k + 1));
}
