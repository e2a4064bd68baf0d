/**
 * The demo's closing table: per phase, which alerts fired (and the features they named) and which
 * resolved, the headline accuracy estimate (mean over the phase, with its mean interval) against the
 * realized accuracy from the delayed labels, and the estimated class shares against the true ones.
 * Pure: built from the window records, realized reports and alerts the service published.
 */
import type { Alert } from '../core/alerts/alert.js';
import type { WindowRecord } from '../core/pipeline/window-record.js';
import type { DemoPhase } from './scenario.js';
import { formatTable } from './text-table.js';
import { at } from '../core/indexing.js';

/** One tested window of the stream, with its labels' outcome once they arrived. */
export interface ObservedWindow {
  /** 0-based position in the stream. */
  index: number;
  phase: number;
  record: WindowRecord;
  realized?: { accuracy: number; classShares: number[] };
}

export interface PhaseAlert {
  phase: number;
  alert: Alert;
}

export interface FiredAlert {
  detector: string;
  /** The features the alert named, most likely first (none for label-shift and accuracy-floor). */
  named: string[];
}

export interface PhaseAccuracy {
  /** Windows with both a headline estimate and realized accuracy. */
  labelled: number;
  /** Means over those windows of the headline estimate, its interval's ends, and realized accuracy. */
  estimate: number;
  lower: number;
  upper: number;
  realized: number;
  /** Windows whose realized accuracy lay inside the headline interval. */
  inside: number;
  /** Mean |estimate − realized| of the headline and of the "no change" baseline. */
  headlineError: number;
  noChangeError: number;
  /** The estimators the headline came from, in order of first use. */
  estimators: string[];
}

export interface PhaseRow {
  phase: DemoPhase;
  fired: FiredAlert[];
  resolved: string[];
  /** Detectors still in an alert episode when the phase's last window closed. */
  openAtEnd: string[];
  accuracy: PhaseAccuracy | undefined;
  /** Mean estimated and true (labelled) class shares over the phase's windows. */
  shares: { estimate: number[]; truth: number[] } | undefined;
}

/** The features an alert names, most likely first. */
export function namedFeatures(alert: Alert): string[] {
  if (alert.detector === 'feature-shift') return alert.features.filter((f) => f.flagged).map((f) => f.feature);
  if (alert.detector === 'covariate-shift') return alert.suspects ?? [];
  if (alert.detector === 'conditional-shift') return alert.localization?.suspects ?? [];
  return [];
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const meanVector = (vectors: readonly number[][]) => at(vectors, 0, 'vectors').map((_, k) => mean(vectors.map((v) => at(v, k, 'vector'))));

export function phaseRows(phases: readonly DemoPhase[], windows: readonly ObservedWindow[], alerts: readonly PhaseAlert[]): PhaseRow[] {
  const open = new Set<string>();
  return phases.map((phase, p) => {
    const mine = alerts.filter((a) => a.phase === p).sort((a, b) => a.alert.window.serial - b.alert.window.serial);
    for (const { alert } of mine) {
      if (alert.status === 'firing') open.add(alert.detector);
      else open.delete(alert.detector);
    }
    const inPhase = windows.filter((w) => w.phase === p);
    return {
      phase,
      fired: mine.filter((a) => a.alert.status === 'firing').map(({ alert }) => ({ detector: alert.detector, named: namedFeatures(alert) })),
      resolved: mine.filter((a) => a.alert.status === 'resolved').map((a) => a.alert.detector),
      openAtEnd: [...open].sort(),
      accuracy: phaseAccuracy(inPhase),
      shares: phaseShares(inPhase),
    };
  });
}

function phaseAccuracy(windows: readonly ObservedWindow[]): PhaseAccuracy | undefined {
  const labelled = windows.flatMap((w) => (w.record.selected && w.realized ? [{ s: w.record.selected, noChange: w.record.accuracy?.['no-change']?.estimate, realized: w.realized.accuracy }] : []));
  if (labelled.length === 0) return undefined;
  const estimators: string[] = [];
  for (const l of labelled) if (!estimators.includes(l.s.estimator)) estimators.push(l.s.estimator);
  return {
    labelled: labelled.length,
    estimate: mean(labelled.map((l) => l.s.estimate)),
    lower: mean(labelled.map((l) => l.s.lower)),
    upper: mean(labelled.map((l) => l.s.upper)),
    realized: mean(labelled.map((l) => l.realized)),
    inside: labelled.filter((l) => l.realized >= l.s.lower && l.realized <= l.s.upper).length,
    headlineError: mean(labelled.map((l) => Math.abs(l.s.estimate - l.realized))),
    noChangeError: mean(labelled.map((l) => Math.abs((l.noChange ?? l.s.estimate) - l.realized))),
    estimators,
  };
}

function phaseShares(windows: readonly ObservedWindow[]): PhaseRow['shares'] {
  const both = windows.filter((w) => w.record.classShares && w.realized);
  if (both.length === 0) return undefined;
  return { estimate: meanVector(both.map((w) => w.record.classShares!.estimate)), truth: meanVector(both.map((w) => w.realized!.classShares)) };
}

const pct = (v: number) => (100 * v).toFixed(1);
const shares = (v: readonly number[]) => v.map((x) => x.toFixed(2)).join('/');
const alertList = (fired: readonly FiredAlert[]) => fired.map((f) => (f.named.length ? `${f.detector} (${f.named.slice(0, 3).join(', ')})` : f.detector));

/** The two tables, as lines: alerts per phase, then accuracy and class shares (in `classNames` order) per phase. */
export function formatPhaseTables(rows: readonly PhaseRow[], classNames: readonly string[]): string[] {
  const alerts = formatTable(
    [{ title: 'phase', width: 16 }, { title: 'windows', width: 7 }, { title: 'alerts fired (features named)', width: 50 }, { title: 'resolved', width: 34 }],
    rows.map((r) => [r.phase.name, String(r.phase.windows), alertList(r.fired), r.resolved]),
  );
  const accuracy = formatTable(
    [
      { title: 'phase', width: 16 }, { title: 'estimated % [interval]', width: 22 }, { title: 'estimator', width: 16 }, { title: 'realized %', width: 10 },
      { title: 'in interval', width: 11 }, { title: 'shares estimated', width: 16 }, { title: 'shares true', width: 11 },
    ],
    rows.map((r) => {
      const a = r.accuracy;
      return [
        r.phase.name,
        a ? `${pct(a.estimate)} [${pct(a.lower)}, ${pct(a.upper)}]` : '-',
        a ? a.estimators : '-',
        a ? pct(a.realized) : '-',
        a ? `${a.inside}/${a.labelled}` : '-',
        r.shares ? shares(r.shares.estimate) : '-',
        r.shares ? shares(r.shares.truth) : '-',
      ];
    }),
  );
  return [...alerts, '', `headline accuracy (mean over the phase's labelled windows) against realized; class shares ${classNames.join('/')}`, ...accuracy];
}
