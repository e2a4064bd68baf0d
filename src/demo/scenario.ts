/** The demo's scripted stream: phases of whole windows, each clean or with one named shift. */
import { COUNTRY_PROBS, syntheticRows, type Shift, type SyntheticRow } from './synthetic.js';

export interface Phase {
  name: string;
  windows: number;
  shift: Shift;
  /** The feature an alert in this phase should name first (undefined for clean phases). */
  expectFeature?: string;
}

export const DEMO_PHASES: Phase[] = [
  { name: 'clean', windows: 6, shift: { kind: 'none' } },
  { name: 'amount mean shift', windows: 4, shift: { kind: 'mean', feature: 'amount', logShift: 0.35 }, expectFeature: 'amount' },
  { name: 'clean again', windows: 5, shift: { kind: 'none' } },
  { name: 'country mix change', windows: 4, shift: { kind: 'mix', feature: 'country', probs: [0.15, 0.25, 0.4, 0.15, 0.05] }, expectFeature: 'country' },
  { name: 'clean at the end', windows: 4, shift: { kind: 'none' } },
];

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
