/**
 * The streams the detector contract suite runs, shared by its unit and integration parts: per
 * registered detector, a scripted stream on its fixture (clean windows, its shift, clean windows
 * again) and the uninterrupted run of the fixture's detectors over it; and the same run restarted
 * from checkpoints, the states carried by a codec the caller chooses (text, or the real broker).
 * Everything is memoized per test file, so detectors that share a fixture and a shift share runs.
 */
import type { AnyDetector, DetectorName } from '../../src/core/detectors/contract.js';
import { restoreDetectorStates, type ModelCheckpoint } from '../../src/core/detectors/state-codec.js';
import { DETECTOR_REGISTRY } from '../../src/core/detectors/registry.js';
import { caseOf, contractFixtures, createDetectors, windowStream, type ContractFixture, type StreamWindow } from './detector-fixtures.js';
import { checkpointOf, runStream, type StreamRun, type WindowTrace } from './detector-runs.js';

/** Clean windows, then the shift, then clean windows again. */
export const SCRIPT = { before: 4, shifted: 4, after: 8 } as const;

/** Where a run is restarted from a checkpoint: right after the shift (in drift), then while it resolves. */
export const RESTART_AT = [SCRIPT.before + SCRIPT.shifted, SCRIPT.before + SCRIPT.shifted + 2] as const;

export interface Scripted {
  /** Names the stream (fixture and shift); the model name of its checkpoints. */
  key: string;
  fixture: ContractFixture;
  windows: StreamWindow[];
  /** The fixture's detectors over every window, uninterrupted. */
  run: StreamRun;
}

const memo = new Map<string, Promise<unknown>>();

/** Memoizes an async computation under a key for the rest of the test file. */
export function once<T>(key: string, compute: () => Promise<T>): Promise<T> {
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as Promise<T>;
}

/**
 * The registry's detectors for a fixture: 'main' (shared by runs that only need some instance),
 * 'again' (a second, independent instance), 'restarted' (built from the bundle read back from JSON,
 * as a restarted process builds them).
 */
export function detectorSet(fixture: ContractFixture, role: 'main' | 'again' | 'restarted'): Promise<AnyDetector[]> {
  return once(`detectors:${fixture.name}:${role}`, async () => createDetectors(fixture, role === 'restarted' ? JSON.parse(JSON.stringify(fixture.model.bundle)) : fixture.model.bundle));
}

/** The scripted stream of a detector's case and the uninterrupted run over it. */
export function scripted(name: DetectorName): Promise<Scripted> {
  const c = caseOf(name);
  const key = `${c.fixture}:${c.shift}`;
  return once(`scripted:${key}`, async () => {
    const fixture = (await contractFixtures())[c.fixture];
    const windows = windowStream(fixture, [['clean', SCRIPT.before], [c.shift, SCRIPT.shifted], ['clean', SCRIPT.after]], 1000);
    return { key, fixture, windows, run: await runStream(await detectorSet(fixture, 'main'), windows) };
  });
}

/** The scripted streams of every registered detector, each once. */
export async function allScripted(): Promise<Scripted[]> {
  const streams = await Promise.all(DETECTOR_REGISTRY.map((f) => scripted(f.name)));
  return [...new Map(streams.map((s) => [s.key, s])).values()];
}

/** Moves checkpoints through a store and back (a text codec, or the real broker). */
export type CheckpointCarrier = (checkpoints: readonly ModelCheckpoint[]) => Promise<ModelCheckpoint[]>;

/**
 * Restarts every stream's run at each of `restarts` in turn: the states after the window before it
 * are checkpointed, carried, restored into the restarted detectors, and the run goes on from there.
 * Returns, per stream, the trace from `restarts[0]` to the end.
 */
export async function restartedRuns(streams: readonly Scripted[], restarts: readonly number[], carry: CheckpointCarrier): Promise<WindowTrace[][]> {
  const traces: WindowTrace[][] = streams.map(() => []);
  for (const [i, at] of restarts.entries()) {
    const statesAt = (s: Scripted, k: number) => {
      const before = i === 0 ? s.run.trace[at - 1]! : traces[k]!.at(-1)!;
      return new Map(Object.entries(before).map(([d, t]) => [d as DetectorName, t.state]));
    };
    const written = await Promise.all(streams.map(async (s, k) => checkpointOf(s.key, await detectorSet(s.fixture, 'main'), statesAt(s, k), at, s.fixture.size)));
    const read = new Map((await carry(written)).map((c) => [c.model, c]));
    for (const [k, s] of streams.entries()) {
      const checkpoint = read.get(s.key);
      if (checkpoint === undefined) throw new Error(`the checkpoint of ${s.key} did not come back`);
      const detectors = await detectorSet(s.fixture, 'restarted');
      const { states, unknown } = restoreDetectorStates(s.key, detectors, checkpoint);
      if (unknown.length > 0) throw new Error(`the checkpoint of ${s.key} holds detectors not configured: ${unknown.join(', ')}`);
      const to = restarts[i + 1] ?? s.windows.length;
      const segment = await runStream(detectors, s.windows.slice(0, to), { from: at, states: states as Map<DetectorName, unknown> });
      traces[k]!.push(...segment.trace);
    }
  }
  return traces;
}
