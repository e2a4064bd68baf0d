/**
 * What `shiftwatch replay` concludes from a whole run (summary.json): for every accuracy estimator,
 * the selected one and "no change", the error against the realized window accuracy, the coverage
 * and width of its interval; the class shares' error next to "no change" and how often an estimate
 * hit a corner; alert episodes per detector; how often each feature and detector flagged a window.
 */
import type { WindowRecord } from '../pipeline/window-record.js';
import type { Alert } from '../alerts/alert.js';
import { at } from '../indexing.js';

export interface EstimatorScore {
  /** Labelled windows scored. */
  windows: number;
  /** Mean |estimate − realized accuracy|. */
  mae: number | null;
  /** Share of labelled windows whose realized accuracy fell inside the interval. */
  coverage: number | null;
  meanWidth: number | null;
}

export interface ReplaySummary {
  events: number;
  rejected: number;
  windows: number;
  labelledWindows: number;
  /** Per estimator (label-free ones, no-change, last-realized) and `selected`. */
  accuracy: Record<string, EstimatorScore>;
  /**
   * Each estimator the backtest ever selected, scored on the windows where it was the selected one,
   * next to no-change on the same windows: no selected estimator should do worse than no-change.
   */
  selectedAgainstNoChange: Record<string, { windows: number; mae: number; noChangeMae: number; ratio: number | null }>;
  classShares: { windows: number; mae: number | null; noChangeMae: number | null; degenerateWindows: number; degenerateShare: number };
  /** Firing alerts per detector. */
  alertEpisodes: Record<string, number>;
  /** Share of tested windows each feature, and each detector, flagged (a flag is not an alert). */
  flagRate: { features: Record<string, number>; detectors: Record<string, number> };
  /** The only part of the output that depends on the machine. */
  throughput: { seconds: number; eventsPerSecond: number };
}

interface Tally {
  n: number;
  absError: number;
  covered: number;
  width: number;
}

const tally = (): Tally => ({ n: 0, absError: 0, covered: 0, width: 0 });
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const DEGENERATE = (q: number) => q < 0.01 || q > 0.99;

export class ReplaySummaryBuilder {
  private windows = 0;
  private labelled = 0;
  private readonly estimators = new Map<string, Tally>();
  private readonly selected = new Map<string, { n: number; mae: number; noChange: number }>();
  private readonly shares = { n: 0, absError: 0, noChange: 0, degenerate: 0, estimated: 0 };
  private readonly featureFlags = new Map<string, { tested: number; flagged: number }>();
  private readonly detectorFlags = new Map<string, { tested: number; flagged: number }>();
  private readonly episodes = new Map<string, number>();

  constructor(detectors: readonly string[]) {
    for (const d of detectors) this.episodes.set(d, 0);
  }

  window(r: WindowRecord): void {
    this.windows += 1;
    for (const f of r.features) count(this.featureFlags, f.name, f.flagged);
    for (const [name, d] of Object.entries(r.detectors)) if (d.tested) count(this.detectorFlags, name, d.flagged);
    if (r.classShares !== undefined) {
      this.shares.estimated += 1;
      if (r.classShares.estimate.some(DEGENERATE)) this.shares.degenerate += 1;
    }
    const realized = r.realized;
    if (realized === undefined) return;
    this.labelled += 1;
    for (const [name, e] of Object.entries(r.accuracy ?? {})) score(this.estimators, name, e, realized.accuracy);
    if (r.selected !== undefined) {
      score(this.estimators, 'selected', r.selected, realized.accuracy);
      const noChange = r.accuracy?.['no-change'];
      if (noChange !== undefined) {
        const s = this.selected.get(r.selected.estimator) ?? { n: 0, mae: 0, noChange: 0 };
        s.n += 1;
        s.mae += Math.abs(r.selected.estimate - realized.accuracy);
        s.noChange += Math.abs(noChange.estimate - realized.accuracy);
        this.selected.set(r.selected.estimator, s);
      }
    }
    if (r.classShares !== undefined && r.classShares.reference !== undefined) {
      const k = realized.classShares.length;
      this.shares.n += 1;
      this.shares.absError += r.classShares.estimate.reduce((s, q, i) => s + Math.abs(q - at(realized.classShares, i, 'realized class shares')), 0) / k;
      this.shares.noChange += r.classShares.reference.reduce((s, q, i) => s + Math.abs(q - at(realized.classShares, i, 'realized class shares')), 0) / k;
    }
  }

  alert(a: Alert): void {
    if (a.status === 'firing') this.episodes.set(a.detector, (this.episodes.get(a.detector) ?? 0) + 1);
  }

  build(counts: { events: number; rejected: number; seconds: number }): ReplaySummary {
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      events: counts.events,
      rejected: counts.rejected,
      windows: this.windows,
      labelledWindows: this.labelled,
      accuracy: Object.fromEntries(sorted(this.estimators).map(([name, t]) => [name, {
        windows: t.n, mae: ratio(t.absError, t.n), coverage: ratio(t.covered, t.n), meanWidth: ratio(t.width, t.n),
      }])),
      selectedAgainstNoChange: Object.fromEntries(sorted(this.selected).map(([name, s]) => [name, {
        windows: s.n, mae: s.mae / s.n, noChangeMae: s.noChange / s.n, ratio: ratio(s.mae, s.noChange),
      }])),
      classShares: {
        windows: this.shares.n, mae: ratio(this.shares.absError, this.shares.n), noChangeMae: ratio(this.shares.noChange, this.shares.n),
        degenerateWindows: this.shares.degenerate, degenerateShare: ratio(this.shares.degenerate, this.shares.estimated) ?? 0,
      },
      alertEpisodes: Object.fromEntries(sorted(this.episodes)),
      flagRate: {
        features: Object.fromEntries(sorted(this.featureFlags).map(([k, v]) => [k, v.flagged / v.tested])),
        detectors: Object.fromEntries(sorted(this.detectorFlags).map(([k, v]) => [k, v.flagged / v.tested])),
      },
      throughput: { seconds: counts.seconds, eventsPerSecond: counts.seconds > 0 ? counts.events / counts.seconds : 0 },
    };
  }
}

function count(m: Map<string, { tested: number; flagged: number }>, key: string, flagged: boolean): void {
  const c = m.get(key) ?? { tested: 0, flagged: 0 };
  c.tested += 1;
  if (flagged) c.flagged += 1;
  m.set(key, c);
}

function score(m: Map<string, Tally>, name: string, e: { estimate: number; lower: number; upper: number }, truth: number): void {
  const t = m.get(name) ?? tally();
  t.n += 1;
  t.absError += Math.abs(e.estimate - truth);
  if (truth >= e.lower && truth <= e.upper) t.covered += 1;
  t.width += e.upper - e.lower;
  m.set(name, t);
}
