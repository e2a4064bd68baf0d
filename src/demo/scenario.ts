/**
 * The demo's script: a 3-class classifier (classifier-world.ts) whose traffic goes through phases
 * of whole windows, each clean or with one kind of change, and what each phase should make the
 * monitor say. Pure: the events and labels of every window, seeded.
 */
import { CLASS_NAMES, createWorld, rowFeatures, worldRows, type ClassifierWorld, type NumericInput, type StreamShape, type WindowConditions } from './classifier-world.js';
import { at } from '../core/indexing.js';

/** 500 events per window, 8 windows per day (the class mix follows the day). */
export const DEMO_SHAPE: StreamShape = { windowSize: 500, windowsPerDay: 8 };
/** The reference: three days of clean traffic, just before the demo's stream. */
export const REFERENCE_WINDOWS = 24;
export const WORLD_SEED = 3;

/** What a phase should make the monitor say (verdict.ts checks it). */
export type Expectation =
  /** No alert fires, and every episode opened before has resolved by the phase's end. */
  | { kind: 'quiet' }
  /** A feature-shift alert names exactly these features; accuracy falls and the estimate follows it. */
  | { kind: 'features'; features: readonly NumericInput[] }
  /** No feature-shift alert (every marginal is unchanged); a joint alert names this feature first; accuracy falls and the estimate follows it. */
  | { kind: 'joint'; feature: NumericInput }
  /** A label-shift alert, with estimated class shares near the true ones. */
  | { kind: 'label' };

export interface DemoPhase {
  name: string;
  /** What changed, in words. */
  what: string;
  windows: number;
  conditions: WindowConditions;
  expect: Expectation;
}

const clean = (name: string, windows: number): DemoPhase => ({ name, what: 'the reference\'s world', windows, conditions: {}, expect: { kind: 'quiet' } });

export function demoPhases(): DemoPhase[] {
  return [
    clean('clean', 6),
    {
      name: 'covariate shift', what: 'x0 and x1 pulled toward the class boundaries (p(y | x) unchanged)', windows: 6,
      conditions: { squeeze: { factor: 0.25, features: ['x0', 'x1'] } }, expect: { kind: 'features', features: ['x0', 'x1'] },
    },
    clean('clean again', 4),
    {
      name: 'join bug', what: 'x3 comes from another row (every marginal unchanged)', windows: 6,
      conditions: { detach: 'x3' }, expect: { kind: 'joint', feature: 'x3' },
    },
    clean('clean again', 4),
    {
      name: 'label shift', what: 'class mix 0.15/0.25/0.60 (inputs given the class unchanged)', windows: 6,
      conditions: { mix: [0.15, 0.25, 0.6] }, expect: { kind: 'label' },
    },
    clean('clean at the end', 4),
  ];
}

export function demoWorld(): ClassifierWorld {
  return createWorld(DEMO_SHAPE, WORLD_SEED, false);
}

/** The phase of window `w` (0-based) of the stream; the last phase for windows past the end. */
export function phaseOfWindow(phases: readonly DemoPhase[], w: number): number {
  let end = 0;
  for (const [p, phase] of phases.entries()) {
    end += phase.windows;
    if (w < end) return p;
  }
  return phases.length - 1;
}

export interface DemoEvent {
  id: string;
  ts: number;
  features: Record<string, number | string>;
  /** The model's probabilities, keyed by class name. */
  probs: Record<string, number>;
  /** The true class, known later (delayed label). */
  label: string;
}

export interface DemoWindow {
  index: number;
  phase: number;
  events: DemoEvent[];
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The stream's windows, in order; it continues the reference's time line. */
export function* demoWindows(world: ClassifierWorld, phases: readonly DemoPhase[], seed = WORLD_SEED + 100): Generator<DemoWindow> {
  const total = phases.reduce((s, p) => s + p.windows, 0);
  const size = world.shape.windowSize;
  let events: DemoEvent[] = [];
  let n = 0;
  for (const row of worldRows(world, { offsetWindows: REFERENCE_WINDOWS, windows: total, seed, conditions: (w) => at(phases, phaseOfWindow(phases, w), 'demo phases').conditions })) {
    const features = rowFeatures(row);
    for (const name of Object.keys(features)) if (typeof features[name] === 'number') features[name] = round6(features[name] as number);
    events.push({
      id: `ev-${n}`,
      ts: row.ts,
      features,
      probs: Object.fromEntries(CLASS_NAMES.map((c, k) => [c, round6(at(row.probs, k, 'class probabilities'))])),
      label: at(CLASS_NAMES, row.label, 'class names'),
    });
    n += 1;
    if (events.length === size) {
      const index = n / size - 1;
      yield { index, phase: phaseOfWindow(phases, index), events };
      events = [];
    }
  }
}
