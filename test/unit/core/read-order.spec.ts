/**
 * Windows, their order and the alert ids must be a function of what each input partition holds:
 * not of the order in which the consumer reads the partitions, and not of where it crashed.
 */
import { Monitor, emptyOutput, type MonitorOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { decodePosition, type PartitionPosition } from '../../../src/core/window/partition-clocks.js';
import type { WindowSpec } from '../../../src/core/window/windower.js';
import { seededRandom } from '../../../src/core/random.js';
import type { Shift } from '../../support/synthetic.js';
import { partitionedEvents, windowTrace } from '../../support/partitioned-events.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

const bundle = syntheticBundle('m1', { windowSize: 300 });
const PARTITIONS = 3;
const clean: Shift = { kind: 'none' };
const amount: Shift = { kind: 'mean', feature: 'amount', logShift: 0.6 };

/** m2 has small windows, whose release keys depend on the partition clocks right after a restart. */
function newMonitor(window: WindowSpec) {
  const small: WindowSpec = window.type === 'count' ? { ...window, size: 20, minEvents: 5 } : { ...window, durationMs: 1000, minEvents: 5 };
  const m = new Monitor([{ name: 'm1', bundle, window }, { name: 'm2', bundle, window: small }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL }, {}, () => 0);
  m.assign(Array.from({ length: PARTITIONS }, (_, p) => `events/${p}`));
  return m;
}

/** Reads the partitions from the given offsets in random batches (as a consumer might), completing after each batch. */
async function consume(m: Monitor, parts: RawMessage[][], from: number[], seed: number, stopAfterBatches = Infinity): Promise<{ out: MonitorOutput; done: boolean }> {
  const random = seededRandom(seed);
  const next = [...from];
  const out = emptyOutput();
  for (let batches = 0; batches < stopAfterBatches; batches++) {
    const open = next.map((n, p) => (n < parts[p]!.length ? p : -1)).filter((p) => p >= 0);
    if (open.length === 0) {
      m.flush(out);
      await m.complete(out);
      return { out, done: true };
    }
    const p = open[Math.floor(random() * open.length)]!;
    const size = 1 + Math.floor(random() * 150);
    for (const msg of parts[p]!.slice(next[p], next[p]! + size)) m.handle(msg, out);
    next[p] = Math.min(parts[p]!.length, next[p]! + size);
    await m.complete(out);
  }
  return { out, done: false };
}

/** Per model, its windows and alerts in order (models are independent, so their interleaving is not compared). */
const specs: [string, WindowSpec][] = [
  ['count', { type: 'count', size: 300, minEvents: 100 }],
  ['event-time', { type: 'event-time', durationMs: 3000, minEvents: 100 }],
];

describe.each(specs)('%s windows over three partitions', (_name, window) => {
  const parts = partitionedEvents([clean, clean, amount, amount, amount, clean, clean, clean, clean], 7, PARTITIONS);

  it('are the same, in the same order, whatever order the partitions are read in', async () => {
    const runs = [];
    for (const seed of [1, 2, 3]) runs.push(windowTrace((await consume(newMonitor(window), parts, [0, 0, 0], seed)).out));
    expect(runs[0]!.m1!.windows.length).toBeGreaterThanOrEqual(8);
    expect(runs[0]!.m1!.alerts.length).toBeGreaterThanOrEqual(1);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('are the same after crashes at random points, resumed from the committed positions and checkpoint', async () => {
    const baseline = windowTrace((await consume(newMonitor(window), parts, [0, 0, 0], 1)).out);
    for (const seed of [11, 12, 13]) {
      const lives: ReturnType<typeof windowTrace>[] = [];
      let from = [0, 0, 0];
      let checkpoints: unknown[] = [];
      let positions = new Map<string, PartitionPosition>();
      for (let life = 0; ; life++) {
        const m = newMonitor(window);
        m.restorePositions(positions);
        for (const c of checkpoints) m.restore(JSON.parse(JSON.stringify(c)));
        const { out, done } = await consume(m, parts, from, seed * 100 + life, done1(life));
        lives.push(windowTrace(out));
        if (done) break;
        checkpoints = ['m1', 'm2'].map((name) => m.checkpoint(name));
        const committed = m.committableOffsets();
        from = from.map((f, p) => committed.get(`events/${p}`)?.offset ?? f);
        // A partition not read in this life keeps what was committed before (as the broker does).
        for (const [key, c] of committed) positions.set(key, decodePosition(c.metadata)!);
      }
      const joined = (model: 'm1' | 'm2') => ({ windows: lives.flatMap((l) => l[model]!.windows), alerts: lives.flatMap((l) => l[model]!.alerts) });
      expect({ m1: joined('m1'), m2: joined('m2') }).toEqual(baseline);
    }
  });
});

/** Lives of 3 to 12 batches before the crash, then to the end. */
const done1 = (life: number) => (life < 4 ? 3 + ((life * 7) % 10) : Infinity);

describe('quiet partitions', () => {
  it('hold back windows of others until caught up and idle', async () => {
    let now = 0;
    const m = new Monitor([{ name: 'm1', bundle, window: { type: 'count', size: 300, minEvents: 100 } }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL, partitionIdleMs: 500 }, {}, () => now);
    m.assign(['events/0', 'events/1']);
    const parts = partitionedEvents([clean, clean], 3, PARTITIONS);
    const out = emptyOutput();
    for (const msg of parts[0]!) m.handle({ ...msg, partition: 0 }, out);
    await m.complete(out);
    expect(out.windows).toHaveLength(0);
    m.caughtUp('events/1', true);
    now = 499;
    m.tick(out);
    await m.complete(out);
    expect(out.windows).toHaveLength(0);
    now = 500;
    m.tick(out);
    await m.complete(out);
    expect(out.windows.length).toBe(Math.floor(parts[0]!.length / 300));
  });
});

describe('reading one partition far ahead', () => {
  it('asks to pause the partitions ahead once half the waiting room is used, and to resume when the slow one catches up', async () => {
    let now = 0;
    const window: WindowSpec = { type: 'count', size: 20, minEvents: 5 };
    const m = new Monitor([{ name: 'm1', bundle, window }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL, partitionIdleMs: 500 }, {}, () => now);
    m.assign(['events/0', 'events/1']);
    const event = (p: number, offset: number) => {
      const ts = 1_000_000 + offset * 10;
      return { topic: 'events', partition: p, offset: String(offset), timestamp: String(ts), key: null, value: Buffer.from(JSON.stringify({ model: 'm1', id: `p${p}-${offset}`, ts, features: { amount: 10, age_days: 100, session_s: 50, clicks: 3, latency_ms: 100, risk_score: 0.4, country: 'US', device: 'mobile' } })) };
    };
    const out = emptyOutput();
    m.handle(event(1, 0), out);
    // 31 closed windows of partition 0 wait for partition 1: no pause yet; the 32nd asks for one.
    for (let o = 0; o < 31 * 20; o++) m.handle(event(0, o), out);
    await m.complete(out);
    expect(m.partitionsToPause()).toEqual([]);
    for (let o = 31 * 20; o < 32 * 20; o++) m.handle(event(0, o), out);
    await m.complete(out);
    expect(m.partitionsToPause()).toEqual(['events/0']);
    expect(out.windows).toHaveLength(0);
    // Partition 1 catches up: the windows are released in order and the pause ends.
    for (let o = 1; o < 32 * 20; o++) m.handle(event(1, o), out);
    await m.complete(out);
    expect(m.partitionsToPause()).toEqual([]);
    expect(out.windows.map((w) => w.window.id).slice(0, 4)).toEqual(['c-events/0@0', 'c-events/1@0', 'c-events/0@20', 'c-events/1@20']);
    // A quiet partition (caught up and idle) is never the one waited for.
    for (let o = 32 * 20; o < 70 * 20; o++) m.handle(event(0, o), out);
    await m.complete(out);
    expect(m.partitionsToPause()).toEqual(['events/0']);
    m.caughtUp('events/1', true);
    now = 500;
    m.tick(out);
    await m.complete(out);
    expect(m.partitionsToPause()).toEqual([]);
  });
});
