/**
 * Shared replicas: workers cut the windows of the input partitions they read and hand them, through
 * the summaries topic, to the model's aggregator, which orders and scores them. Whichever way the
 * partitions are split over workers, and across worker rebalances and aggregator restarts, the
 * windows, their order and the alert ids must be those of one process reading everything.
 */
import { Monitor, emptyOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { Aggregator } from '../../../src/core/pipeline/aggregator.js';
import { encodeSummaryRecord, decodeSummaryRecord, SummaryRecordError } from '../../../src/core/pipeline/summary-record.js';
import { summaryPayloads } from '../../../src/core/pipeline/summary-pieces.js';
import type { RuntimeOutput } from '../../../src/core/pipeline/model-runtime.js';
import { decodePosition, type PartitionPosition } from '../../../src/core/window/partition-clocks.js';
import { MAX_HELD_WINDOWS, type WindowSpec } from '../../../src/core/window/windower.js';
import type { ModelCheckpoint } from '../../../src/core/detectors/state-codec.js';
import { seededRandom } from '../../../src/core/random.js';
import { syntheticRows, type Shift } from '../../support/synthetic.js';
import { partitionedEvents, windowTrace } from '../../support/partitioned-events.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';
import { contractFixtures } from '../../support/detector-fixtures.js';

const PARTITIONS = 4;
const KEYS = Array.from({ length: PARTITIONS }, (_, p) => `events/${p}`);
const bundle = syntheticBundle('m1', { windowSize: 300 });
type Models = { name: string; bundle: typeof bundle; window: WindowSpec }[];
const COUNT_MODELS: Models = [
  { name: 'm1', bundle, window: { type: 'count', size: 150, minEvents: 100 } },
  { name: 'm2', bundle, window: { type: 'count', size: 40, minEvents: 10 } },
];
// About 200 events of m1 and 60 of m2 per window; events up to 2 s behind their partition's clock,
// so with m2's lateness allowance of 1 s some are placed late.
const EVENT_TIME_MODELS: Models = [
  { name: 'm1', bundle, window: { type: 'event-time', durationMs: 3000, minEvents: 100, allowedLatenessMs: 2000 } },
  { name: 'm2', bundle, window: { type: 'event-time', durationMs: 1000, minEvents: 10, allowedLatenessMs: 1000 } },
];
const OPTIONS = { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL };
const clean: Shift = { kind: 'none' };
const amount: Shift = { kind: 'mean', feature: 'amount', logShift: 0.6 };
const PARTS = partitionedEvents([clean, clean, amount, amount, amount, clean, clean, clean, clean, clean], 5, PARTITIONS);

/** One process reading every partition in random batches. */
async function single(seed: number, models: Models) {
  const random = seededRandom(seed);
  const m = new Monitor(models, OPTIONS, {}, () => 0);
  m.assign(KEYS);
  const next = KEYS.map(() => 0);
  const out = emptyOutput();
  for (;;) {
    const open = next.flatMap((n, p) => (n < PARTS[p]!.length ? [p] : []));
    if (open.length === 0) break;
    const p = open[Math.floor(random() * open.length)]!;
    const size = 1 + Math.floor(random() * 150);
    for (const msg of PARTS[p]!.slice(next[p], next[p]! + size)) m.handle(msg, out);
    next[p] = Math.min(PARTS[p]!.length, next[p]! + size);
    await m.complete(out);
  }
  return windowTrace(out);
}

interface Commit {
  offset: number;
  position: PartitionPosition;
}

/** One worker delivery: its summaries records and input commits, in one transaction. */
interface Delivery {
  worker: number;
  records: RawMessage[];
  commits: { partition: number; commit: Commit }[];
}

interface RunOptions {
  /**
   * Records larger than this many bytes go in pieces (summary-pieces.ts); the deliveries of two
   * workers may then interleave on the summaries partition, and the aggregator reads up to a random
   * point of the log (a fetch can end between two pieces).
   */
  pieceRoom?: number;
}

/**
 * Workers and one aggregator over an in-memory summaries log. A worker's delivery appends its records
 * and commits its offsets at once (one transaction); so does the aggregator's, with its checkpoints.
 */
class SharedRun {
  private readonly log: RawMessage[] = [];
  /** A delivery not yet appended, so that the next worker's records can interleave with it (pieceRoom only). */
  private pending: Delivery | undefined;
  private pieceSets = 0;
  /** Records sent in pieces so far. */
  pieces = 0;
  private readonly workers: { monitor: Monitor; partitions: number[] }[] = [];
  /** Per input partition, its commits that moved the offset, in order (the last one is the group's). */
  private readonly commits = KEYS.map((): Commit[] => []);
  private readonly next = KEYS.map(() => 0);
  private aggregator: Aggregator;
  private aggregatorAt = 0;
  private aggregatorCommit = { offset: 0, checkpoints: [] as ModelCheckpoint[] };
  readonly out: RuntimeOutput = { windows: [], alerts: [], realized: [] };

  constructor(split: number[][], private readonly models: Models, private readonly skipped?: (outcome: string) => void, private readonly options: RunOptions = {}) {
    for (const partitions of split) this.workers.push({ monitor: this.worker(partitions), partitions });
    this.aggregator = this.newAggregator();
  }

  private worker(partitions: readonly number[]): Monitor {
    const m = new Monitor(this.models, { ...OPTIONS, role: 'worker' }, {}, () => 0);
    m.assign(partitions.map((p) => KEYS[p]!));
    return m;
  }

  /** Where `partitions` resume: `rewind` commits before the group's last one. */
  private resume(partitions: readonly number[], rewind: number): Map<string, PartitionPosition> {
    const positions = new Map<string, PartitionPosition>();
    for (const p of partitions) {
      const commits = this.commits[p]!;
      const commit = commits[Math.max(0, commits.length - 1 - rewind)];
      this.next[p] = commit?.offset ?? 0;
      if (commit !== undefined) positions.set(KEYS[p]!, commit.position);
    }
    return positions;
  }

  done(): boolean {
    return this.next.every((n, p) => n >= PARTS[p]!.length);
  }

  async workerBatch(random: () => number): Promise<void> {
    const open = this.next.flatMap((n, p) => (n < PARTS[p]!.length ? [p] : []));
    const p = open[Math.floor(random() * open.length)]!;
    const worker = this.workers.find((w) => w.partitions.includes(p))!;
    const size = 1 + Math.floor(random() * 150);
    const out = emptyOutput();
    for (const msg of PARTS[p]!.slice(this.next[p], this.next[p]! + size)) worker.monitor.handle(msg, out);
    this.next[p] = Math.min(PARTS[p]!.length, this.next[p]! + size);
    await worker.monitor.complete(out);
    const delivery: Delivery = { worker: this.workers.indexOf(worker), records: [], commits: [] };
    for (const record of out.summaries) {
      const text = encodeSummaryRecord(record);
      const payloads = this.options.pieceRoom === undefined ? [{ value: text }] : summaryPayloads(text, this.options.pieceRoom, () => `set-${++this.pieceSets}`);
      if (payloads.length > 1) this.pieces += 1;
      for (const p of payloads) delivery.records.push({ topic: 'summaries', partition: 0, offset: '', timestamp: '0', key: Buffer.from(record.model), value: Buffer.from(p.value), ...(p.headers ? { headers: p.headers } : {}) });
    }
    for (const [key, at] of worker.monitor.committableOffsets()) {
      const q = KEYS.indexOf(key);
      if (this.commits[q] === undefined || !worker.partitions.includes(q)) continue;
      delivery.commits.push({ partition: q, commit: { offset: at.offset, position: decodePosition(at.metadata)! } });
    }
    this.deliver(delivery, random);
  }

  /**
   * Appends a delivery's records and applies its commits. With pieces, a delivery may wait for the
   * next one; two workers' deliveries then interleave their records (one worker's never do).
   */
  private deliver(d: Delivery, random: () => number): void {
    if (this.options.pieceRoom === undefined) return this.append([d], d.records);
    const waiting = this.pending;
    this.pending = undefined;
    if (waiting === undefined) {
      if (random() < 0.5) this.pending = d;
      else this.append([d], d.records);
      return;
    }
    if (waiting.worker === d.worker) return this.append([waiting, d], [...waiting.records, ...d.records]);
    const merged: RawMessage[] = [];
    const a = [...waiting.records];
    const b = [...d.records];
    while (a.length + b.length > 0) merged.push((b.length === 0 || (a.length > 0 && random() < 0.5) ? a : b).shift()!);
    this.append([waiting, d], merged);
  }

  private append(deliveries: Delivery[], records: RawMessage[]): void {
    for (const r of records) this.log.push({ ...r, offset: String(this.log.length) });
    for (const { partition, commit } of deliveries.flatMap((d) => d.commits)) {
      const commits = this.commits[partition]!;
      if (commits.at(-1)?.offset !== commit.offset) commits.push(commit);
    }
  }

  /** The end of the stream: a delivery still waiting goes out. */
  flush(): void {
    if (this.pending !== undefined) this.append([this.pending], this.pending.records);
    this.pending = undefined;
  }

  /** The aggregator reads the log (with pieces, up to a random point of it) and commits. */
  async aggregate(random?: () => number): Promise<void> {
    const end = this.options.pieceRoom === undefined || random === undefined ? this.log.length : this.aggregatorAt + Math.floor(random() * (this.log.length - this.aggregatorAt + 1));
    for (; this.aggregatorAt < end; this.aggregatorAt++) this.aggregator.handle(this.log[this.aggregatorAt]!);
    await this.aggregator.complete(this.out);
    this.aggregatorCommit = { offset: this.aggregator.committableOffsets().get('summaries/0') ?? this.aggregatorAt, checkpoints: this.models.map((m) => this.aggregator.checkpoint(m.name)!) };
  }

  private newAggregator(): Aggregator {
    const observer = this.skipped === undefined ? {} : { summarySkipped: this.skipped };
    const aggregator = new Aggregator(this.models, { ...OPTIONS, maxHeldWindows: MAX_HELD_WINDOWS }, observer, () => 0);
    aggregator.setInputPartitions(KEYS);
    return aggregator;
  }

  /** The aggregator dies: a new one restores the checkpoints and reads again from the committed offset. */
  restartAggregator(): void {
    this.aggregator = this.newAggregator();
    for (const c of this.aggregatorCommit.checkpoints) this.aggregator.restore(structuredClone(c));
    this.aggregatorAt = this.aggregatorCommit.offset;
  }

  /**
   * Worker `from` dies; worker `to` takes its partitions and reads them from `rewind` commits before
   * the last (what a rebalance does when a commit was still in flight: its windows come twice).
   */
  rebalance(from: number, to: number, rewind: number): void {
    const moved = this.workers[from]!.partitions;
    const target = this.workers[to]!;
    target.partitions = [...target.partitions, ...moved].sort();
    // The surviving worker keeps its own partitions' open windows and reads the moved ones from their commit.
    target.monitor.assign(target.partitions.map((p) => KEYS[p]!));
    target.monitor.restorePositions(this.resume(moved, rewind));
    this.workers[from]!.partitions = [];
    // The dead worker's open transaction is aborted: no reader sees it, and its commits never happened.
    if (this.pending?.worker === from) this.pending = undefined;
  }
}


async function shared(models: Models, split: number[][], seed: number, faults: (run: SharedRun, batch: number) => void = () => undefined, skipped?: (outcome: string) => void, options: RunOptions = {}) {
  const random = seededRandom(seed);
  const run = new SharedRun(split, models, skipped, options);
  for (let batch = 0; !run.done(); batch++) {
    await run.workerBatch(random);
    if (random() < 0.3) await run.aggregate(random);
    faults(run, batch);
  }
  run.flush();
  await run.aggregate();
  return { trace: windowTrace(run.out), pieces: run.pieces };
}

describe.each([['count', COUNT_MODELS], ['event-time', EVENT_TIME_MODELS]] as const)('shared replicas with %s windows', (_type, models) => {
  let baseline: Awaited<ReturnType<typeof single>>;
  beforeAll(async () => {
    baseline = await single(1, models);
  });

  it('score the same windows in the same order, with the same alert ids, as one process', async () => {
    expect(baseline.m1!.windows.length).toBeGreaterThanOrEqual(7);
    expect(baseline.m1!.alerts.length).toBeGreaterThanOrEqual(1);
    expect(baseline.m2!.windows.length).toBeGreaterThanOrEqual(20);
    for (const [split, seed] of [[[[0, 1, 2, 3]], 2], [[[0, 2], [1, 3]], 3], [[[0], [1], [2, 3]], 4]] as const) {
      const { trace } = await shared(models, split.map((s) => [...s]), seed);
      expect(trace).toEqual(baseline);
    }
  });

  it('lose and repeat nothing when a worker dies and another takes its partitions from an older commit', async () => {
    const skipped: string[] = [];
    const { trace } = await shared(models, [[0, 2], [1, 3]], 6, (r, batch) => {
      if (batch === 20) r.rebalance(1, 0, 2);
    }, (outcome) => skipped.push(outcome));
    expect(trace).toEqual(baseline);
    // The windows published twice were recognized.
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped)).toEqual(new Set(['replay_skipped']));
  });

  it('lose and repeat nothing when the aggregator restarts from its last commit', async () => {
    const { trace } = await shared(models, [[0, 1], [2, 3]], 7, (r, batch) => {
      if (batch % 10 === 9) r.restartAggregator();
    });
    expect(trace).toEqual(baseline);
  });

  it('put records sent in pieces back together, between other workers\' records, across restarts and a rebalance', async () => {
    const { trace, pieces } = await shared(models, [[0, 2], [1, 3]], 8, (r, batch) => {
      if (batch % 7 === 6) r.restartAggregator();
      if (batch === 30) r.rebalance(1, 0, 1);
    }, undefined, { pieceRoom: 1024 });
    expect(pieces).toBeGreaterThan(20);
    expect(trace).toEqual(baseline);
  });
});

describe('an aggregator without the bundle of a model in the summaries', () => {
  it('skips its records, counts them and names the model', async () => {
    const worker = new Monitor(COUNT_MODELS, { ...OPTIONS, role: 'worker' }, {}, () => 0);
    worker.assign(KEYS);
    const out = emptyOutput();
    for (const msg of PARTS[0]!) worker.handle(msg, out);
    await worker.complete(out);
    const skipped: string[] = [];
    const aggregator = new Aggregator(COUNT_MODELS.slice(0, 1), { ...OPTIONS, maxHeldWindows: MAX_HELD_WINDOWS }, { summarySkipped: (outcome, topic) => skipped.push(`${outcome} ${topic}`) }, () => 0);
    aggregator.setInputPartitions(KEYS);
    out.summaries.forEach((record, i) => aggregator.handle({ topic: 'summaries', partition: 0, offset: String(i), timestamp: '0', key: null, value: Buffer.from(encodeSummaryRecord(record)) }));
    const ofM2 = out.summaries.filter((r) => r.model === 'm2').length;
    expect(ofM2).toBeGreaterThan(0);
    expect(skipped).toEqual(Array.from({ length: ofM2 }, () => 'unknown_model summaries'));
    expect(aggregator.newUnknownModels()).toEqual(['m2']);
    // Named once: the engine warns once per model.
    expect(aggregator.newUnknownModels()).toEqual([]);
  });
});

describe('summary records', () => {
  it('round-trip every kind, and refuse another version or kind with a message that says what to do', () => {
    const progress = { kind: 'progress' as const, model: 'm1', partition: 'events/0', clock: -Infinity, quiet: true };
    expect(decodeSummaryRecord(encodeSummaryRecord(progress))).toEqual(progress);
    const label = { kind: 'labels' as const, model: 'm1', ids: ['e1', 'e2'], labels: [2, 0] };
    expect(decodeSummaryRecord(encodeSummaryRecord(label))).toEqual(label);
    expect(() => decodeSummaryRecord(JSON.stringify({ ...label, v: 1, labels: [2] }))).toThrow(/equal length/);
    expect(() => decodeSummaryRecord(JSON.stringify({ ...label, v: 99 }))).toThrow(/version 99 .*run one version per group/);
    expect(() => decodeSummaryRecord(JSON.stringify({ v: 1, kind: 'pane', model: 'm1' }))).toThrow(SummaryRecordError);
    expect(() => decodeSummaryRecord('{')).toThrow(/not JSON/);
  });

  it('carry the per-row arrays of a window bit for bit, in fewer bytes than their JSON', () => {
    const values = [0.1, -0, 1e-300, -2.5e300, Math.PI, 123456789.123456789, 5e-324];
    const summary = {
      n: 3, minTs: 1, maxTs: 3, unknownFeatureValues: 0, features: [{ kind: 'numeric' as const, counts: [1, 2], tail: { below: 0.25, above: 0 }, missing: 0 }],
      flow: { dim: 2, n: 3, skipped: 0, rows: [...values, 7 / 3, 1 / 3, -1 / 7, 2 ** 52 + 1, 1e21, ...Array.from({ length: 1000 }, seededRandom(9))], categories: { country: ['US', null, 'FR'] } },
      predictions: { classes: 3, n: 3, missing: 0, probs: values.slice(0, 6).map(Math.abs) },
      regression: { n: 3, missing: 0, values },
    };
    const record = { kind: 'window' as const, model: 'm1', lane: { id: 'c-events/0@0', partitionKey: 'events/0', keyClock: 3, keyOffset: 2, firstOffset: 0, endOffset: 3, summary }, ids: ['a', null, 'c'] };
    const text = encodeSummaryRecord(record);
    const back = decodeSummaryRecord(text);
    expect(back).toEqual(record);
    if (back.kind !== 'window') throw new Error('kind');
    expect(Object.is(back.lane.summary.regression!.values[1], -0)).toBe(true);
    expect(text.length).toBeLessThan(0.7 * JSON.stringify(record).length);
    const broken = JSON.parse(text) as { lane: { summary: { flow: { rows: string } } } };
    broken.lane.summary.flow.rows = 'AAAA';
    expect(() => decodeSummaryRecord(JSON.stringify(broken))).toThrow(/multiple of 8 bytes/);
  });
});

describe('shared replicas with a classifier and delayed labels', () => {
  it('join the labels, including those that arrive before their window is handed over, and report what one process reports', async () => {
    const { classifier } = await contractFixtures();
    const s = classifier.settings;
    const options = { maxMessageBytes: 100_000, tests: s.tests, sequential: s.sequential, predictions: { ...s.predictions, labels: { ...s.predictions.labels, minLabeled: 20 } } };
    const models = [classifier.model];
    const keys = ['events/0', 'events/1'];
    // Arrival order: events spread over two partitions, each followed by its label on the labels topic,
    // so in shared replicas every label reaches the aggregator before its window does.
    const random = seededRandom(3);
    const offsets = new Map<string, number>();
    const message = (topic: string, partition: number, value: object): RawMessage => {
      const key = `${topic}/${partition}`;
      const offset = offsets.get(key) ?? 0;
      offsets.set(key, offset + 1);
      return { topic, partition, offset: String(offset), timestamp: '0', key: null, value: Buffer.from(JSON.stringify(value)) };
    };
    const arrivals: RawMessage[] = [];
    let i = 0;
    for (const [w, kind] of ['clean', 'clean', 'clean', 'class-mix', 'class-mix', 'class-mix', 'clean', 'clean'].entries()) {
      for (const e of classifier.events(kind, 40 + w)) {
        const ts = 1_000_000 + i * 10;
        arrivals.push(message('events', random() < 0.5 ? 0 : 1, { model: classifier.model.name, id: `e${i}`, ts, features: e.features, prediction: { probs: e.probs } }));
        arrivals.push(message('labels', 0, { model: classifier.model.name, id: `e${i}`, label: e.label }));
        i++;
      }
    }

    // The labels' outcomes as their metric counts them (the aggregator reports them per record and outcome).
    const tally = (counts: Map<string, number>) => ({ label: (_model: string, outcome: string, count = 1) => void counts.set(outcome, (counts.get(outcome) ?? 0) + count) });
    const outcomes = { single: new Map<string, number>(), shared: new Map<string, number>() };
    const single = new Monitor(models, options, tally(outcomes.single), () => 0);
    single.assign(keys);
    const one = emptyOutput();
    const workers = [0, 1].map((p) => {
      const m = new Monitor(models, { ...options, role: 'worker' }, {}, () => 0);
      m.assign([keys[p]!]);
      return m;
    });
    const aggregator = new Aggregator(models, { ...options, maxHeldWindows: MAX_HELD_WINDOWS }, tally(outcomes.shared), () => 0);
    aggregator.setInputPartitions(keys);
    const shared: RuntimeOutput = { windows: [], alerts: [], realized: [] };
    let log = 0;
    for (const [n, msg] of arrivals.entries()) {
      // The labels partition belongs to the first worker.
      const worker = workers[msg.topic === 'labels' ? 0 : msg.partition]!;
      if (msg.topic === 'labels') {
        single.handleLabel(msg, one);
        worker.handleLabel(msg);
      } else {
        single.handle(msg, one);
        worker.handle(msg);
      }
      if (n % 97 !== 96 && n !== arrivals.length - 1) continue;
      await single.complete(one);
      for (const w of workers) {
        for (const record of (await w.complete(emptyOutput())).summaries) {
          aggregator.handle({ topic: 'summaries', partition: 0, offset: String(log++), timestamp: '0', key: null, value: Buffer.from(encodeSummaryRecord(record)) });
        }
      }
      await aggregator.complete(shared);
    }
    const name = [classifier.model.name];
    expect(windowTrace(one, name)[name[0]!]!.windows.length).toBeGreaterThanOrEqual(6);
    expect(windowTrace(shared, name)).toEqual(windowTrace(one, name));
    const lastReports = (out: Pick<RuntimeOutput, 'realized'>) => Object.fromEntries(out.realized.map((r) => [r.windowId, `${r.labeled}/${r.predictions} ${r.accuracy.toFixed(4)}`]));
    expect(Object.keys(lastReports(one)).length).toBeGreaterThanOrEqual(6);
    expect(lastReports(shared)).toEqual(lastReports(one));
    // Every label counted once (their outcomes differ: in shared replicas a label can reach the aggregator before its window).
    const counted = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
    expect(counted(outcomes.single)).toBe(i);
    expect(counted(outcomes.shared)).toBe(i);
  });
});

describe('shared replicas with event-time windows and a partition that goes quiet', () => {
  // One model, 1-second windows without lateness allowance. Partition 0 stops after the first second
  // and goes quiet (its part is handed over so that the others' windows are not held back), then
  // wakes up with an event of that first second, long released: it must land, late, in the window
  // one process puts it in, also when another worker took the partition over in between.
  const models: Models = [{ name: 'm1', bundle, window: { type: 'event-time', durationMs: 1000, minEvents: 5 } }];
  const rows = syntheticRows(200, 11);
  const offsets = [0, 0];
  const event = (p: number, ts: number): RawMessage => ({
    topic: 'events', partition: p, offset: String(offsets[p]!++), timestamp: String(ts), key: null,
    value: Buffer.from(JSON.stringify({ model: 'm1', id: `p${p}-${offsets[p]}`, ts, features: rows[(offsets[0]! + offsets[1]!) % rows.length] })),
  });
  const span = (p: number, from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => event(p, from + i * step));
  /** The steps: messages read, or both partitions reported caught up, then time passing. */
  const steps: (RawMessage[] | 'idle')[] = [
    [...span(0, 100, 900, 20), ...span(1, 100, 900, 20)],
    'idle',
    span(1, 1000, 2500, 20),
    [event(0, 950), ...span(0, 2100, 2900, 20), ...span(1, 2600, 3500, 20)],
    span(0, 3000, 3200, 20),
    'idle',
  ];
  const describeWindows = (out: Pick<RuntimeOutput, 'windows'>) => out.windows.map((w) => `${w.window.serial}:${w.window.id}:${w.window.n}:${w.window.lateEvents}:${w.window.reason}`);

  async function run(mode: 'single' | 'shared' | 'shared-rebalanced') {
    let now = 0;
    const clock = () => now;
    const keys = ['events/0', 'events/1'];
    const single = new Monitor(models, OPTIONS, {}, clock);
    const workers = keys.map((key) => {
      const m = new Monitor(models, { ...OPTIONS, role: 'worker' }, {}, clock);
      m.assign([key]);
      return m;
    });
    single.assign(keys);
    const aggregator = new Aggregator(models, { ...OPTIONS, maxHeldWindows: MAX_HELD_WINDOWS }, {}, clock);
    aggregator.setInputPartitions(keys);
    const owner = [0, 1];
    const out: RuntimeOutput = { windows: [], alerts: [], realized: [] };
    let log = 0;
    const deliver = async () => {
      if (mode === 'single') {
        await single.complete(Object.assign(emptyOutput(), { windows: out.windows }));
        return;
      }
      for (const w of workers) {
        for (const record of (await w.complete(emptyOutput())).summaries) {
          aggregator.handle({ topic: 'summaries', partition: 0, offset: String(log++), timestamp: '0', key: null, value: Buffer.from(encodeSummaryRecord(record)) });
        }
      }
      await aggregator.complete(out);
    };
    for (const [i, step] of steps.entries()) {
      if (step === 'idle') {
        now += 5000;
        for (const m of [single, ...workers]) {
          for (const key of keys) m.caughtUp(key, true);
          m.tick();
        }
      } else {
        for (const msg of step) (mode === 'single' ? single : workers[owner[msg.partition]!]!).handle(msg);
      }
      await deliver();
      if (mode === 'shared-rebalanced' && i === 2) {
        // Worker 0 dies; worker 1 takes partition 0 from its last commit.
        const position = workers[0]!.committableOffsets().get('events/0')!;
        owner[0] = 1;
        workers[1]!.assign(keys);
        workers[1]!.restorePositions(new Map([['events/0', decodePosition(position.metadata)!]]));
      }
    }
    return describeWindows(out);
  }

  it('place its late events as one process does, also after a rebalance', async () => {
    const baseline = await run('single');
    // Window t0 released while partition 0 was quiet; its late event counted in t2000.
    expect(baseline).toEqual(expect.arrayContaining([expect.stringMatching(/^1:t0:\d+:0:idle$/), expect.stringMatching(/^\d:t2000:\d+:1:/)]));
    expect(await run('shared')).toEqual(baseline);
    expect(await run('shared-rebalanced')).toEqual(baseline);
  });
});
