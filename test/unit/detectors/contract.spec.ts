/**
 * The detector contract suite (in the spirit of River's check_estimator): every detector in
 * DETECTOR_REGISTRY, on a fitted bundle that enables it (test/support/detector-fixtures.ts), must
 *  - restore its state from the checkpoint codec and then give byte-identical results, alerts and
 *    states on the rest of the stream (the real-Kafka variant is test/integration/detector-state.spec.ts);
 *  - give byte-identical output for identical input, seeded bootstraps included;
 *  - leave every input it is handed untouched;
 *  - keep its state bounded over 100,000 windows;
 *  - flag clean windows at no more than alpha plus binomial error, and raise no alert on them;
 *  - fire on a scripted shift within a few windows and resolve after it, with one episode id;
 *  - refuse a malformed state, a state of another version, and a state with a field too many or too few.
 * A new detector is checked by adding its registry line and its line in DETECTOR_CASES.
 */
import { DETECTOR_REGISTRY } from '../../../src/core/detectors/registry.js';
import type { AnyDetector, DetectorName, DetectorResult, WindowView } from '../../../src/core/detectors/contract.js';
import { StateDecodeError } from '../../../src/core/detectors/contract.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, restoreDetectorStates } from '../../../src/core/detectors/state-codec.js';
import { binomialUpperTail } from '../../../src/core/stats/binomial.js';
import { caseOf, contractFixtures, windowStream, type ContractFixture, type FixtureName } from '../../support/detector-fixtures.js';
import { alertsOf, checkpointOf, firstDifference, runStream, traceJson, type StreamRun } from '../../support/detector-runs.js';
import { detectorSet, once, restartedRuns, RESTART_AT, SCRIPT, scripted } from '../../support/contract-streams.js';
import { structuralMutations } from '../../support/state-mutations.js';

const NAMES: DetectorName[] = DETECTOR_REGISTRY.map((f) => f.name);

let fixtures: Record<FixtureName, ContractFixture>;
beforeAll(async () => {
  fixtures = await contractFixtures();
}, 300_000);

const detectorOf = (detectors: readonly AnyDetector[], name: DetectorName) => detectors.find((d) => d.name === name)!;

describe('every registered detector has a fixture', () => {
  it.each(NAMES)('%s: its fixture enables it and offers the shift that must fire it', async (name) => {
    const c = caseOf(name);
    const fixture = fixtures[c.fixture];
    expect((await detectorSet(fixture, 'main')).map((d) => d.name)).toContain(name);
    expect(fixture.shifts).toContain(c.shift);
  });
});

describe('state survives the checkpoint codec', () => {
  it.each(NAMES)('%s: restarted twice from checkpoints, it continues byte-identically', async (name) => {
    const stream = await scripted(name);
    const [resumed] = await once(`codec:${stream.key}`, () =>
      restartedRuns([stream], RESTART_AT, async (written) => written.map((c) => decodeCheckpoint(encodeCheckpoint(c)))));
    expect(firstDifference(traceJson(resumed!, name), traceJson(stream.run.trace.slice(RESTART_AT[0]), name))).toBeUndefined();
    // The first restart was made in the middle of an episode.
    const detector = (await detectorSet(stream.fixture, 'main')).find((d) => d.name === name)!;
    expect(detector.status(stream.run.trace[RESTART_AT[0] - 1]![name]!.state as object)).toBe('drift');
  }, 120_000);
});

describe('determinism and purity', () => {
  it.each(NAMES)('%s: two independent detectors on the same windows give byte-identical results, alerts and states', async (name) => {
    const { key, fixture, windows, run } = await scripted(name);
    const again = await once(`again:${key}`, async () => runStream(await detectorSet(fixture, 'again'), windows));
    expect(firstDifference(traceJson(again.trace, name), traceJson(run.trace, name))).toBeUndefined();
    expect(run.trace.filter((w) => w[name]!.result.tested).length).toBeGreaterThan(SCRIPT.shifted);
  }, 120_000);

  it.each(NAMES)('%s: never changes the window, the earlier results or the state it is given', async (name) => {
    const { key, fixture, windows, run } = await scripted(name);
    // Every input deep-frozen and compared with its serialization after each test, step, alert and learn.
    const guarded = await once(`guarded:${key}`, async () => runStream(await detectorSet(fixture, 'main'), windows, { guarded: true }));
    expect(firstDifference(traceJson(guarded.trace, name), traceJson(run.trace, name))).toBeUndefined();
  }, 120_000);
});

/** A window view like the windower's, at any position of a long stream, sharing one summary. */
function syntheticView(template: WindowView, serial: number, size: number): WindowView {
  const start = (serial - 1) * size * 10;
  const end = start + (size - 1) * 10;
  return { ...template, id: `c${start}-${end}-${size}-events/0@${(serial - 1) * size}`, serial, start, end };
}

/** Bound on the state at 100,000 windows: 10% over the largest state of the first 1,000, plus room for longer counters and ids. */
const stateBound = (firstThousand: number) => Math.ceil(1.1 * firstThousand) + 256;

describe('bounded state', () => {
  it.each(NAMES)('%s: its state over windows 99,001 to 100,000 is no larger than over the first 1,000 (10% and 256 bytes of slack)', async (name) => {
    const { fixture, windows, run } = await scripted(name);
    const detector = detectorOf(await detectorSet(fixture, 'main'), name);
    // The real results of the scripted stream, replayed cyclically: an episode fires and resolves every cycle.
    const pool = run.trace.map((w, i) => ({ result: w[name]!.result as DetectorResult, window: windows[i]! })).filter((p) => p.result.tested);
    expect(pool.length).toBeGreaterThan(SCRIPT.shifted);
    let state = detector.initialState();
    let firstThousand = 0;
    let lastThousand = 0;
    let fired = 0;
    for (let serial = 1; serial <= 100_000; serial++) {
      const p = pool[(serial - 1) % pool.length]!;
      const outcome = detector.step(state, p.result, syntheticView(p.window.view, serial, fixture.size));
      state = outcome.state;
      if (outcome.step.transition === 'fire') fired++;
      // Delayed labels for two windows in three, so some windows stay unlabelled.
      const realized = p.window.realized;
      if (detector.learn !== undefined && realized !== undefined && serial % 3 !== 0) state = detector.learn(state, { ...realized, serial }).state;
      if (serial <= 1000 || serial > 99_000) {
        const size = JSON.stringify(state).length;
        if (serial <= 1000) firstThousand = Math.max(firstThousand, size);
        else lastThousand = Math.max(lastThousand, size);
      }
    }
    expect(fired).toBeGreaterThan(100);
    expect(lastThousand).toBeLessThanOrEqual(stateBound(firstThousand));
  }, 120_000);
});

/** Windows drawn iid from each fixture's reference distribution. */
const CLEAN_WINDOWS = 100;
/** Largest count of flagged windows out of n at level alpha that a calibrated detector exceeds with probability at most 0.001. */
function binomialBound(n: number, alpha: number): number {
  let c = 0;
  while (binomialUpperTail(c + 1, n, alpha) > 0.001) c++;
  return c;
}

function cleanRun(fixture: ContractFixture): Promise<StreamRun> {
  return once(`clean:${fixture.name}`, async () => runStream(await detectorSet(fixture, 'main'), windowStream(fixture, [['clean', CLEAN_WINDOWS]], 50_000)));
}

describe('false alarms on an exchangeable null', () => {
  it.each(NAMES)(`%s: flags at most alpha plus binomial error of ${CLEAN_WINDOWS} clean windows, and raises no alert`, async (name) => {
    const fixture = fixtures[caseOf(name).fixture];
    const { trace } = await cleanRun(fixture);
    const results = trace.map((w) => w[name]!.result);
    expect(results.filter((r) => r.tested).length).toBe(CLEAN_WINDOWS);
    const alpha = fixture.settings.sequential.alpha;
    expect(results.filter((r) => r.flagged).length).toBeLessThanOrEqual(binomialBound(CLEAN_WINDOWS, alpha));
    expect(alertsOf(trace, name)).toEqual([]);
  }, 180_000);
});

describe('fires on a scripted shift and resolves after it', () => {
  it.each(NAMES)('%s', async (name) => {
    const { key, fixture, windows, run } = await scripted(name);
    const alerts = alertsOf(run.trace, name);
    expect(alerts.map((a) => a.alert.status)).toEqual(['firing', 'resolved']);
    const [firing, resolved] = alerts as [(typeof alerts)[0], (typeof alerts)[0]];
    // Fires within the shifted windows; resolves within a few clean ones after the shift ends.
    expect(firing.index).toBeGreaterThanOrEqual(SCRIPT.before);
    expect(firing.index).toBeLessThan(SCRIPT.before + SCRIPT.shifted);
    expect(resolved.index).toBeGreaterThanOrEqual(SCRIPT.before + SCRIPT.shifted);
    expect(resolved.index).toBeLessThan(SCRIPT.before + SCRIPT.shifted + fixture.settings.sequential.resolveAfterCleanWindows + 3);
    expect(firing.alert.episodeId).toBe(windows[firing.index]!.view.id);
    expect(resolved.alert.episodeId).toBe(firing.alert.episodeId);
    expect(firing.alert.alertId).not.toBe(resolved.alert.alertId);
    // Alert ids are a function of the input: an independent run gives the same ones.
    const again = await once(`again:${key}`, async () => runStream(await detectorSet(fixture, 'again'), windows));
    expect(alertsOf(again.trace, name).map((a) => a.alert.alertId)).toEqual(alerts.map((a) => a.alert.alertId));
  }, 120_000);
});

describe('state decoding refuses what it cannot read fully', () => {
  /** The detector's largest state in its scripted run (the one with the most structure to check). */
  async function richState(name: DetectorName): Promise<{ fixture: ContractFixture; detector: AnyDetector; state: unknown }> {
    const { fixture, run } = await scripted(name);
    const states = run.trace.map((w) => w[name]!.state);
    const state = states.reduce((a, b) => (JSON.stringify(b).length > JSON.stringify(a).length ? b : a));
    return { fixture, detector: detectorOf(await detectorSet(fixture, 'main'), name), state: JSON.parse(JSON.stringify(state)) };
  }

  it.each(NAMES)('%s: reads every state of its scripted run back exactly', async (name) => {
    const { fixture, run } = await scripted(name);
    const detector = detectorOf(await detectorSet(fixture, 'main'), name);
    for (const [i, w] of run.trace.entries()) {
      const text = JSON.stringify(w[name]!.state);
      expect([i, JSON.stringify(detector.decodeState(JSON.parse(text)))]).toEqual([i, text]);
    }
  });

  it.each(NAMES)('%s: refuses a malformed state with a StateDecodeError, and the checkpoint with a CheckpointError naming it', async (name) => {
    const { fixture, detector, state } = await richState(name);
    for (const bad of [null, 'state', 42, [], [state], {}]) {
      expect(() => detector.decodeState(bad)).toThrow(StateDecodeError);
      const checkpoint = { ...checkpointOf(fixture.model.name, [detector], new Map([[name, bad]]), 1) };
      expect(() => restoreDetectorStates(fixture.model.name, [detector], checkpoint)).toThrow(CheckpointError);
      expect(() => restoreDetectorStates(fixture.model.name, [detector], checkpoint)).toThrow(`detector ${name}`);
    }
  });

  it.each(NAMES)('%s: refuses a state of another version', async (name) => {
    const { fixture, detector, state } = await richState(name);
    const checkpoint = checkpointOf(fixture.model.name, [detector], new Map([[name, state]]), 1);
    checkpoint.detectors[name]!.stateVersion = detector.stateVersion + 1;
    expect(() => restoreDetectorStates(fixture.model.name, [detector], decodeCheckpoint(encodeCheckpoint(checkpoint)))).toThrow(
      new CheckpointError(`state of model ${fixture.model.name}, detector ${name}: version ${detector.stateVersion + 1}, this version of shiftwatch reads ${detector.stateVersion}`),
    );
  });

  it.each(NAMES)('%s: refuses a state with a field too many, a field too few, a field of another type or a part of another version, anywhere in it', async (name) => {
    const { detector, state } = await richState(name);
    const mutations = structuralMutations(state, caseOf(name).stateMaps ?? []);
    expect(mutations.length).toBeGreaterThan(5);
    const accepted = mutations.filter((m) => {
      try {
        detector.decodeState(m.state);
        return true;
      } catch (error) {
        if (!(error instanceof StateDecodeError)) throw error;
        return false;
      }
    });
    expect(accepted.map((m) => m.what)).toEqual([]);
  });
});
