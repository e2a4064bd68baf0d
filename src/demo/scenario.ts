/** The demo's scripted stream: phases of whole windows, each clean or with one named shift. */
import { COUNTRY_PROBS, syntheticRows, type Shift, type SyntheticRow } from './synthetic.js';

export interface Phase {
  name: string;
  windows: number;
  shift: Shift;
  /** The feature a feature-shift alert in this phase should name first (undefined: no feature-shift alert). */
  expectFeature?: string;
  /** The flow's covariate-shift detector must fire (true), may fire (undefined), or must stay quiet (false). */
  expectFlow?: boolean;
  /** A flow alert that names suspects must name one of these first. */
  expectSuspects?: string[];
}

/** Phases of the demo; `flow: false` runs drop the flow-only phase (no flow in the bundle). */
export function demoPhases(flow: boolean): Phase[] {
  const clean = (name: string, windows: number): Phase => ({ name, windows, shift: { kind: 'none' }, ...(flow ? { expectFlow: false } : {}) });
  return [
    clean('clean', 6),
    { name: 'amount mean shift', windows: 4, shift: { kind: 'mean', feature: 'amount', logShift: 0.35 }, expectFeature: 'amount' },
    clean('clean again', 6),
    ...(flow ? [{ name: 'correlation flip', windows: 4, shift: { kind: 'correlation', correlation: -0.8 }, expectFlow: true, expectSuspects: ['amount', 'age_days'] } satisfies Phase, clean('clean after flip', 6)] : []),
    // The flow's own likelihood tests cannot see country (not a flow input), but its conditional
    // feature test can (country's distribution given the others changed), so a flow alert may fire.
    { name: 'country mix change', windows: 4, shift: { kind: 'mix', feature: 'country', probs: [0.15, 0.25, 0.4, 0.15, 0.05] }, expectFeature: 'country' },
    clean('clean at the end', 4),
  ];
}


export interface ScriptedEvent {
  phase: number;
  row: SyntheticRow;
  ts: number;
}

/** Rows for every phase, in order, with event times `stepMs` apart starting at `startMs`. */
export function scriptedStream(phases: readonly Phase[], windowSize: number, seed: number, startMs: number, stepMs = 100): ScriptedEvent[] {
  const events: ScriptedEvent[] = [];
  phases.forEach((phase, p) => {
    for (const row of syntheticRows(phase.windows * windowSize, seed + 1000 * (p + 1), phase.shift)) {
      events.push({ phase: p, row, ts: startMs + events.length * stepMs });
    }
  });
  return events;
}

export { COUNTRY_PROBS };
