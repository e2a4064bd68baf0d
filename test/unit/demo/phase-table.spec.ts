/**
 * The demo's closing table, from hand-made window records, realized reports and alerts: alerts land
 * in the phase of their window, episodes stay open across phases until resolved, and the accuracy
 * and class-share columns are the means over each phase's labelled windows.
 */
import type { Alert } from '../../../src/core/alerts/alert.js';
import type { WindowRecord } from '../../../src/core/pipeline/window-record.js';
import { formatPhaseTables, namedFeatures, phaseRows, type ObservedWindow, type PhaseAlert } from '../../../src/demo/phase-table.js';
import type { DemoPhase } from '../../../src/demo/scenario.js';

const phases: DemoPhase[] = [
  { name: 'clean', what: '', windows: 2, conditions: {}, expect: { kind: 'quiet' } },
  { name: 'covariate shift', what: '', windows: 2, conditions: { squeeze: { factor: 0.25, features: ['x0', 'x1'] } }, expect: { kind: 'features', features: ['x0', 'x1'] } },
  { name: 'clean again', what: '', windows: 2, conditions: {}, expect: { kind: 'quiet' } },
];

function record(serial: number, selected: { estimator: string; estimate: number; lower: number; upper: number }, shares?: number[]): WindowRecord {
  return {
    window: { id: `w${serial}`, serial, start: serial * 1000, end: serial * 1000 + 999, count: 500 },
    features: [],
    detectors: {},
    accuracy: { 'no-change': { estimate: 0.88, lower: 0.86, upper: 0.9, interval: 'chunk' } },
    selected: { ...selected, interval: 'aci' },
    ...(shares ? { classShares: { estimate: shares, lower: shares, upper: shares, reference: [0.25, 0.45, 0.3] } } : {}),
  };
}

function alert(detector: string, status: 'firing' | 'resolved', serial: number, extra: Partial<Alert> = {}): Alert {
  return {
    v: 1, alertId: `${detector}-${status}-${serial}`, model: 'm', detector, status, severity: 'drift', episodeId: `e-${detector}`,
    window: { id: `w${serial}`, serial, start: serial * 1000, end: serial * 1000 + 999, n: 500 },
    statistic: { name: 'cusum', value: 6, threshold: 5, evidence: 3 }, pValue: 0.001, effect: { name: 'e', value: 1 }, ertTargetWindows: 1000,
    features: [], summary: '', ...extra,
  };
}

const featureAlert = alert('feature-shift', 'firing', 3, {
  features: [
    { rank: 1, feature: 'x1', flagged: true } as Alert['features'][number],
    { rank: 2, feature: 'x0', flagged: true } as Alert['features'][number],
    { rank: 3, feature: 'x2', flagged: false } as Alert['features'][number],
  ],
});

const windows: ObservedWindow[] = [
  { index: 0, phase: 0, record: record(1, { estimator: 'no-change', estimate: 0.88, lower: 0.86, upper: 0.9 }, [0.25, 0.45, 0.3]), realized: { accuracy: 0.89, classShares: [0.26, 0.44, 0.3] } },
  { index: 1, phase: 0, record: record(2, { estimator: 'no-change', estimate: 0.88, lower: 0.86, upper: 0.9 }, [0.27, 0.43, 0.3]), realized: { accuracy: 0.87, classShares: [0.28, 0.42, 0.3] } },
  { index: 2, phase: 1, record: record(3, { estimator: 'no-change', estimate: 0.88, lower: 0.86, upper: 0.9 }, [0.1, 0.4, 0.5]), realized: { accuracy: 0.8, classShares: [0.2, 0.4, 0.4] } },
  { index: 3, phase: 1, record: record(4, { estimator: 'ac', estimate: 0.82, lower: 0.78, upper: 0.86 }, [0.1, 0.4, 0.5]), realized: { accuracy: 0.8, classShares: [0.2, 0.4, 0.4] } },
  { index: 4, phase: 2, record: record(5, { estimator: 'ac', estimate: 0.87, lower: 0.83, upper: 0.91 }) },
  { index: 5, phase: 2, record: record(6, { estimator: 'ac', estimate: 0.87, lower: 0.83, upper: 0.91 }), realized: { accuracy: 0.88, classShares: [0.25, 0.45, 0.3] } },
];

const alerts: PhaseAlert[] = [
  { phase: 1, alert: featureAlert },
  { phase: 1, alert: alert('label-shift', 'firing', 4) },
  { phase: 2, alert: alert('feature-shift', 'resolved', 6) },
];

describe('the demo\'s phase table', () => {
  const rows = phaseRows(phases, windows, alerts);

  it('puts each alert in its phase, with the features it named, and keeps episodes open until they resolve', () => {
    expect(rows.map((r) => r.fired)).toEqual([[], [{ detector: 'feature-shift', named: ['x1', 'x0'] }, { detector: 'label-shift', named: [] }], []]);
    expect(rows.map((r) => r.resolved)).toEqual([[], [], ['feature-shift']]);
    expect(rows.map((r) => r.openAtEnd)).toEqual([[], ['feature-shift', 'label-shift'], ['label-shift']]);
  });

  it('averages the headline estimate, its interval and realized accuracy over the labelled windows of each phase', () => {
    const shift = rows[1]!.accuracy!;
    expect(shift.labelled).toBe(2);
    expect(shift.estimate).toBeCloseTo(0.85, 12);
    expect(shift.lower).toBeCloseTo(0.82, 12);
    expect(shift.upper).toBeCloseTo(0.88, 12);
    expect(shift.realized).toBeCloseTo(0.8, 12);
    expect(shift.inside).toBe(1);
    expect(shift.headlineError).toBeCloseTo(0.05, 12);
    expect(shift.noChangeError).toBeCloseTo(0.08, 12);
    expect(shift.estimators).toEqual(['no-change', 'ac']);
    expect(rows[0]!.accuracy!.inside).toBe(2);
    // A window whose labels never came counts for nothing.
    expect(rows[2]!.accuracy!.labelled).toBe(1);
  });

  it('averages estimated and true class shares over the windows that have both', () => {
    expect(rows[0]!.shares!.estimate.map((v) => +v.toFixed(6))).toEqual([0.26, 0.44, 0.3]);
    expect(rows[0]!.shares!.truth.map((v) => +v.toFixed(6))).toEqual([0.27, 0.43, 0.3]);
    expect(rows[2]!.shares).toBeUndefined();
  });

  it('names features from each kind of alert', () => {
    expect(namedFeatures(featureAlert)).toEqual(['x1', 'x0']);
    expect(namedFeatures(alert('covariate-shift', 'firing', 1, { suspects: ['x3', 'x0'] }))).toEqual(['x3', 'x0']);
    expect(namedFeatures(alert('conditional-shift', 'firing', 1, { localization: { suspects: ['x3'] } as unknown as Alert['localization'] }))).toEqual(['x3']);
    expect(namedFeatures(alert('label-shift', 'firing', 1))).toEqual([]);
  });

  it('prints one block per phase in both tables', () => {
    const lines = formatPhaseTables(rows, ['low', 'mid', 'high']);
    const row = (name: string, from: number) => lines.slice(from).find((l) => l.startsWith(`${name} `))!;
    expect(row('covariate shift', 0)).toMatch(/^covariate shift\s+2\s+feature-shift \(x1, x0\), label-shift\s+-$/);
    const accuracyStart = lines.findIndex((l) => l.startsWith('headline accuracy'));
    expect(accuracyStart).toBeGreaterThan(0);
    expect(row('covariate shift', accuracyStart)).toMatch(/^covariate shift\s+85\.0 \[82\.0, 88\.0\]\s+no-change, ac\s+80\.0\s+1\/2\s+0\.10\/0\.40\/0\.50\s+0\.20\/0\.40\/0\.40$/);
    expect(row('clean again', accuracyStart)).toMatch(/\s1\/1\s+-\s+-$/);
  });
});
