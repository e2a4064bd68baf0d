/**
 * Delayed labels on the real broker: labels arrive after their windows closed, shuffled, some
 * twice and some for events never seen; realized accuracy per window must still be exact, and the
 * window whose class mix was changed must raise a label-shift alert.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, WINDOW, type Harness } from '../support/service-harness.js';
import { featureRow, fitClassifierBundle } from '../support/classifier-bundle.js';
import { createTask, sample, uniform } from '../../src/demo/classification.js';
import { seededRandom } from '../../src/core/random.js';
import { waitFor } from '../../src/demo/wait.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import type { RealizedReport } from '../../src/core/pipeline/label-tracker.js';

const K = 4;
const task = createTask({ classes: K, dims: 6, seed: 5 });

describe('delayed labels on a real Kafka broker', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-labels-'));
    const ref = sample(task, 5000, uniform(K), 0, 1);
    h = await createHarness({ bundle: await fitClassifierBundle(dir, ref, WINDOW), config: { labels: { minLabeled: 400 } } });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins late, shuffled, duplicated labels to the right windows and reports exact realized accuracy', async () => {
    const { url } = await h.start();
    const windows = [uniform(K), [0.7, 0.1, 0.1, 0.1], uniform(K)].map((prior, w) => ({ w, s: sample(task, WINDOW, prior, 0, 100 + w) }));
    await h.sendEvents(windows.flatMap(({ w, s }) => s.probs.map((probs, i) => ({
      key: `w${w}-${i}`,
      value: JSON.stringify({ model: 'm1', id: `w${w}-${i}`, ts: 1_764_331_200_000 + (w * WINDOW + i) * 100, features: featureRow(s, i), prediction: { probs } }),
    }))));
    const status = async () => (await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number; realized: RealizedReport[] }[] };
    await waitFor(async () => (await status()).models[0]!.windowsClosed === 3, 60_000, 'three windows to close');

    // Labels only now, long after their windows closed: shuffled, 20 duplicates, 10 for unknown ids.
    const random = seededRandom(9);
    const labels = windows.flatMap(({ w, s }) => s.labels.map((label, i) => ({ id: `w${w}-${i}`, label })));
    for (let i = labels.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
    const extra = [...labels.slice(0, 20), ...Array.from({ length: 10 }, (_, i) => ({ id: `ghost-${i}`, label: 0 }))];
    const messages = [...labels, ...extra].map((l) => ({ key: l.id, value: JSON.stringify({ model: 'm1', ...l }) }));
    for (let i = 0; i < messages.length; i += 500) await h.producer.send({ topic: h.config.kafka.topics.labels, messages: messages.slice(i, i + 500) });

    await waitFor(async () => (await status()).models[0]!.realized.filter((r) => r.labeled === WINDOW).length === 3, 60_000, 'every window to be fully labelled');
    const realized = (await status()).models[0]!.realized;
    const truth = windows.map(({ s }) => s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / WINDOW);
    expect(realized.map((r) => r.accuracy)).toEqual(truth);
    expect(realized.every((r) => r.predictions === WINDOW)).toBe(true);
    expect(realized[1]!.classProportions[0]).toBeCloseTo(windows[1]!.s.labels.filter((y) => y === 0).length / WINDOW, 12);

    // The duplicates and unknown ids were sent last: wait until they are counted too.
    let metrics = '';
    await waitFor(async () => {
      metrics = await (await fetch(`${url}/metrics`)).text();
      return /shiftwatch_labels_total\{model="m1",outcome="waiting"\} 10\b/.test(metrics);
    }, 60_000, 'the labels for unknown ids to be counted');
    expect(metrics).toMatch(/shiftwatch_labels_total\{model="m1",outcome="joined"\} 1500/);
    expect(metrics).toMatch(/shiftwatch_labels_total\{model="m1",outcome="duplicate"\} 20/);
    expect(metrics).toMatch(/shiftwatch_labels_total\{model="m1",outcome="waiting"\} 10/);
    expect(metrics).toMatch(/shiftwatch_accuracy_estimate_error_ratio\{model="m1",estimator="atc-ne"\} -?0\.\d+/);

    const alerts = (await h.readTopic(h.config.kafka.topics.alerts, 1)).map((m) => JSON.parse(m.value) as Alert);
    const labelShift = alerts.filter((a) => a.detector === 'label-shift' && a.status === 'firing');
    expect(labelShift).toHaveLength(1);
    expect(labelShift[0]!.window.start).toBe(1_764_331_200_000 + WINDOW * 100);
    expect(labelShift[0]!.classProportions!.estimate[0]).toBeGreaterThan(0.55);
  });
});
