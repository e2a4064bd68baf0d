/**
 * Threshold noise for ATC (docs/algorithms.md#atc): refit the threshold on B bootstrap resamples of the held-out
 * set once, at fit time, and store them. A window then keeps one count per stored threshold, which
 * merges by addition like the main count, and the percentile interval of the B estimates is read off.
 */
import { at } from '../indexing.js';
import { seededRandom } from '../random.js';
import { atcSummary, atcThresholdFromScores, type AtcThreshold, type AtcWindowSummary } from './atc.js';
import { percentile, widerInterval, wilsonCountInterval, type Interval } from './intervals.js';

export interface AtcBootstrapOptions {
  /** Number of resamples; 200 by default. */
  replicates?: number;
  seed?: number;
}

/** Refits the threshold on B resamples (with replacement) of the held-out scores and correctness. */
export function fitAtcBootstrap(
  scores: readonly number[],
  correct: readonly boolean[],
  options: AtcBootstrapOptions = {},
): AtcThreshold[] {
  const n = scores.length;
  if (n !== correct.length || n === 0) {
    throw new RangeError(`fitAtcBootstrap: need one correctness flag per score and at least one row (got ${n}, ${correct.length})`);
  }
  const random = seededRandom(options.seed ?? 1);
  const replicates = options.replicates ?? 200;
  const thresholds: AtcThreshold[] = [];
  for (let b = 0; b < replicates; b++) {
    const sample: number[] = new Array(n);
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const row = Math.floor(random() * n);
      sample[i] = at(scores, row, 'fitAtcBootstrap: scores');
      if (!at(correct, row, 'fitAtcBootstrap: correctness flags')) errors++;
    }
    thresholds.push(atcThresholdFromScores(sample, errors));
  }
  return thresholds;
}

/** Mergeable window summary: one (tie-weighted) count per bootstrap threshold. */
export interface AtcBootstrapSummary {
  n: number;
  above: number[];
}

export function atcBootstrapSummary(windowScores: readonly number[], thresholds: readonly AtcThreshold[]): AtcBootstrapSummary {
  return { n: windowScores.length, above: thresholds.map((t) => atcSummary(windowScores, t).above) };
}

export function mergeAtcBootstrapSummaries(a: AtcBootstrapSummary, b: AtcBootstrapSummary): AtcBootstrapSummary {
  if (a.above.length !== b.above.length) throw new RangeError('mergeAtcBootstrapSummaries: different numbers of thresholds');
  return { n: a.n + b.n, above: a.above.map((v, i) => v + at(b.above, i, 'mergeAtcBootstrapSummaries')) };
}

/** Percentile interval of the bootstrap estimates on this window (2.5/97.5 % for coverage 0.95). */
export function atcBootstrapInterval(summary: AtcBootstrapSummary, coverage = 0.95): Interval {
  if (!(summary.n > 0)) throw new RangeError('atcBootstrapInterval: the window is empty');
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage must be in (0, 1), got ${coverage}`);
  const estimates = summary.above.map((a) => a / summary.n);
  const tail = (1 - coverage) / 2;
  return { lower: percentile(estimates, tail), upper: percentile(estimates, 1 - tail), kind: 'bootstrap' };
}

/**
 * The interval reported with an ATC estimate: Wilson on the window size, widened to the threshold
 * bootstrap interval when that one is wider (docs/algorithms.md#atc). Without bootstrap counts, Wilson alone.
 */
export function atcInterval(summary: AtcWindowSummary, bootstrap?: AtcBootstrapSummary, coverage = 0.95): Interval {
  const sampling = wilsonCountInterval(summary.above, summary.n, coverage);
  return bootstrap === undefined ? sampling : widerInterval(sampling, atcBootstrapInterval(bootstrap, coverage));
}
