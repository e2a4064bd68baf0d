/**
 * `memory`: resident memory of real `shiftwatch serve` processes (the built CLI, one at a time, on a
 * broker of its own), to state what a model, a feature and 1,000 waiting labels cost:
 *
 * - base: one model of `--base-features` numeric features after `--events` events;
 * - models: `--models` such models (copies of the base bundle) after as many events each;
 * - features: one model of `--features` numeric features after `--events` events;
 * - labels: the 4-class classifier (bench/chaos/classifier.ts) after `--waiting` events with an `id`
 *   and no label (each waits in the label join), against the same events without `id`.
 *
 * RSS and V8 heap are the medians of `--samples` scrapes a second apart once the events are handled.
 * Differences are divided by the number of extra models, features or thousands of waiting labels.
 * `--replicas shared` measures a shared replica instead (its aggregator on a thread of its own: the
 * V8 heap reported is the main thread's, the RSS the whole process's).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intFlag, parseFlags, replicasFlag } from './args.js';
import { buildBundle, generateRows } from './bundle.js';
import { createGenerator, eventJson } from './synthetic.js';
import { writeBundle } from '../src/core/fit/bundle-io.js';
import { waitFor } from '../src/demo/wait.js';
import { ChaosRig, handled, metricSum, scrape } from './chaos/rig.js';
import { classifierSettings, classifierWindow, fitClassifier } from './chaos/classifier.js';

const MIB = 2 ** 20;
const WINDOW = 1000;

interface Footprint {
  rssMiB: number;
  heapMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function runMemory(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['models', 'base-features', 'features', 'events', 'waiting', 'samples', 'replicas']);
  const replicas = replicasFlag(flags, 'active-standby');
  const models = intFlag(flags, 'models', 20);
  const baseFeatures = intFlag(flags, 'base-features', 10);
  const features = intFlag(flags, 'features', 200);
  const events = intFlag(flags, 'events', 5000);
  const waiting = intFlag(flags, 'waiting', 200_000);
  const samples = intFlag(flags, 'samples', 7);
  const log = (line: string) => process.stderr.write(`[bench memory] ${line}\n`);
  const rig = await ChaosRig.create({ log });
  try {
    const bundleOf = async (name: string, d: number): Promise<string> => {
      const gen = createGenerator({ features: d, seed: d });
      const { bundle } = buildBundle({ model: name, rows: generateRows(gen, 10_000), names: gen.names, windowSize: WINDOW, replicates: 200, seed: 3 });
      const dir = join(rig.dir, `bundle-${name}`);
      await writeBundle(dir, bundle);
      return dir;
    };
    /** Starts the service with `settings`, runs `feed` (returns the messages it sent), measures, stops it. */
    const measure = async (label: string, settings: Record<string, unknown>, feed: (topic: string, labelsTopic: string) => Promise<number>): Promise<Footprint> => {
      const topics = rig.topics();
      const tag = label.replace(/[^a-z0-9]+/gi, '-');
      const tagged = { events: `${topics.events}-${tag}`, labels: `${topics.labels}-${tag}`, alerts: `${topics.alerts}-${tag}`, deadLetters: `${topics.deadLetters}-${tag}`, state: `${topics.state}-${tag}`, summaries: `${topics.events}-${tag}-summaries` };
      await rig.createTopics(tagged);
      const service = await rig.startService(tagged, { ...settings, kafka: { replicas } });
      try {
        const sent = await feed(tagged.events, tagged.labels);
        await waitFor(async () => {
          const h = handled(await scrape(service.url));
          return h.accepted + h.deadLettered >= sent;
        }, 300_000, `${label}: the service to handle ${sent} messages`, 500);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const rss: number[] = [];
        const heap: number[] = [];
        for (let i = 0; i < samples; i++) {
          const text = await scrape(service.url);
          rss.push(metricSum(text, 'process_resident_memory_bytes') / MIB);
          heap.push(metricSum(text, 'nodejs_heap_size_used_bytes') / MIB);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        const f = { rssMiB: round(median(rss), 1), heapMiB: round(median(heap), 1) };
        log(`${label}: RSS ${f.rssMiB} MiB, heap ${f.heapMiB} MiB after ${sent} messages`);
        return f;
      } finally {
        await service.stop();
      }
    };
    const plain = (names: string[], bundles: string[]) => ({ models: names.map((name, i) => ({ name, bundle: bundles[i] })), window: { type: 'count', size: WINDOW, minEvents: 100 } });
    const plainProducer = await rig.producer();
    const feedPlain = (names: string[], d: number) => async (topic: string) => {
      const gen = createGenerator({ features: d, seed: d });
      const start = Date.UTC(2026, 10, 28, 9);
      for (const name of names) {
        // Rows after the reference's, in sends sized to the broker's limit (wide events are large).
        const records = Array.from({ length: events }, (_, k) => ({ key: `req-${k}`, value: eventJson(name, `req-${k}`, start + k * 100, gen.names, gen.row(10_000 + k)) }));
        await rig.send(plainProducer, topic, records);
      }
      return names.length * events;
    };

    const base = await bundleOf('m0', baseFeatures);
    const one = await measure('base', plain(['m0'], [base]), feedPlain(['m0'], baseFeatures));
    // Copies of the base bundle under other model names.
    const json = JSON.parse(await readFile(join(base, 'bundle.json'), 'utf8')) as { model: string };
    const names = Array.from({ length: models }, (_, i) => `m${i}`);
    const dirs = [base];
    for (const name of names.slice(1)) {
      const dir = join(rig.dir, `bundle-${name}`);
      await writeBundle(dir, { ...json, model: name } as never);
      dirs.push(dir);
    }
    const many = await measure('models', plain(names, dirs), feedPlain(names, baseFeatures));
    const wide = await measure('features', plain(['w'], [await bundleOf('w', features)]), feedPlain(['w'], features));

    const clf = await fitClassifier(rig.dir, WINDOW);
    const producer = await rig.producer();
    const feedClassifier = (withIds: boolean) => async (topic: string) => {
      for (let w = 0; w * WINDOW < waiting; w++) {
        const { events: batch } = classifierWindow(w, WINDOW);
        await rig.send(producer, topic, withIds ? batch : batch.map((e) => ({ key: e.key, value: e.value.replace(/"id":"[^"]*",/, '') })));
      }
      return Math.ceil(waiting / WINDOW) * WINDOW;
    };
    const settings = classifierSettings(clf, WINDOW, { labels: { maxBytes: 1024 * MIB } });
    const noIds = await measure('classifier, events without id', settings, feedClassifier(false));
    const withIds = await measure('classifier, events waiting for labels', settings, feedClassifier(true));
    const thousands = (Math.ceil(waiting / WINDOW) * WINDOW) / 1000;
    return {
      scenario: 'memory',
      replicas,
      base: { models: 1, features: baseFeatures, ...one },
      perModel: { rssMiB: round((many.rssMiB - one.rssMiB) / (models - 1), 2), heapMiB: round((many.heapMiB - one.heapMiB) / (models - 1), 2), models, features: baseFeatures },
      perFeature: { rssKiB: round(((wide.rssMiB - one.rssMiB) * 1024) / (features - baseFeatures), 1), heapKiB: round(((wide.heapMiB - one.heapMiB) * 1024) / (features - baseFeatures), 1), features },
      per1kWaitingLabels: { rssMiB: round((withIds.rssMiB - noIds.rssMiB) / thousands, 3), heapMiB: round((withIds.heapMiB - noIds.heapMiB) / thousands, 3), waiting: thousands * 1000 },
      measured: { one, many, wide, noIds, withIds },
    };
  } finally {
    await rig.close();
  }
}
