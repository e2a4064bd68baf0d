/**
 * One process's label join after a restart (core/pipeline/join-replay.ts), labels in arrival order:
 * the commit holds the released windows' events and the labels joined to them, the restarted
 * process reads them again into the join without reporting, counting or dead-lettering anything
 * twice, and later labels find the predictions of windows released before the restart.
 */
import { Monitor, emptyOutput, type MonitorOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/core/detectors/state-codec.js';
import { decodePosition, type PartitionPosition } from '../../../src/core/window/partition-clocks.js';
import type { WindowSpec } from '../../../src/core/window/windower.js';
import { classifierContractFixture, type ContractFixture } from '../../support/detector-fixtures.js';

const EVENTS = 'events/0';
const LABELS = 'labels/0';

function message(key: string, offset: number, value: object): RawMessage {
  const [topic, partition] = key.split('/');
  return { topic: topic!, partition: Number(partition), offset: String(offset), timestamp: String(1_000_000 + offset), key: null, value: Buffer.from(JSON.stringify(value)) };
}

describe('a single process restarted with labels in arrival order', () => {
  let fixture: ContractFixture;
  let events: RawMessage[];
  let labels: RawMessage[];
  beforeAll(() => {
    fixture = classifierContractFixture();
    const model = fixture.model.name;
    // Two full windows of one partition; the labels of the first window's events, and one the model cannot read.
    const drawn = [...fixture.events('clean', 1), ...fixture.events('clean', 2)];
    // One event per millisecond from the start of a 300 ms interval: event-time windows hold the same events as count windows.
    events = drawn.map((e, i) => message(EVENTS, i, { model, id: `e${i}`, ts: 999_900 + i, features: e.features, prediction: { probs: e.probs } }));
    const firstWindow = drawn.slice(0, fixture.size).map((e, i) => ({ model, id: `e${i}`, label: e.label }));
    labels = [...firstWindow.slice(0, 100), { model, id: 'e5', label: 'no-such-class' }, ...firstWindow.slice(100)].map((l, offset) => message(LABELS, offset, l));
  });

  const options = () => {
    const s = fixture.settings;
    return { maxMessageBytes: 100_000, tests: s.tests, sequential: s.sequential, predictions: { ...s.predictions, labels: { ...s.predictions.labels, minLabeled: 50 } } };
  };
  const start = (counted: { labels: number }, window: WindowSpec) => {
    const m = new Monitor([{ ...fixture.model, window }], options(), { label: (_model, _outcome, count = 1) => (counted.labels += count) }, () => 0);
    m.assign([EVENTS]);
    return m;
  };
  const read = async (m: Monitor, list: readonly RawMessage[], out: MonitorOutput = emptyOutput()) => {
    for (const msg of list) (msg.topic === 'labels' ? m.handleLabel(msg, out) : m.handle(msg, out));
    await m.complete(out);
    return out;
  };

  // Count windows: both full windows are released. Event-time windows of 300 ms: the second waits for a later event.
  it.each([
    ['count', { type: 'count', size: 300, minEvents: 1 }, [1, 2]],
    ['event-time', { type: 'event-time', durationMs: 300, minEvents: 1 }, [1]],
  ] as const)('%s windows: reads the held events and labels again silently, and joins later labels to windows released before the restart', async (_name, window, serials) => {
    expect(fixture.size).toBe(300);
    const before = { labels: 0 };
    const a = start(before, window);
    const first = await read(a, [...events, ...labels.slice(0, 151)]);
    expect(first.windows.map((w) => w.window.serial)).toEqual(serials);
    expect(first.realized.map((r) => [r.serial, r.labeled])).toEqual([[1, 150]]);
    expect(first.deadLetters.map((d) => d.reason)).toEqual(['invalid_field']);
    expect(before.labels).toBe(150);

    // Delivered with the outputs: the checkpoint and the commit, which stays at the recent windows' first event and their labels.
    const checkpoint = decodeCheckpoint(encodeCheckpoint(a.checkpoint(fixture.model.name)!));
    const commit = a.committableOffsets();
    expect(commit.get(EVENTS)?.offset).toBe(0);
    expect(commit.get(LABELS)?.offset).toBe(0);
    expect(decodePosition(commit.get(LABELS)?.metadata)?.handled).toBe(151);

    const after = { labels: 0 };
    const b = start(after, window);
    const positions = new Map<string, PartitionPosition>([...commit].map(([key, at]) => [key, decodePosition(at.metadata)!]));
    b.restorePositions(positions, new Map([...commit].map(([key, at]) => [key, at.offset])));
    b.restore(checkpoint);
    const replayed = await read(b, [...events, ...labels.slice(0, 151)]);
    expect([replayed.windows, replayed.realized, replayed.deadLetters, replayed.alerts]).toEqual([[], [], [], []]);
    expect(after.labels).toBe(0);

    // The rest of the first window's labels find their predictions: the report counts all of them, as without a restart.
    const rest = await read(b, labels.slice(151));
    const uninterrupted = await read(a, labels.slice(151));
    expect(rest.realized.map((r) => [r.serial, r.labeled, r.predictions])).toEqual([[1, fixture.size, fixture.size]]);
    expect(rest.realized).toEqual(uninterrupted.realized);
    expect(after.labels).toBe(fixture.size - 150);
  });

  it('joins labels read after a restart but before the events they need are read again, and reports once those are', async () => {
    const window = fixture.model.window;
    const a = start({ labels: 0 }, window);
    await read(a, [...events, ...labels.slice(0, 151)]);
    const checkpoint = decodeCheckpoint(encodeCheckpoint(a.checkpoint(fixture.model.name)!));
    const commit = a.committableOffsets();
    const uninterrupted = await read(a, labels.slice(151));

    const after = { labels: 0 };
    const b = start(after, window);
    b.restorePositions(new Map([...commit].map(([key, at]) => [key, decodePosition(at.metadata)!])), new Map([...commit].map(([key, at]) => [key, at.offset])));
    b.restore(checkpoint);
    // The labels partition first, the held labels and the new ones: the new ones wait for their predictions.
    const early = await read(b, labels);
    expect(early.realized).toEqual([]);
    expect(after.labels).toBe(fixture.size - 150);
    const late = await read(b, events);
    expect(late.realized).toEqual(uninterrupted.realized);
    expect(late.realized.map((r) => [r.serial, r.labeled])).toEqual([[1, fixture.size]]);
  });
});
