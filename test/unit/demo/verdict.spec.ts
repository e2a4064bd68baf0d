/**
 * The demo's verdict: a story that came out passes, and each way it can fail to come out (a shift
 * missed, the wrong feature named, an alert that never resolved, an estimate that did not follow
 * the labels, intervals that missed too often) fails the phase it belongs to.
 */
import type { PhaseAccuracy, PhaseRow } from '../../../src/demo/phase-table.js';
import { demoPhases, type DemoPhase } from '../../../src/demo/scenario.js';
import { judgeStory } from '../../../src/demo/verdict.js';

const phases = demoPhases();
const byKind = (kind: DemoPhase['expect']['kind']) => phases.findIndex((p) => p.expect.kind === kind);

const accuracy = (realized: number, estimate: number, inside = 6): PhaseAccuracy => ({
  labelled: 6, estimate, lower: estimate - 0.03, upper: estimate + 0.03, realized, inside,
  headlineError: Math.abs(estimate - realized), noChangeError: Math.abs(0.88 - realized), estimators: ['no-change'],
});

/** The rows of a story that came out as scripted. */
function goodRows(): PhaseRow[] {
  return phases.map((phase) => {
    const row: PhaseRow = { phase, fired: [], resolved: [], openAtEnd: [], accuracy: accuracy(0.88, 0.88), shares: { estimate: [0.25, 0.45, 0.3], truth: [0.26, 0.45, 0.29] } };
    switch (phase.expect.kind) {
      case 'features':
        return { ...row, fired: [{ detector: 'feature-shift', named: ['x1', 'x0'] }, { detector: 'label-shift', named: [] }], accuracy: accuracy(0.8, 0.83, 4) };
      case 'joint':
        return { ...row, fired: [{ detector: 'conditional-shift', named: ['x3', 'x0'] }, { detector: 'covariate-shift', named: ['x3'] }], accuracy: accuracy(0.78, 0.83, 3) };
      case 'label':
        return { ...row, fired: [{ detector: 'label-shift', named: [] }, { detector: 'feature-shift', named: ['x2'] }], shares: { estimate: [0.14, 0.26, 0.6], truth: [0.13, 0.27, 0.6] } };
      default:
        return row;
    }
  });
}

function failing(rows: PhaseRow[]): string[] {
  return judgeStory(rows).checks.filter((c) => !c.ok).map((c) => c.phase);
}

describe('the demo verdict', () => {
  it('passes the story as scripted', () => {
    const verdict = judgeStory(goodRows());
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.checks).toHaveLength(phases.length + 1);
  });

  it('fails a covariate phase whose feature alert names a feature that did not shift, or misses one', () => {
    const p = byKind('features');
    for (const named of [['x1', 'x0', 'x2'], ['x1'], []]) {
      const rows = goodRows();
      rows[p] = { ...rows[p]!, fired: [{ detector: 'feature-shift', named }] };
      expect(failing(rows)).toEqual([phases[p]!.name]);
    }
    const rows = goodRows();
    rows[p] = { ...rows[p]!, fired: [] };
    expect(judgeStory(rows).ok).toBe(false);
  });

  it('fails a covariate phase whose accuracy did not fall, or whose estimate did no better than "no change"', () => {
    const p = byKind('features');
    const flat = goodRows();
    flat[p] = { ...flat[p]!, accuracy: accuracy(0.87, 0.87) };
    expect(failing(flat)).toEqual([phases[p]!.name]);
    const stuck = goodRows();
    stuck[p] = { ...stuck[p]!, accuracy: accuracy(0.8, 0.88) };
    expect(failing(stuck)).toEqual([phases[p]!.name]);
  });

  it('fails a join-bug phase with a per-feature alert, or whose joint alert names another feature first', () => {
    const p = byKind('joint');
    const marginal = goodRows();
    marginal[p] = { ...marginal[p]!, fired: [...marginal[p]!.fired, { detector: 'feature-shift', named: ['x3'] }] };
    expect(failing(marginal)).toEqual([phases[p]!.name]);
    const wrong = goodRows();
    wrong[p] = { ...wrong[p]!, fired: [{ detector: 'covariate-shift', named: ['x0', 'x3'] }] };
    expect(failing(wrong)).toEqual([phases[p]!.name]);
  });

  it('fails a label-shift phase without a label-shift alert or with class shares off by more than 0.05', () => {
    const p = byKind('label');
    const silent = goodRows();
    silent[p] = { ...silent[p]!, fired: [{ detector: 'feature-shift', named: ['x2'] }] };
    expect(failing(silent)).toEqual([phases[p]!.name]);
    const off = goodRows();
    off[p] = { ...off[p]!, shares: { estimate: [0.2, 0.2, 0.6], truth: [0.13, 0.27, 0.6] } };
    expect(failing(off)).toEqual([phases[p]!.name]);
  });

  it('fails a clean phase in which an alert fires or an earlier one is still open', () => {
    const last = phases.length - 1;
    const fired = goodRows();
    fired[last] = { ...fired[last]!, fired: [{ detector: 'label-shift', named: [] }] };
    expect(failing(fired)).toEqual([phases[last]!.name]);
    const open = goodRows();
    open[last] = { ...open[last]!, openAtEnd: ['feature-shift'] };
    expect(failing(open)).toEqual([phases[last]!.name]);
  });

  it('fails the whole stream when realized accuracy fell outside the headline interval in more than 30% of windows', () => {
    const rows = goodRows().map((r) => ({ ...r, accuracy: r.accuracy && { ...r.accuracy, inside: Math.floor(r.accuracy.labelled * 0.6) } }));
    expect(failing(rows)).toEqual(['every phase']);
  });
});
