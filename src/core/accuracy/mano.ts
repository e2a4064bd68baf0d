/**
 * MaNo (docs/algorithms.md#mano): a window score from the entrywise p-norm (p = 4) of row-normalised logits.
 * The normalisation (softmax or Taylor) is chosen once, on the held-out source logits, with the
 * criterion Φ, and then kept for every window so that the score never jumps. The window part is a
 * running Σ P⁴, so summaries merge by addition. The score is not an accuracy: see mano-calibration.ts.
 */
import { ReferenceDataError } from '../errors.js';
import { logSoftmax, softmax } from './scores.js';

export type ManoNormalisation = 'softmax' | 'taylor';

/** The norm's exponent p (fixed by the method). */
export const MANO_EXPONENT = 4;
/** Default η: Φ above it selects softmax. */
export const MANO_DEFAULT_ETA = 5;

/** Plain-JSON MaNo parameters. */
export interface ManoFit {
  classes: number;
  normalisation: ManoNormalisation;
  /** Φ on the held-out logits; per-window Φ is only a diagnostic. */
  criterion: number;
  eta: number;
  /** Why this normalisation was chosen, and any warning (e.g. Φ close to η). */
  notes: string[];
}

/** Φ = −(1/(mK)) Σ_i Σ_k log softmax(z_i)_k; always ≥ log K. */
export function manoCriterion(logits: readonly (readonly number[])[]): number {
  let total = 0;
  let count = 0;
  for (const row of logits) {
    for (const v of logSoftmax(row)) total -= v;
    count += row.length;
  }
  return total / count;
}

/**
 * Taylor normalisation as the reference code does it: v = 1 + z + z²/2, minus the row minimum, then
 * divided by the row sum. The sum is 0 whenever all v in the row are equal — equal logits, but also
 * logits placed symmetrically about −1 such as [0, −2] — and the row is then taken as uniform.
 * v is not monotone in z (it rises again below −1), so a very negative logit can get more mass than
 * a logit of 0; that is the reference behaviour, and the calibration refuses a score that stops
 * tracking accuracy.
 */
export function taylorNormalise(z: readonly number[]): number[] {
  const v = z.map((x) => 1 + x + (x * x) / 2);
  const low = Math.min(...v);
  const shifted = v.map((x) => x - low);
  const total = shifted.reduce((a, b) => a + b, 0);
  return total > 0 ? shifted.map((x) => x / total) : z.map(() => 1 / z.length);
}

export function normaliseLogits(z: readonly number[], normalisation: ManoNormalisation): number[] {
  return normalisation === 'softmax' ? softmax(z) : taylorNormalise(z);
}

function checkLogits(logits: readonly (readonly number[])[], what: string): number {
  const [first] = logits;
  if (first === undefined) throw new ReferenceDataError(undefined, `MaNo got no ${what} rows`, 'pass at least one row of logits');
  const classes = first.length;
  logits.forEach((row, i) => {
    if (row.length !== classes) {
      throw new ReferenceDataError(undefined, `${what} row ${i} has ${row.length} logits, row 0 has ${classes}`, 'pass one logit per class in every row');
    }
    if (row.some((v) => !Number.isFinite(v))) {
      throw new ReferenceDataError(undefined, `${what} row ${i} has a non-finite logit`, 'pass finite logits');
    }
  });
  if (classes < 2) throw new ReferenceDataError(undefined, `MaNo needs at least 2 classes, got ${classes}`, 'pass logits of a classifier');
  return classes;
}

/** Chooses the normalisation once, from held-out source logits (docs/algorithms.md#mano). */
export function fitMano(sourceLogits: readonly (readonly number[])[], options: { eta?: number } = {}): ManoFit {
  const classes = checkLogits(sourceLogits, 'held-out');
  const eta = options.eta ?? MANO_DEFAULT_ETA;
  const criterion = manoCriterion(sourceLogits);
  const notes: string[] = [];
  let normalisation: ManoNormalisation;
  if (classes === 2) {
    // With the row-minimum subtraction a 2-class row always becomes one-hot: the score would be constant.
    normalisation = 'softmax';
    notes.push('K = 2: softmax forced, Taylor normalisation makes every binary row one-hot');
  } else {
    normalisation = criterion > eta ? 'softmax' : 'taylor';
    notes.push(`Φ = ${criterion} ${criterion > eta ? '>' : '≤'} η = ${eta}: ${normalisation}`);
  }
  if (Math.abs(criterion - eta) <= 0.1) {
    notes.push(`warning: Φ is within 0.1 of η, so the choice depends on the logit convention; keep the one used here`);
  }
  return { classes, normalisation, criterion, eta, notes };
}

/** Mergeable window summary: row count and Σ_i Σ_k P_ik⁴. */
export interface ManoSummary {
  n: number;
  classes: number;
  sumPower: number;
}

export function manoSummary(windowLogits: readonly (readonly number[])[], fit: ManoFit): ManoSummary {
  let sumPower = 0;
  windowLogits.forEach((row, i) => {
    if (row.length !== fit.classes) throw new RangeError(`manoSummary: row ${i} has ${row.length} logits, the fit has ${fit.classes} classes`);
    for (const p of normaliseLogits(row, fit.normalisation)) sumPower += p ** MANO_EXPONENT;
  });
  return { n: windowLogits.length, classes: fit.classes, sumPower };
}

export function mergeManoSummaries(a: ManoSummary, b: ManoSummary): ManoSummary {
  if (a.classes !== b.classes) throw new RangeError(`mergeManoSummaries: ${a.classes} vs ${b.classes} classes`);
  return { n: a.n + b.n, classes: a.classes, sumPower: a.sumPower + b.sumPower };
}

/** S = ((1/(mK)) Σ P⁴)^(1/4), in [1/K, K^(−1/4)]; higher goes with higher accuracy. */
export function manoScoreFromSummary(summary: ManoSummary): number {
  if (!(summary.n > 0)) throw new RangeError('manoScoreFromSummary: the window is empty');
  return (summary.sumPower / (summary.n * summary.classes)) ** (1 / MANO_EXPONENT);
}

/** MaNo score of a whole window (computed once over the window, not averaged over batches). */
export function manoScore(windowLogits: readonly (readonly number[])[], fit: ManoFit): number {
  return manoScoreFromSummary(manoSummary(windowLogits, fit));
}
