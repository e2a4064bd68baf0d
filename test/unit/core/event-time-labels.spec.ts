/**
 * Labels in event time (`labels.order: event-time`): a window is tested after every label stamped
 * before its last event and none later, so what the accuracy backtest learned, the floor's
 * intervals and alerts, and the realized reports are a function of the streams' contents: the same
 * for any read order of the events and labels partitions, for one process or shared replicas, and
 * across restarts of the shared replicas' aggregator (which rebuilds its label join, in either order).
 * In arrival order they are not, which is why this mode exists.
 */
import { Monitor, emptyOutput, type CommitPosition, type MonitorOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { Aggregator } from '../../../src/core/pipeline/aggregator.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type ModelCheckpoint } from '../../../src/core/detectors/state-codec.js';
import { encodeSummaryRecord } from '../../../src/core/pipeline/summary-record.js';
import type { RuntimeOutput } from '../../../src/core/pipeline/model-runtime.js';
import type { AccuracyDetails } from '../../../src/core/detectors/prediction-details.js';
import { LabelQueue } from '../../../src/core/labels/label-queue.js';
import { decodePosition } from '../../../src/core/window/partition-clocks.js';
import { MAX_HELD_WINDOWS } from '../../../src/core/window/windower.js';
import { seededRandom } from '../../../src/core/random.js';
import { classifierContractFixture, type ContractFixture } from '../../support/detector-fixtures.js';

const EVENT_KEYS = ['events/0', 'events/1'];
const LABEL_KEYS = ['labels/0', 'labels/1'];
const KEYS = [...EVENT_KEYS, ...LABEL_KEYS];
/** A label is known this long after its event: a little more than one window (300 events, 10 ms apart). */
const LABEL_DELAY_MS = 3500;

interface Stream {
  /** Per partition (KEYS' order), its messages in offset order. */
  partitions: RawMessage[][];
  events: number;
}

/**
 * Windows of clean traffic, then an accuracy drop, then clean again: events over two partitions,
 * each event's label (9 in 10 arrive) on one of two labels partitions, stamped LABEL_DELAY_MS after
 * the event with up to a second of jitter (so a labels partition's times are not in order), and a
 * few labels sent twice with another class (the first one read counts).
 */
function stream(classifier: ContractFixture): Stream {
  const random = seededRandom(11);
  const events: RawMessage[][] = [[], []];
  const labels: { ts: number; value: object }[][] = [[], []];
  let i = 0;
  const phases = ['clean', 'clean', 'clean', 'clean', 'clean', 'clean', 'accuracy-drop', 'accuracy-drop', 'accuracy-drop', 'accuracy-drop', 'clean', 'clean', 'clean', 'clean'];
  for (const [w, kind] of phases.entries()) {
    for (const e of classifier.events(kind, 70 + w)) {
      const ts = 1_000_000 + i * 10;
      const p = random() < 0.5 ? 0 : 1;
      events[p]!.push(message('events', p, events[p]!.length, ts, { model: classifier.model.name, id: `e${i}`, ts, features: e.features, prediction: { probs: e.probs } }));
      if (random() < 0.9) {
        const lp = random() < 0.5 ? 0 : 1;
        const at = ts + LABEL_DELAY_MS + Math.floor(random() * 1000);
        labels[lp]!.push({ ts: at, value: { model: classifier.model.name, id: `e${i}`, label: e.label, ts: at } });
        if (random() < 0.02) labels[1 - lp]!.push({ ts: at + 5, value: { model: classifier.model.name, id: `e${i}`, label: ((e.label ?? 0) + 1) % 3, ts: at + 5 } });
      }
      i++;
    }
  }
  // A labels partition is written roughly in time order: sorted by time rounded to half a second.
  const written = labels.map((list, p) => list.sort((a, b) => Math.floor(a.ts / 500) - Math.floor(b.ts / 500)).map((l, offset) => message('labels', p, offset, l.ts, l.value)));
  return { partitions: [...events, ...written], events: i };
}

function message(topic: string, partition: number, offset: number, ts: number, value: object): RawMessage {
  return { topic, partition, offset: String(offset), timestamp: String(ts), key: null, value: Buffer.from(JSON.stringify(value)) };
}

/** What must not depend on the read order: per window its accuracy-floor result, the alerts, the realized reports. */
function trace(out: Pick<RuntimeOutput, 'windows' | 'alerts' | 'realized'>) {
  return {
    windows: out.windows.map((w) => {
      const floor = w.detectors['accuracy-floor']?.result;
      const d = floor?.details as AccuracyDetails | undefined;
      return `${w.window.serial}:${w.window.id}:${w.window.n} ${d?.headline.estimator} ${d?.headline.interval} [${d?.headline.lower.toFixed(6)}, ${d?.headline.upper.toFixed(6)}] ${d?.selected.estimator} ${floor?.flagged}`;
    }),
    alerts: out.alerts.map((a) => `${a.detector} ${a.status} ${a.alertId}`),
    realized: out.realized.map((r) => `${r.serial}:${r.windowId} ${r.labeled}/${r.predictions} ${r.accuracy.toFixed(6)}`),
  };
}

/** Each window's last realized report. */
const lastReports = (out: RuntimeOutput) => new Map(out.realized.map((r) => [r.windowId, `${r.serial} ${r.labeled}/${r.predictions} ${r.accuracy.toFixed(6)}`]));

/** Picks the next partition to read a batch from, as a consumer would: any with messages left, the paused ones last. */
function pick(random: () => number, next: readonly number[], s: Stream, paused: readonly string[], labelBias: number): number | undefined {
  const open = next.flatMap((n, p) => (n < s.partitions[p]!.length ? [p] : []));
  if (open.length === 0) return undefined;
  const running = open.filter((p) => !paused.includes(KEYS[p]!));
  const from = running.length > 0 ? running : open;
  // labelBias > 0.5 reads the labels topic ahead of the events, < 0.5 behind them.
  const labelsFirst = random() < labelBias;
  const preferred = from.filter((p) => (p >= EVENT_KEYS.length) === labelsFirst);
  const choice = preferred.length > 0 ? preferred : from;
  return choice[Math.floor(random() * choice.length)];
}

/** Processing time: it passes only at the end of the streams, when every partition goes quiet. */
const IDLE_MS = 2000;

/** The end of the streams: every partition caught up and quiet for the idle time, so the last full windows are released. */
async function endOfStreams(m: Monitor, clock: { now: number }, out: MonitorOutput): Promise<void> {
  for (const key of KEYS) m.caughtUp(key, true);
  clock.now += IDLE_MS;
  m.tick(out);
  await m.complete(out);
}

/**
 * One process reading every partition in random batches. With `restarts`, it is replaced at random
 * points by a new one that restores the last checkpoint and the commit positions (with their
 * metadata) and reads on from the commit, as after a crash: the outputs, the checkpoint of a model
 * that released windows and the commit are delivered together after each batch.
 */
async function single(fixture: ContractFixture, s: Stream, seed: number, labelBias: number, eventTime: boolean, restarts = false): Promise<MonitorOutput & { restarts: number }> {
  const random = seededRandom(seed);
  const clock = { now: 0 };
  const start = () => {
    const m = new Monitor([fixture.model], optionsOf(fixture), {}, () => clock.now);
    m.assign(EVENT_KEYS, eventTime ? LABEL_KEYS : []);
    return m;
  };
  let m = start();
  const next = KEYS.map(() => 0);
  const out = { ...emptyOutput(), restarts: 0 };
  let committed = new Map<string, CommitPosition>();
  let checkpoint: ModelCheckpoint | undefined;
  for (let p = pick(random, next, s, [], labelBias); p !== undefined; p = pick(random, next, s, m.partitionsToPause(), labelBias)) {
    const size = 1 + Math.floor(random() * 200);
    for (const msg of s.partitions[p]!.slice(next[p], next[p]! + size)) (msg.topic === 'labels' ? m.handleLabel(msg, out) : m.handle(msg, out));
    next[p] = Math.min(s.partitions[p]!.length, next[p]! + size);
    const windows = out.windows.length;
    await m.complete(out);
    if (out.windows.length > windows) checkpoint = decodeCheckpoint(encodeCheckpoint(m.checkpoint(fixture.model.name)!));
    committed = new Map([...committed, ...m.committableOffsets()]);
    // Drawn either way, so that runs with and without restarts draw the same numbers.
    const restart = random() < 0.03;
    if (restarts && restart) {
      m = start();
      const positions = [...committed].flatMap(([key, at]) => {
        const position = decodePosition(at.metadata);
        return position === undefined ? [] : [[key, position] as const];
      });
      m.restorePositions(new Map(positions), new Map([...committed].map(([key, at]) => [key, at.offset])));
      if (checkpoint !== undefined) m.restore(checkpoint);
      KEYS.forEach((key, i) => (next[i] = committed.get(key)?.offset ?? 0));
      out.restarts += 1;
    }
  }
  await endOfStreams(m, clock, out);
  return out;
}

function optionsOf(fixture: ContractFixture) {
  const s = fixture.settings;
  return { maxMessageBytes: 100_000, tests: s.tests, sequential: s.sequential, predictions: { ...s.predictions, headline: 'selected' as const, labels: { ...s.predictions.labels, minLabeled: 50 } } };
}

describe('labels in event time', () => {
  let fixture: ContractFixture;
  let s: Stream;
  beforeAll(() => {
    fixture = classifierContractFixture();
    s = stream(fixture);
  });

  it('give one process the same floor results, alerts and realized reports whatever the read order; arrival order does not', async () => {
    const runs = [[1, 0.5], [2, 0.8], [3, 0.2]] as const;
    const eventTime = await Promise.all(runs.map(async ([seed, bias]) => trace(await single(fixture, s, seed, bias, true))));
    const first = eventTime[0]!;
    expect(first.windows.length).toBeGreaterThanOrEqual(13);
    // The labels taught the backtest: adaptive intervals, and a headline estimator other than "no change" once the accuracy fell.
    expect(first.windows.some((w) => w.includes(' aci '))).toBe(true);
    expect(new Set(first.windows.map((w) => w.split(' ')[1])).size).toBeGreaterThan(1);
    expect(first.realized.length).toBeGreaterThanOrEqual(12);
    for (const other of eventTime.slice(1)) expect(other).toEqual(first);

    const arrival = await Promise.all(runs.map(async ([seed, bias]) => trace(await single(fixture, s, seed, bias, false))));
    expect(arrival.some((t) => JSON.stringify(t) !== JSON.stringify(arrival[0]))).toBe(true);
  });

  it('give shared replicas, however the partitions are split, what one process reports', async () => {
    const expected = trace(await single(fixture, s, 1, 0.5, true));
    for (const [seed, split] of [[4, [[0, 3], [1, 2]]], [5, [[0, 1, 2, 3]]], [6, [[0], [1], [2, 3]]]] as const) {
      const shared = await sharedRun(fixture, s, seed, split.map((w) => [...w]));
      expect(trace(shared)).toEqual(expected);
    }
  });

  it('give one process restarted from its checkpoint and commit, again and again, what it reports uninterrupted', async () => {
    const expected = trace(await single(fixture, s, 1, 0.5, true));
    for (const seed of [13, 18]) {
      const restarted = await single(fixture, s, seed, 0.5, true, true);
      expect(restarted.restarts).toBeGreaterThan(3);
      expect(trace(restarted)).toEqual(expected);
    }
  });

  it('in arrival order too, lose no label across restarts of one process: each window\'s last realized report counts the uninterrupted run\'s labels', async () => {
    // Counts, not accuracy: of a label sent twice with two classes, the first one read counts, and restarts change the read order.
    const lastCounts = (out: RuntimeOutput) => new Map(out.realized.map((r) => [r.windowId, `${r.serial} ${r.labeled}/${r.predictions}`]));
    for (const seed of [16, 18]) {
      const uninterrupted = await single(fixture, s, seed, 0.5, false);
      const restarted = await single(fixture, s, seed, 0.5, false, true);
      expect(restarted.restarts).toBeGreaterThan(3);
      expect(lastCounts(uninterrupted).size).toBeGreaterThanOrEqual(12);
      expect(lastCounts(restarted)).toEqual(lastCounts(uninterrupted));
      expect(restarted.windows.map((w) => w.window.id)).toEqual(uninterrupted.windows.map((w) => w.window.id));
    }
  });

  it('give an aggregator restarted from its checkpoint and commit, again and again, what one process reports', async () => {
    const expected = trace(await single(fixture, s, 1, 0.5, true));
    for (const seed of [7, 8]) {
      const restarted = await sharedRun(fixture, s, seed, [[0, 3], [1, 2]], true);
      expect(restarted.restarts).toBeGreaterThan(3);
      expect(trace(restarted)).toEqual(expected);
    }
  });

  it('in arrival order too, lose no label across aggregator restarts: each window\'s last realized report is the uninterrupted run\'s', async () => {
    for (const seed of [9, 10]) {
      const uninterrupted = await sharedRun(fixture, s, seed, [[0, 3], [1, 2]], false, false);
      const restarted = await sharedRun(fixture, s, seed, [[0, 3], [1, 2]], true, false);
      expect(restarted.restarts).toBeGreaterThan(3);
      expect(lastReports(uninterrupted).size).toBeGreaterThanOrEqual(12);
      expect(lastReports(restarted)).toEqual(lastReports(uninterrupted));
      expect(restarted.windows.map((w) => w.window.id)).toEqual(uninterrupted.windows.map((w) => w.window.id));
    }
  });

  it('checkpoint the windows labels may still join and the reports still due, and refuse malformed lists of them', async () => {
    const windows = [{ id: 'w1', serial: 1, end: 1_000, n: 300 }];
    const envelope = { model: 'm', closedThrough: {}, releasedUntil: null, windowsClosed: 1, detectors: {} };
    const decoded = decodeCheckpoint(encodeCheckpoint({ ...envelope, labelWindows: windows, labelsReadThrough: { 'summaries/0': 12 } }));
    expect([decoded.labelWindows, decoded.labelsReadThrough]).toEqual([windows, { 'summaries/0': 12 }]);
    for (const bad of [{}, [{ id: 'w1', serial: 1.5, end: 1_000, n: 1 }], [{ serial: 1, end: 1_000, n: 1 }], [{ id: 'w1', serial: 1, end: null, n: 1 }], [{ id: 'w1', serial: 1, end: 1 }]]) {
      expect(() => decodeCheckpoint(JSON.stringify({ v: 3, ...envelope, labelWindows: bad }))).toThrow(new CheckpointError('state of model m: labelWindows must list windows as {id, serial, end, n}'));
    }
    expect(() => decodeCheckpoint(JSON.stringify({ v: 3, ...envelope, labelWindows: windows, labelsReadThrough: { 'summaries/0': -1 } }))).toThrow('labelsReadThrough must map partitions to offsets');
    expect(decodeCheckpoint(encodeCheckpoint({ ...envelope, labelWindows: windows, labelsPending: ['w1'] })).labelsPending).toEqual(['w1']);
    expect(() => decodeCheckpoint(JSON.stringify({ v: 3, ...envelope, labelsPending: [1] }))).toThrow('labelsPending must list window ids');
  });

  it('hold a labels partition\'s commit at its first label not joined yet, with the clock before it', async () => {
    const m = new Monitor([fixture.model], optionsOf(fixture), {}, () => 0);
    m.assign(EVENT_KEYS, LABEL_KEYS);
    const out = emptyOutput();
    // The first window's events, then labels up to a time past its end and beyond.
    for (const msg of s.partitions[0]!.slice(0, 100)) m.handle(msg, out);
    const labels = s.partitions[2]!.slice(0, 40);
    for (const msg of labels) m.handleLabel(msg, out);
    await m.complete(out);
    const position = m.committableOffsets().get('labels/0')!;
    // No window was released: every label read waits, and the commit stays at the first.
    expect(position.offset).toBe(0);
    expect(decodePosition(position.metadata)?.clock).toBe(-Infinity);
    expect(decodePosition(position.metadata)?.handled).toBe(40);
    m.flush(out);
    await m.complete(out);
    const after = m.committableOffsets().get('labels/0')!;
    expect(after.offset).toBe(40);
    expect(decodePosition(after.metadata)?.clock).toBe(Math.max(...labels.map((l) => Number(l.timestamp))));
  });

  it('dead-letter a label whose ts lies outside the accepted range, which would stall the labels partition\'s clock', async () => {
    const options = { ...optionsOf(fixture), timestamps: { maxFutureMs: 60_000, earliestMs: 0 } };
    const m = new Monitor([fixture.model], options, {}, () => 0);
    m.assign(EVENT_KEYS, LABEL_KEYS);
    const out = emptyOutput();
    m.handleLabel(message('labels', 0, 0, 2_000_000, { model: fixture.model.name, id: 'e1', label: 1, ts: 9_000_000 }), out);
    expect(out.deadLetters.map((d) => d.reason)).toEqual(['timestamp_out_of_range']);
    // In arrival order the label's time is not used, and not checked.
    const arrival = new Monitor([fixture.model], options, {}, () => 0);
    arrival.assign(EVENT_KEYS);
    const outArrival = emptyOutput();
    arrival.handleLabel(message('labels', 0, 0, 2_000_000, { model: fixture.model.name, id: 'e1', label: 1, ts: 9_000_000 }), outArrival);
    expect(outArrival.deadLetters).toEqual([]);
  });
});

/**
 * Workers over the split partitions and one aggregator reading the summaries log to random points.
 * With `restarts`, the aggregator is replaced at random points by a new one that restores the last
 * checkpoint and reads on from the last commit, as after a crash or a move to another replica (both
 * are delivered with the outputs, in one transaction).
 */
async function sharedRun(fixture: ContractFixture, s: Stream, seed: number, split: number[][], restarts = false, eventTime = true): Promise<RuntimeOutput & { restarts: number }> {
  const random = seededRandom(seed);
  const options = optionsOf(fixture);
  const clock = { now: 0 };
  const workers = split.map((partitions) => {
    const m = new Monitor([fixture.model], { ...options, role: 'worker' }, {}, () => clock.now);
    m.assign(partitions.filter((p) => p < EVENT_KEYS.length).map((p) => KEYS[p]!), eventTime ? partitions.filter((p) => p >= EVENT_KEYS.length).map((p) => KEYS[p]!) : []);
    return { monitor: m, partitions };
  });
  const newAggregator = () => {
    const a = new Aggregator([fixture.model], { ...options, maxHeldWindows: MAX_HELD_WINDOWS }, {}, () => 0);
    a.setInputPartitions(EVENT_KEYS, eventTime ? LABEL_KEYS : []);
    return a;
  };
  let aggregator = newAggregator();
  const log: RawMessage[] = [];
  let read = 0;
  const out: RuntimeOutput & { restarts: number } = { windows: [], alerts: [], realized: [], restarts: 0 };
  let checkpoint: ModelCheckpoint | undefined;
  let committed = 0;
  const aggregate = async (upTo: number) => {
    for (; read < upTo; read++) aggregator.handle(log[read]!);
    const windows = out.windows.length;
    await aggregator.complete(out);
    // Delivered: the outputs, the checkpoint of a model that released windows, the commit.
    if (out.windows.length > windows) checkpoint = decodeCheckpoint(encodeCheckpoint(aggregator.checkpoint(fixture.model.name)!));
    committed = aggregator.committableOffsets().get('summaries/0') ?? committed;
    // Drawn either way, so that a run with restarts reads the partitions as the one without.
    const restart = random() < 0.2;
    if (restarts && restart) {
      aggregator = newAggregator();
      if (checkpoint !== undefined) aggregator.restore(checkpoint);
      read = committed;
      out.restarts += 1;
    }
  };
  const next = KEYS.map(() => 0);
  for (let p = pick(random, next, s, [], 0.5); p !== undefined; p = pick(random, next, s, [], 0.5)) {
    const worker = workers.find((w) => w.partitions.includes(p))!;
    const size = 1 + Math.floor(random() * 200);
    const batch: MonitorOutput = emptyOutput();
    for (const msg of s.partitions[p]!.slice(next[p], next[p]! + size)) (msg.topic === 'labels' ? worker.monitor.handleLabel(msg, batch) : worker.monitor.handle(msg, batch));
    next[p] = Math.min(s.partitions[p]!.length, next[p]! + size);
    await worker.monitor.complete(batch);
    for (const record of batch.summaries) log.push({ topic: 'summaries', partition: 0, offset: String(log.length), timestamp: '0', key: null, value: Buffer.from(encodeSummaryRecord(record)) });
    if (random() < 0.5) await aggregate(read + Math.floor(random() * (log.length - read + 1)));
  }
  // The end of the streams: every partition reports itself quiet, and the last windows are released.
  clock.now += IDLE_MS;
  for (const w of workers) {
    for (const key of KEYS) w.monitor.caughtUp(key, true);
    const batch = emptyOutput();
    w.monitor.tick(batch);
    await w.monitor.complete(batch);
    for (const record of batch.summaries) log.push({ topic: 'summaries', partition: 0, offset: String(log.length), timestamp: '0', key: null, value: Buffer.from(encodeSummaryRecord(record)) });
  }
  await aggregate(log.length);
  return out;
}

describe('the event-time label queue', () => {
  it('takes the labels before a time in (time, id, class) order, and holds each source from its first label left', () => {
    const q = new LabelQueue();
    const add = (time: number, id: string, label: number, source: string, offset: number) => q.add({ time, id, label, source, offset, clockBefore: time - 1 });
    add(30, 'b', 0, 'l/0', 0);
    add(10, 'z', 1, 'l/1', 0);
    add(30, 'a', 2, 'l/0', 1);
    add(30, 'a', 1, 'l/1', 1);
    add(50, 'c', 0, 'l/0', 2);
    expect(q.takeBefore(10)).toEqual([]);
    expect(q.takeBefore(31).map((l) => `${l.time} ${l.id} ${l.label}`)).toEqual(['10 z 1', '30 a 1', '30 a 2', '30 b 0']);
    expect(q.size()).toBe(1);
    expect(Object.fromEntries(q.held())).toEqual({ 'l/0': { offset: 2, clock: 49 } });
    q.dropSources(new Set(['l/0']));
    expect(q.size()).toBe(0);
  });

  it('holds a record\'s offset while any of its labels waits (an aggregator queues a record\'s labels under one offset)', () => {
    const q = new LabelQueue();
    const random = seededRandom(4);
    const added: { time: number; offset: number }[] = [];
    for (let offset = 0; offset < 50; offset++) {
      for (let k = 0; k < 20; k++) {
        const time = Math.floor(random() * 1000);
        added.push({ time, offset });
        q.add({ time, id: `r${offset}-${k}`, label: k % 3, source: 'summaries/0', offset, clockBefore: -Infinity });
      }
    }
    const taken: number[] = [];
    for (const gate of [100, 350, 351, 700, 990]) {
      taken.push(...q.takeBefore(gate).map((l) => l.time));
      const left = added.filter((a) => a.time >= gate);
      expect(q.size()).toBe(left.length);
      expect(q.held().get('summaries/0')?.offset).toBe(Math.min(...left.map((a) => a.offset)));
    }
    // Taken in time order, every one once.
    expect(taken).toEqual([...taken].sort((a, b) => a - b));
    expect(taken.length + q.size()).toBe(added.length);
    q.takeBefore(Infinity);
    expect(q.held().size).toBe(0);
  });
});
