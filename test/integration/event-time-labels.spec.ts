/**
 * Labels in event time (`labels.order: event-time`) on the real broker: labels read long before
 * their events wait until the windows they may teach are released, and the labels not joined yet
 * when the service stops are read again by the next process (their partition's commit stays at the
 * first of them), joined once, and none lost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, WINDOW, type Harness } from '../support/service-harness.js';
import { featureRow, fitClassifierBundle } from '../support/classifier-bundle.js';
import { createTask, sample, uniform } from '../../src/demo/classification.js';
import { waitFor } from '../../src/demo/wait.js';
import type { RealizedReport } from '../../src/core/pipeline/label-tracker.js';

const K = 3;
const BASE_TS = 1_764_331_200_000;
const task = createTask({ classes: K, dims: 4, seed: 6 });

describe('labels in event time on a real Kafka broker', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-event-time-labels-'));
    const ref = sample(task, 4000, uniform(K), 0, 1);
    h = await createHarness({ bundle: await fitClassifierBundle(dir, ref, WINDOW), config: { labels: { minLabeled: 100, order: 'event-time' } } });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds labels until their time, and reads those not joined yet again after a restart', async () => {
    // Five windows of events, 100 ms apart; the labels of window 2, each known one window after its event.
    const windows = [0, 1, 2, 3, 4].map((w) => sample(task, WINDOW, uniform(K), 0, 200 + w));
    const tsOf = (w: number, i: number) => BASE_TS + (w * WINDOW + i) * 100;
    const events = windows.map((s, w) => s.probs.map((probs, i) => ({ key: `w${w}-${i}`, value: JSON.stringify({ model: 'm1', id: `w${w}-${i}`, ts: tsOf(w, i), features: featureRow(s, i), prediction: { probs } }) })));
    const labels = windows[2]!.labels.map((label, i) => ({ key: `w2-${i}`, value: JSON.stringify({ model: 'm1', id: `w2-${i}`, label, ts: tsOf(3, i) }) }));
    const labelsTopic = h.config.kafka.topics.labels;

    // First process: the labels first, then windows 0 and 1 and half of window 2.
    const first = await h.start();
    await h.producer.send({ topic: labelsTopic, messages: labels });
    await h.sendEvents([...events[0]!, ...events[1]!, ...events[2]!.slice(0, WINDOW / 2)]);
    const status = async (url: string) => (await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number; realized: RealizedReport[] }[] };
    const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const joined = (text: string) => Number(/shiftwatch_labels_total\{model="m1",outcome="joined"\} (\d+)/.exec(text)?.[1] ?? 0);
    await waitFor(async () => (await status(first.url)).models[0]!.windowsClosed === 2, 60_000, 'windows 0 and 1 to be tested');
    // Read, and waiting for window 3 to end: none joined, though half of their events were read.
    await waitFor(async () => /shiftwatch_labels_queued\{model="m1"\} 500\b/.test(await metrics(first.url)), 60_000, 'the labels to be read and queued');
    expect(joined(await metrics(first.url))).toBe(0);
    expect((await status(first.url)).models[0]!.realized).toEqual([]);
    await first.app.close();

    const admin = h.kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: h.config.kafka.groupId, topics: [labelsTopic] });
    await admin.disconnect();
    // Not one of them joined: the labels partition stays committed before the first.
    expect(Number(committed[0]!.partitions[0]!.offset)).toBeLessThanOrEqual(0);

    // Second process: the rest of the stream. Window 2's labels count from window 3 on.
    const second = await h.start();
    await h.sendEvents([...events[2]!.slice(WINDOW / 2), ...events[3]!, ...events[4]!]);
    let report: RealizedReport | undefined;
    await waitFor(async () => {
      report = (await status(second.url)).models[0]!.realized.find((r) => r.labeled === WINDOW);
      return report !== undefined;
    }, 60_000, 'window 2 to be fully labelled');
    const s = windows[2]!;
    const truth = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / WINDOW;
    expect(report).toMatchObject({ serial: 3, predictions: WINDOW, labeled: WINDOW, accuracy: truth });
    // Every label joined once, in the process that read them again.
    const text = await metrics(second.url);
    expect(joined(text)).toBe(WINDOW);
    expect(text).not.toMatch(/shiftwatch_labels_total\{model="m1",outcome="(waiting|duplicate)"\} [1-9]/);
  });
});
