/**
 * `shiftwatch demo`: the whole path on this machine. Starts a local Kafka broker, fits a bundle on
 * three days of a classifier's traffic (with a density flow), runs the monitor (HTTP + Kafka), and
 * streams the scripted phases of scenario.ts window by window, each window's true labels arriving
 * one window later on the labels topic, plus a few bad messages. Prints alerts as they fire, then a
 * table per phase (alerts, features named, estimated against realized accuracy, class shares) and
 * whether the story came out. Leaves nothing running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { startLocalKafka } from '../infra/local-kafka.js';
import { fitBundle } from '../core/fit/fit-bundle.js';
import { fitFlow } from '../flow/fit-flow.js';
import { parseConfig } from '../config/index.js';
import { createRuntime } from '../service/runtime.js';
import { startService } from '../app/bootstrap.js';
import { windowRecord, type WindowRecord } from '../core/pipeline/window-record.js';
import type { RealizedReport } from '../core/pipeline/label-tracker.js';
import { LabelDelay, type HeldLabel } from '../core/replay/label-delay.js';
import { LABEL_FREE_ESTIMATORS } from '../core/predictions/estimators.js';
import { CLASS_NAMES, writeWorldCsv } from './classifier-world.js';
import { DEMO_SHAPE, REFERENCE_WINDOWS, WORLD_SEED, demoPhases, demoWindows, demoWorld } from './scenario.js';
import { formatPhaseTables, phaseRows, type ObservedWindow, type PhaseAlert } from './phase-table.js';
import { judgeStory } from './verdict.js';
import { formatAlert } from './report.js';
import { waitFor } from './wait.js';
import { at } from '../core/indexing.js';

const MODEL = 'risk-v2';
const WINDOW = DEMO_SHAPE.windowSize;
/** A small flow: 4 numeric inputs and the hour need far less than the default architecture, and the demo stays quick. */
const DEMO_FLOW = { seed: 1, architecture: { layers: 4, hidden: 32 }, maxEpochs: 40, patience: 5, batchSize: 1024, learningRate: 3e-3 };
const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Messages the monitor must dead-letter, each with its reason: four events and one label. */
const BAD_EVENTS = [
  { key: 'bad-json', value: `{"model": "${MODEL}", "features": {` },
  { key: 'bad-no-model', value: JSON.stringify({ id: 'bad-1', features: { x0: 1 } }) },
  { key: 'bad-type', value: JSON.stringify({ model: MODEL, id: 'bad-2', features: { x0: 'twelve' } }) },
  { key: 'bad-probs', value: JSON.stringify({ model: MODEL, id: 'bad-3', features: { x0: 0.1, x1: 0.2, x2: 0.3, x3: 0.4, hour: 1, channel: 'web' }, prediction: { probs: { low: 0.9, mid: 0.9, high: 0.1 } } }) },
];
const BAD_LABEL = { key: 'bad-label', value: JSON.stringify({ model: MODEL, id: 'ev-0', label: 'medium' }) };

export async function runDemo(options: { httpPort?: number } = {}): Promise<boolean> {
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'shiftwatch-demo-'));
  say('shiftwatch demo: starting a local Apache Kafka broker (first run downloads its jars)...');
  const broker = await startLocalKafka({ log: (l) => say(`  kafka: ${l}`) });
  const brokerUp = performance.now();
  let app: Awaited<ReturnType<typeof startService>> | undefined;
  let producer: Producer | undefined;
  try {
    say(`  broker at ${broker.brokers.join(',')}`);
    const world = demoWorld();
    const phases = demoPhases();
    const referencePath = join(work, 'reference.csv');
    const referenceRows = await writeWorldCsv(referencePath, world, { offsetWindows: 0, windows: REFERENCE_WINDOWS, seed: WORLD_SEED + 1, conditions: () => ({}) });
    say(`fitting the reference bundle of classifier ${MODEL} on ${referenceRows.toLocaleString('en')} rows (3 days) and training a density flow...`);
    const fitted = await fitBundle({
      input: referencePath, model: MODEL, outDir: join(work, 'bundle'), windowSize: WINDOW, minEvents: WINDOW / 2, seed: WORLD_SEED,
      timeColumn: 'ts', contextFeatures: ['hour'], tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 },
      flowTrainer: (r, specs, fit) => fitFlow(r, specs, { ...DEMO_FLOW, nulls: { windowSize: fit.windowSize, context: fit.context }, localization: { windowSize: WINDOW, alpha: 0.05, replicates: 1000 } }),
    });
    const predictions = fitted.bundle.predictions!;
    say(`  fitted in ${seconds(brokerUp)}: features ${fitted.bundle.features.map((f) => f.name).join(', ')} (hour is context); classes ${predictions.classNames.join(', ')}; reference accuracy ${(100 * predictions.sourceAccuracy).toFixed(1)}%, class mix ${predictions.labelPrior.map((p) => p.toFixed(2)).join('/')}`);
    for (const s of fitted.skipped) say(`  not fitted: ${s.what} (${s.reason})`);

    const config = parseConfig({
      kafka: { brokers: broker.brokers, clientId: 'shiftwatch-demo', groupId: 'shiftwatch-demo' },
      http: { host: '127.0.0.1', port: options.httpPort ?? 9464 },
      models: [{ name: MODEL, bundle: join(work, 'bundle') }],
      window: { type: 'count', size: WINDOW, minEvents: WINDOW / 2 },
      logLevel: 'warn',
    });
    const { topics } = config.kafka;
    const kafka = new Kafka({ clientId: 'shiftwatch-demo-producer', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await createTopics(kafka, [topics.events, topics.labels]);

    // Windows are known by their first event's time: alerts arrive before their window's report.
    const windowAt = new Map<number, { index: number; phase: number }>();
    const records: WindowRecord[] = [];
    const realized = new Map<number, RealizedReport>();
    const alerts: PhaseAlert[] = [];
    const runtime = await createRuntime(config, {
      window: (report) => void records.push(windowRecord(report)),
      realized: (report) => void realized.set(report.serial, report),
      alert: (alert) => {
        const place = windowAt.get(alert.window.start);
        alerts.push({ phase: place?.phase ?? -1, alert });
        say(formatAlert(alert, place === undefined ? `window serial ${alert.window.serial}` : `window ${place.index + 1} (${at(phases, place.phase, 'demo phases').name})`));
      },
    });
    app = await startService(runtime);
    say(`monitor running; metrics at ${await app.getUrl()}/metrics, status at ${await app.getUrl()}/status`);
    const estimators = LABEL_FREE_ESTIMATORS.filter((e) => e !== 'mano' || !('refused' in predictions.mano));
    say(`  detectors: ${runtime.monitor.detectorNames(MODEL).join(', ')}; accuracy without labels: ${estimators.join(', ')} (headline: the one the backtest on delayed labels selects, else no-change)`);
    say(`streaming ${phases.reduce((s, p) => s + p.windows, 0)} windows of ${WINDOW} events, each window's labels one window later:`);
    for (const p of phases) say(`  ${p.name.padEnd(17)} ${String(p.windows).padStart(2)} windows: ${p.what}`);

    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const streamStarted = performance.now();
    const delay = new LabelDelay(1);
    const windowOfId = new Map<string, number>();
    /** Sends labels, then waits until every one of them is joined (so the next window's test has learned from them). */
    const sendLabels = async (labels: HeldLabel[]) => {
      const expected = new Map<number, number>();
      for (const l of labels) {
        const index = windowOfId.get(l.id);
        if (index === undefined) throw new Error(`demo: the label ${l.id} belongs to no event sent`);
        const serial = at(records, index, 'window records').window.serial;
        expected.set(serial, (expected.get(serial) ?? 0) + 1);
      }
      const bad = realized.size === 0 ? [BAD_LABEL] : [];
      await producer!.send({ topic: topics.labels, messages: [...labels.map((l) => ({ key: l.id, value: JSON.stringify(l) })), ...bad] });
      await waitFor(() => [...expected].every(([serial, n]) => (realized.get(serial)?.labeled ?? 0) >= n), 60_000, 'the delayed labels to be joined', 10);
    };
    for (const window of demoWindows(world, phases)) {
      windowAt.set(at(window.events, 0, 'window events').ts, { index: window.index, phase: window.phase });
      const messages = window.events.map((e) => ({ key: e.id, value: JSON.stringify({ model: MODEL, id: e.id, ts: e.ts, features: e.features, prediction: { probs: e.probs } }) }));
      await producer.send({ topic: topics.events, messages: window.index === 1 ? [...messages, ...BAD_EVENTS] : messages });
      for (const e of window.events) {
        windowOfId.set(e.id, window.index);
        delay.hold({ model: MODEL, id: e.id, label: e.label }, window.index);
      }
      await waitFor(() => records.length > window.index, 60_000, `window ${window.index + 1} to be tested`, 10);
      const due = delay.release(MODEL, records.length);
      if (due.length > 0) await sendLabels(due);
    }
    await sendLabels(delay.drain());
    const streamSeconds = seconds(streamStarted);

    const observed: ObservedWindow[] = records.map((record, index) => {
      const r = realized.get(record.window.serial);
      return { index, phase: windowAt.get(record.window.start)?.phase ?? -1, record, ...(r ? { realized: { accuracy: r.accuracy, classShares: r.classProportions } } : {}) };
    });
    const table = phaseRows(phases, observed, alerts);
    const verdict = judgeStory(table);
    const deadLetters = (await runtime.registry.getSingleMetric('shiftwatch_dead_letters_total')?.get())?.values.filter((v) => v.value > 0) ?? [];
    say('');
    for (const line of formatPhaseTables(table, CLASS_NAMES)) say(line);
    say('');
    for (const c of verdict.checks) say(`${c.ok ? 'ok  ' : 'FAIL'} ${c.phase.padEnd(17)} ${c.got}${c.ok ? '' : ` (expected ${c.expected})`}`);
    say(`${records.length} windows tested, ${alerts.length} alert messages, ${deadLetters.reduce((s, v) => s + v.value, 0)} bad messages dead-lettered (${deadLetters.map((v) => `${v.labels.reason} ${v.value}`).join(', ')})`);
    say(verdict.ok ? 'RESULT: the monitor told the story: each shift was caught and named, and the accuracy estimate followed the labels.' : 'RESULT: the monitor did NOT tell the scripted story (FAIL lines above).');
    say(`demo took ${seconds(started)} (${seconds(brokerUp)} after the broker was up; streaming ${streamSeconds})`);
    return verdict.ok;
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await app?.close();
    await broker.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** The events and labels topics, one partition each, so windows and label delays follow the script exactly. */
async function createTopics(kafka: Kafka, names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: 1 })) });
  } finally {
    await admin.disconnect();
  }
}
