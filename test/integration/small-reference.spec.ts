/**
 * A 220-row labelled reference with class names, fitted knowingly below the recommended sizes,
 * served on the real broker: events carry probabilities keyed by class name, labels arrive by name
 * and by index, and every bad value is a dead letter whose detail names it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, type Harness } from '../support/service-harness.js';
import { fitBundle } from '../../src/core/fit/fit-bundle.js';
import { readBundle } from '../../src/core/fit/bundle-io.js';
import { createTask, sample } from '../../src/demo/classification.js';
import { waitFor } from '../../src/demo/wait.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';
import type { RealizedReport } from '../../src/core/pipeline/label-tracker.js';

const NAMES = ['fraud', 'legit', 'review'];
const WINDOW = 110;
const task = createTask({ classes: 3, dims: 4, seed: 5, separation: 0.9 });
const features = (x: number[]) => ({ x0: x[0], x1: x[1], x2: x[2], x3: x[3] });

describe('a 220-row reference with class names, served on a real Kafka broker', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-small-'));
    const ref = sample(task, 220, [0.3, 0.5, 0.2], 0, 11);
    const lines = ref.x.map((x, i) => [...x, ...ref.probs[i]!, NAMES[ref.labels[i]!]].join(','));
    await writeFile(join(dir, 'ref.csv'), [['x0', 'x1', 'x2', 'x3', ...NAMES.map((n) => `prob_${n}`), 'label'].join(','), ...lines].join('\n'));
    const { bundle } = await fitBundle({
      input: join(dir, 'ref.csv'), model: 'm1', outDir: join(dir, 'b'), windowSize: WINDOW, minEvents: 50, nullReplicates: 200,
      minimums: { columnRows: 220, atcRows: 220 }, tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 },
    });
    expect(bundle.reference.small).toBe(true);
    h = await createHarness({ bundle: await readBundle(join(dir, 'b')), config: { window: { type: 'count', size: WINDOW, minEvents: 50 }, labels: { minLabeled: 50 } } });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('estimates per window, joins labels by name and by index, and dead-letters every bad value with its name', async () => {
    const { url } = await h.start();
    const stream = sample(task, 2 * WINDOW, [0.3, 0.5, 0.2], 0, 12);
    const event = (i: number, probs: unknown) => JSON.stringify({ model: 'm1', id: `e${i}`, ts: 1_764_331_200_000 + i * 100, features: features(stream.x[i]!), prediction: { probs } });
    const bad = [
      event(0, { fraud: 0.5, legit: 0.5 }),
      event(0, { fraud: 0.5, legit: 0.25, reveiw: 0.25 }),
      event(0, [0.9, 0.9, 0]),
    ];
    await h.sendEvents([
      ...bad.map((value) => ({ key: 'bad', value })),
      ...stream.probs.map((p, i) => ({ key: `e${i}`, value: event(i, Object.fromEntries(NAMES.map((n, k) => [n, p[k]!]))) })),
    ]);
    const status = async () => (await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number; realized: RealizedReport[] }[] };
    await waitFor(async () => (await status()).models[0]!.windowsClosed === 2, 60_000, 'two windows to close');

    const labels = stream.labels.map((y, i) => ({ key: `e${i}`, value: JSON.stringify({ model: 'm1', id: `e${i}`, label: i % 2 === 0 ? NAMES[y] : y }) }));
    const badLabels = [{ label: 'frad' }, { label: 3 }].map((l) => ({ key: 'bad', value: JSON.stringify({ model: 'm1', id: 'e1', ...l }) }));
    await h.producer.send({ topic: h.config.kafka.topics.labels, messages: [...labels, ...badLabels] });
    await waitFor(async () => (await status()).models[0]!.realized.filter((r) => r.labeled === WINDOW).length === 2, 60_000, 'both windows to be fully labelled');
    const realized = (await status()).models[0]!.realized;
    const correct = (from: number) => stream.labels.slice(from, from + WINDOW).filter((y, i) => stream.probs[from + i]!.indexOf(Math.max(...stream.probs[from + i]!)) === y).length;
    expect(realized.map((r) => r.accuracy)).toEqual([correct(0) / WINDOW, correct(WINDOW) / WINDOW]);

    const letters = (await h.readTopic(h.config.kafka.topics.deadLetters, 5)).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letters.map((d) => [d.reason, d.detail]).sort()).toEqual([
      ['invalid_field', '"prediction.probs": the probabilities sum to 1.8, not 1 (tolerance ±0.01)'],
      ['invalid_field', 'label "frad" is neither a class name ("fraud", "legit", "review") nor a class index 0..2 of model "m1"'],
      ['invalid_field', 'label 3 is neither a class name ("fraud", "legit", "review") nor a class index 0..2 of model "m1"'],
      ['invalid_field', 'prediction.probs has no value for the class "review" (classes: "fraud", "legit", "review")'],
      ['invalid_field', 'prediction.probs names the class "reveiw", which is not one of the model\'s classes ("fraud", "legit", "review")'],
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/shiftwatch_dead_letters_total\{reason="invalid_field"[^}]*\} 5/);
    // The label-free estimates of the last window, with intervals that carry the small reference's error.
    const bound = (name: string) => Number(new RegExp(`${name}\\{model="m1",estimator="atc-ne"\\} ([\\d.e-]+)`).exec(metrics)?.[1]);
    expect(bound('shiftwatch_accuracy_estimate_upper_ratio') - bound('shiftwatch_accuracy_estimate_lower_ratio')).toBeGreaterThan(0.05);
  });
});
