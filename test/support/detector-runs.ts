/**
 * Runs registered detectors over a window stream exactly as the monitor does (each detector tests
 * the window with the results of those before it, steps its state when it tested, and emits the
 * alert of a transition; delayed labels reach `learn` one window late), and records everything
 * they return, so that two runs can be compared byte for byte. In guarded mode every input handed
 * to a detector is deep-frozen and compared with a copy taken before the call.
 */
import { serialize } from 'node:v8';
import type { AnyDetector, DetectorName, DetectorResult, StepOutcome } from '../../src/core/detectors/contract.js';
import type { ModelCheckpoint } from '../../src/core/detectors/state-codec.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import { deepFreeze, type StreamWindow } from './detector-fixtures.js';

/** What one detector did on one window. */
export interface DetectorTrace {
  result: DetectorResult;
  outcome?: StepOutcome<unknown>;
  alert?: Alert;
  /** What `learn` returned for the previous window's labels, delivered after this window. */
  learned?: { state: unknown; errors: Record<string, number> | undefined };
  /** The detector's state after the window (and after `learn`). */
  state: unknown;
}

export type WindowTrace = Partial<Record<DetectorName, DetectorTrace>>;

export interface StreamRun {
  trace: WindowTrace[];
  states: Map<DetectorName, unknown>;
}

/**
 * Runs `windows[from..]`; `states` (default: fresh) are the states after `windows[from - 1]`.
 * After window i, the labels of window i − 1 arrive.
 */
export async function runStream(
  detectors: readonly AnyDetector[],
  windows: readonly StreamWindow[],
  options: { from?: number; states?: ReadonlyMap<DetectorName, unknown>; guarded?: boolean } = {},
): Promise<StreamRun> {
  const states = new Map<DetectorName, unknown>(detectors.map((d) => [d.name, options.states?.get(d.name) ?? d.initialState()]));
  const call = options.guarded ? guardedCall : <R>(_what: string, _inputs: readonly unknown[], f: () => R) => f();
  const trace: WindowTrace[] = [];
  for (let i = options.from ?? 0; i < windows.length; i++) {
    const { view } = windows[i]!;
    const earlier = new Map<DetectorName, DetectorResult>();
    const record: WindowTrace = {};
    for (const d of detectors) {
      const state = states.get(d.name) as object;
      const seen = new Map(earlier);
      const result = await call(`${d.name}.test`, [view, seen, state], () => d.test(view, seen, state));
      if (seen.size !== earlier.size || [...seen].some(([k, v]) => earlier.get(k) !== v)) throw new Error(`${d.name}.test changed the map of earlier results`);
      earlier.set(d.name, result);
      const entry: DetectorTrace = { result, state };
      if (result.tested) {
        const outcome = call(`${d.name}.step`, [state, result, view], () => d.step(state, result, view));
        entry.outcome = outcome;
        entry.state = outcome.state;
        states.set(d.name, outcome.state);
        if (outcome.step.transition !== null) {
          entry.alert = call(`${d.name}.alert`, [result, outcome, view], () => d.alert(result, outcome, view, outcome.step.episode ?? view.id));
        }
      }
      record[d.name] = entry;
    }
    const labels = windows[i - 1]?.realized;
    if (labels !== undefined) {
      for (const d of detectors) {
        if (d.learn === undefined) continue;
        const state = states.get(d.name) as object;
        const learned = call(`${d.name}.learn`, [state, labels], () => d.learn!(state, labels));
        states.set(d.name, learned.state);
        record[d.name]!.learned = learned;
        record[d.name]!.state = learned.state;
      }
    }
    trace.push(record);
  }
  return { trace, states };
}

/**
 * Calls `f` on deep-frozen inputs and fails, naming the call, if any input changed. Inputs are
 * compared in V8's serialization (NaN, undefined, typed arrays and Maps included), which also works
 * across the vm contexts Jest mixes.
 */
function guardedCall<R>(what: string, inputs: readonly unknown[], f: () => R): R {
  // Frozen first: V8 serializes a frozen array differently from the same array unfrozen.
  for (const x of inputs) deepFreeze(x);
  const before = inputs.map((x) => serialize(x));
  const check = (r: R): R => {
    inputs.forEach((x, k) => {
      if (!serialize(x).equals(before[k]!)) throw new Error(`${what} changed its input #${k + 1}`);
    });
    return r;
  };
  const r = f();
  return typeof (r as { then?: unknown })?.then === 'function' ? ((r as Promise<R>).then(check) as R) : check(r);
}

/** The checkpoint the monitor would write after `windowsClosed` windows of `size` events from one partition. */
export function checkpointOf(model: string, detectors: readonly AnyDetector[], states: ReadonlyMap<DetectorName, unknown>, windowsClosed: number, size = 1): ModelCheckpoint {
  return {
    model,
    closedThrough: { 'events/0': windowsClosed * size },
    releasedUntil: null,
    windowsClosed,
    detectors: Object.fromEntries(detectors.map((d) => [d.name, { stateVersion: d.stateVersion, state: states.get(d.name) }])),
  };
}

/** One detector's part of a trace, a JSON text per window: what must be byte-identical between two runs. */
export function traceJson(trace: readonly WindowTrace[], name: DetectorName): string[] {
  return trace.map((w) => JSON.stringify(w[name]));
}

/**
 * Where two runs' JSON first differ, as "window i: path: a ≠ b", or undefined when they are
 * byte-identical; short enough to read in a failure message.
 */
export function firstDifference(actual: readonly string[], expected: readonly string[]): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} windows, expected ${expected.length}`;
  const i = actual.findIndex((a, k) => a !== expected[k]);
  if (i < 0) return undefined;
  const walk = (a: unknown, b: unknown, path: string): string => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const x = (a as Record<string, unknown>)[key];
        const y = (b as Record<string, unknown>)[key];
        if (JSON.stringify(x) !== JSON.stringify(y)) return walk(x, y, `${path}.${key}`);
      }
      return `${path}: key order differs`;
    }
    return `${path}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
  };
  return `window ${i}: ${walk(JSON.parse(actual[i]!), JSON.parse(expected[i]!), '')}`;
}

/** Alerts of one detector in a trace, in order. */
export function alertsOf(trace: readonly WindowTrace[], name: DetectorName): { index: number; alert: Alert }[] {
  return trace.flatMap((w, index) => (w[name]?.alert ? [{ index, alert: w[name]!.alert! }] : []));
}
