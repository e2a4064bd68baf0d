/**
 * A monitored run on real components, shared by the Prometheus integration test and the
 * dashboard picture: reference bundles fitted by the real `fit` path, the built service as a
 * child process consuming from a real Kafka broker, and a real Prometheus scraping it every
 * second while a scripted stream flows: clean windows, then windows where x2 of the classifier
 * is shifted (scenario-data.ts), with the classifier's labels arriving one window late.
 *
 * The stream is paced by what Prometheus has seen, never by sleeps: window w+1 is sent only once
 * a scrape shows window w tested for both models (and the labels sent so far joined), so each
 * window's gauges are in Prometheus and `windows[w].time` is an instant at which they are the
 * latest samples.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { stringify } from 'yaml';
import { fitBundle, type FitOptions } from '../../src/core/fit/fit-bundle.js';
import type { ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { waitFor } from '../../src/demo/wait.js';
import { freePorts } from '../../src/infra/free-ports.js';
import { at } from '../../src/core/indexing.js';
import { startLocalPrometheus, type LocalPrometheus } from '../prometheus/local-prometheus.js';
import type { PrometheusTools } from '../prometheus/prometheus-tools.js';
import type { FlowFitOptions } from '../../src/flow/fit-flow.js';
import { BAD_MESSAGES, clfReferenceCsv, regReferenceCsv, windowMessages, type ScenarioEvent } from './scenario-data.js';
import { startServiceChild, type ServiceChild } from './service-child.js';

export const MODELS = ['clf', 'reg'] as const;

/** A small density flow for the classifier (the demo's): a few seconds to train on its reference. */
export const SMALL_FLOW: FlowFitOptions = { seed: 1, architecture: { layers: 4, hidden: 32 }, maxEpochs: 40, patience: 5, batchSize: 1024, learningRate: 3e-3 };
export type Phase = 'clean' | 'shifted';

export interface ScenarioOptions {
  brokers: readonly string[];
  cleanWindows?: number;
  shiftedWindows?: number;
  /** Events per window of the classifier; default 500. The regressor's windows are half as large. */
  windowSize?: number;
  /** Reference rows of the classifier; default 3000. The regressor's reference has 2.4 windows' worth. */
  referenceRows?: number;
  tools?: PrometheusTools;
  /** Trains the classifier's density flow with these options (src/flow/fit-flow.ts); default: no flow. */
  flow?: FlowFitOptions;
  /** Extra `fit` options for both models. */
  fit?: Partial<FitOptions>;
  log?: (line: string) => void;
}

export interface WindowMark {
  index: number;
  phase: Phase;
  /** Epoch seconds at which Prometheus's latest samples are this window's results. */
  time: number;
}

export interface ScenarioRun {
  prometheus: LocalPrometheus;
  service: ServiceChild;
  bundles: Record<(typeof MODELS)[number], ReferenceBundle>;
  topics: { events: string; labels: string; alerts: string; deadLetters: string; state: string };
  windows: WindowMark[];
  /** Epoch seconds: the first scrape of the running service, and the last scrape of the finished stream. */
  start: number;
  end: number;
  eventsSent: number;
  labelsSent: number;
  badMessagesSent: number;
  stop(): Promise<void>;
}

const now = (): number => Date.now() / 1000;

export async function runScenario(options: ScenarioOptions): Promise<ScenarioRun> {
  const log = options.log ?? ((): void => {});
  const clean = options.cleanWindows ?? 4;
  const shifted = options.shiftedWindows ?? 4;
  const sizes = { clf: options.windowSize ?? 500, reg: Math.ceil((options.windowSize ?? 500) / 2) };
  const references = { clf: clfReferenceCsv(options.referenceRows ?? 3000), reg: regReferenceCsv(Math.ceil(sizes.reg * 2.4)) };
  const id = `shiftwatch-scenario-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };

  try {
    const dir = await mkdtemp(join(tmpdir(), 'shiftwatch-scenario-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Prometheus first: it takes a few seconds to pick up its targets, which the fits below hide.
    const port = at(await freePorts(1), 0, 'free ports');
    const prometheus = await startLocalPrometheus({ targets: [`127.0.0.1:${port}`], tools: options.tools, log });
    cleanups.push(() => prometheus.stop());

    const bundles = {} as ScenarioRun['bundles'];
    for (const model of MODELS) {
      const started = Date.now();
      await writeFile(join(dir, `${model}.csv`), references[model]);
      const flow = options.flow;
      // tfjs loads only when a flow is asked for.
      const flowTrainer: FitOptions['flowTrainer'] = model === 'clf' && flow
        ? async (rows, specs) => (await import('../../src/flow/fit-flow.js')).fitFlow(rows, specs, { ...flow, localization: { windowSize: sizes[model], alpha: 0.05, replicates: 500, ...flow.localization } })
        : undefined;
      const { bundle } = await fitBundle({
        input: join(dir, `${model}.csv`), model, outDir: join(dir, `${model}-bundle`), version: 'scenario',
        windowSize: sizes[model], minEvents: 100, nullReplicates: 200, seed: 1,
        tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 },
        ...(flowTrainer ? { flowTrainer } : {}),
        ...options.fit,
      });
      bundles[model] = bundle;
      log(`fitted ${model} (${bundle.features.length} features${bundle.predictions ? `, ${bundle.predictions.classes} classes` : ''}${bundle.regression ? ', regression' : ''}${'flow' in bundle ? ', flow' : ''}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    const topics = { events: `${id}-events`, labels: `${id}-labels`, alerts: `${id}-alerts`, deadLetters: `${id}-dlq`, state: `${id}-state` };
    const kafka = new Kafka({ clientId: `${id}-driver`, brokers: [...options.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [topics.events, topics.labels, topics.alerts, topics.deadLetters].map((topic) => ({ topic, numPartitions: 1 })) });
    } finally {
      await admin.disconnect();
    }
    const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    const configFile = join(dir, 'shiftwatch.yaml');
    await writeFile(configFile, stringify({
      kafka: { brokers: [...options.brokers], clientId: id, groupId: `${id}-group`, topics },
      http: { host: '127.0.0.1', port },
      models: MODELS.map((name) => ({ name, bundle: join(dir, `${name}-bundle`), window: { size: sizes[name] } })),
      window: { type: 'count', size: sizes.clf, minEvents: 100 },
      alerts: { initialBackoffMs: 50 },
      labels: { minLabeled: 100 },
      logLevel: 'warn',
    }));
    const service = await startServiceChild(configFile, port);
    cleanups.push(() => service.stop());
    const start = await prometheus.waitForScrape(now());
    await waitFor(async () => (await prometheus.api.query(`up{job="${prometheus.job}"}`))[0]?.value === 1, 30_000, 'Prometheus to scrape the service');
    log(`service ${service.url} (pid ${service.pid}) is being scraped by ${prometheus.url}`);

    const send = async (topic: string, messages: readonly ScenarioEvent[]): Promise<void> => {
      for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, messages: messages.slice(i, i + 1000) });
    };
    const seen = async (windows: number, joined: number): Promise<boolean> => {
      const [closed, labels] = await Promise.all([
        prometheus.api.query('shiftwatch_windows_closed_total{outcome="tested"}'),
        prometheus.api.query('sum(shiftwatch_labels_total{model="clf",outcome="joined"})'),
      ]);
      return MODELS.every((m) => closed.find((s) => s.metric.model === m)?.value === windows) && labels[0]?.value === joined;
    };

    const windows: WindowMark[] = [];
    let eventsSent = 0;
    let labelsSent = 0;
    let pendingLabels: ScenarioEvent[] = [];
    for (let w = 0; w < clean + shifted; w++) {
      const phase: Phase = w < clean ? 'clean' : 'shifted';
      const { events, labels } = windowMessages(w, sizes, phase === 'shifted');
      await send(topics.events, w === 0 ? [...BAD_MESSAGES.slice(0, 1), ...events, ...BAD_MESSAGES.slice(1)] : events);
      eventsSent += events.length;
      // The previous window's labels, one window late.
      await send(topics.labels, pendingLabels);
      labelsSent += pendingLabels.length;
      pendingLabels = labels;
      await waitFor(() => seen(w + 1, labelsSent), 60_000, `Prometheus to see window ${w} tested for ${MODELS.join(' and ')}`, 200);
      windows.push({ index: w, phase, time: now() });
      log(`window ${w} (${phase}) tested and scraped`);
    }
    await send(topics.labels, pendingLabels);
    labelsSent += pendingLabels.length;
    await waitFor(() => seen(clean + shifted, labelsSent), 60_000, 'Prometheus to see every label joined', 200);
    const end = await prometheus.waitForScrape(now());

    let stopping: Promise<void> | undefined;
    return {
      prometheus, service, bundles, topics, windows, start, end, eventsSent, labelsSent, badMessagesSent: BAD_MESSAGES.length,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
