/**
 * Did the story come out? Each phase's table row (phase-table.ts) against what the phase expects
 * (scenario.ts), plus one check over the whole stream: the headline accuracy interval held the
 * realized accuracy in most labelled windows.
 */
import type { PhaseRow } from './phase-table.js';
import { at } from '../core/indexing.js';

export interface Check {
  phase: string;
  ok: boolean;
  expected: string;
  got: string;
}

/** Share of labelled windows whose realized accuracy must lie in the headline interval (nominal coverage 0.9). */
export const MIN_INSIDE = 0.7;
/** A covariate phase must lower realized accuracy by at least this much below the first clean phase. */
export const MIN_ACCURACY_DROP = 0.03;
/** Largest |estimated − true| mean class share accepted in a label-shift phase. */
export const MAX_SHARE_ERROR = 0.05;

const list = (items: readonly string[]) => (items.length === 0 ? 'none' : [...new Set(items)].join(', '));
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function judgeStory(rows: readonly PhaseRow[]): { checks: Check[]; ok: boolean } {
  const baseline = rows.find((r) => r.phase.expect.kind === 'quiet' && r.accuracy)?.accuracy?.realized;
  const checks = rows.map((row) => judgePhase(row, baseline));
  const labelled = rows.reduce((s, r) => s + (r.accuracy?.labelled ?? 0), 0);
  const inside = rows.reduce((s, r) => s + (r.accuracy?.inside ?? 0), 0);
  checks.push({
    phase: 'every phase',
    ok: labelled > 0 && inside >= MIN_INSIDE * labelled,
    expected: `realized accuracy inside the headline interval in at least ${Math.round(100 * MIN_INSIDE)}% of labelled windows`,
    got: `realized accuracy inside the headline interval in ${inside} of ${labelled} labelled windows`,
  });
  return { checks, ok: checks.every((c) => c.ok) };
}

function judgePhase(row: PhaseRow, baseline: number | undefined): Check {
  const expect = row.phase.expect;
  const phase = row.phase.name;
  const fired = row.fired.map((f) => f.detector);
  switch (expect.kind) {
    case 'quiet': {
      const ok = fired.length === 0 && row.openAtEnd.length === 0;
      return { phase, ok, expected: 'no alert fires, every earlier alert resolved', got: ok ? 'no alert fired, none still open' : `fired: ${list(fired)}; still open: ${list(row.openAtEnd)}` };
    }
    case 'features': {
      const named = [...new Set(row.fired.filter((f) => f.detector === 'feature-shift').flatMap((f) => f.named))];
      const accuracy = accuracyFollowed(row, baseline);
      const ok = fired.includes('feature-shift') && sameSet(named, expect.features) && accuracy.ok;
      return { phase, ok, expected: `a feature-shift alert naming ${expect.features.join(', ')}; ${accuracy.expected}`, got: `feature-shift named ${list(named)}; ${accuracy.got}` };
    }
    case 'joint': {
      const joint = row.fired.filter((f) => f.detector === 'covariate-shift' || f.detector === 'conditional-shift');
      const first = joint.map((f) => `${f.named[0] ?? 'nothing'} by ${f.detector}`);
      const accuracy = accuracyFollowed(row, baseline);
      const ok = !fired.includes('feature-shift') && joint.length > 0 && joint.every((f) => f.named[0] === expect.feature) && accuracy.ok;
      return {
        phase, ok,
        expected: `no feature-shift alert, a covariate- or conditional-shift alert naming ${expect.feature} first; ${accuracy.expected}`,
        got: `${fired.includes('feature-shift') ? 'a feature-shift alert' : 'no feature-shift alert'}; named first: ${list(first)}; ${accuracy.got}`,
      };
    }
    case 'label': {
      const s = row.shares;
      const error = s === undefined ? Infinity : Math.max(...s.estimate.map((e, k) => Math.abs(e - at(s.truth, k, 'true class shares'))));
      const ok = fired.includes('label-shift') && error <= MAX_SHARE_ERROR;
      return { phase, ok, expected: `a label-shift alert; class shares within ${MAX_SHARE_ERROR} of the true ones`, got: `label-shift ${fired.includes('label-shift') ? 'fired' : 'did not fire'}; class shares off by ${error.toFixed(3)} at most` };
    }
  }
}

/** Realized accuracy fell, and the headline estimate was nearer to it than "no change" on average. */
function accuracyFollowed(row: PhaseRow, baseline: number | undefined): { ok: boolean; expected: string; got: string } {
  const a = row.accuracy;
  const expected = `accuracy falls by ${MIN_ACCURACY_DROP} or more and the estimate follows it`;
  if (a === undefined || baseline === undefined) return { ok: false, expected, got: 'no labelled windows' };
  const ok = a.realized <= baseline - MIN_ACCURACY_DROP && a.headlineError < a.noChangeError;
  const points = (v: number) => (100 * v).toFixed(1);
  return { ok, expected, got: `accuracy ${points(a.realized)}% (clean ${points(baseline)}%), estimate off by ${points(a.headlineError)} points vs ${points(a.noChangeError)} for no-change` };
}
