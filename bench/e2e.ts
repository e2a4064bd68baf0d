/**
 * `e2e`: events per second through the whole real path (local Kafka broker → kafkajs consumer →
 * decode → windows → tests → CUSUM → alerts/checkpoints published → offsets committed) on one
 * process, against the raw kafkajs consume rate (JSON.parse only) on the same topic in the same run.
 * The topic is filled before either consumer starts; runs alternate raw/service, each with a fresh
 * consumer group, and the medians are reported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalKafka } from '../src/infra/local-kafka.js';
import { writeBundle } from '../src/core/fit/bundle-io.js';
import { intFlag, intListFlag, parseFlags } from './args.js';
import { buildBundle, generateRows } from './bundle.js';
import { createGenerator } from './synthetic.js';
import { produceEvents, rawConsume, type ConsumeTiming } from './kafka-io.js';
import { serviceConsume, type ServiceTiming } from './service-run.js';
import { machineInfo, RssSampler, rssMiB } from './machine.js';
import { median, quantile, round } from './stats.js';

const MODEL = 'bench-d32';
const FEATURES = 32;
const REFERENCE_ROWS = 20_000;
const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);

export const E2E_FLAGS = ['events', 'repeats', 'partitions', 'window', 'seed'] as const;

export async function runE2e(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, E2E_FLAGS);
  const events = intFlag(flags, 'events', 200_000);
  const repeats = intFlag(flags, 'repeats', 3);
  const partitionsList = intListFlag(flags, 'partitions', [1]);
  const windowSize = intFlag(flags, 'window', 1000, 20);
  const seed = intFlag(flags, 'seed', 20261128, 0);
  const timeoutMs = Math.max(120_000, events * 2);
  const runId = Date.now().toString(36);

  const sampler = new RssSampler(100);
  const rssAtStart = rssMiB();
  const work = await mkdtemp(join(tmpdir(), 'shiftwatch-bench-'));
  log('starting a local Kafka broker...');
  const broker = await startLocalKafka({ log: (l) => log(`kafka: ${l}`) });
  try {
    const gen = createGenerator({ features: FEATURES, seed });
    const built = buildBundle({ model: MODEL, rows: generateRows(gen, REFERENCE_ROWS), names: gen.names, windowSize, replicates: 1000, seed });
    const bundleDir = join(work, 'bundle');
    await writeBundle(bundleDir, built.bundle);
    log(`bundle: ${REFERENCE_ROWS} rows x ${FEATURES} features, null of 1000 windows of ${windowSize}, fitted in ${(built.fitMs / 1000).toFixed(1)} s`);

    const results: Record<string, unknown>[] = [];
    let rssBefore = Number.NaN;
    for (const partitions of partitionsList) {
      sampler.phase('produce');
      const topic = `bench.events.${runId}.p${partitions}`;
      const produced = await produceEvents({ brokers: broker.brokers, topic, partitions, events, windowSize, model: MODEL, features: FEATURES, seed, referenceRows: REFERENCE_ROWS });
      log(`produced ${events} events (${produced.valueBytesMean.toFixed(0)} B each) to ${topic} (${partitions} partition(s)) in ${produced.produceS.toFixed(1)} s`);
      if (Number.isNaN(rssBefore)) rssBefore = rssMiB();
      const raw: ConsumeTiming[] = [];
      const svc: ServiceTiming[] = [];
      for (let r = 0; r < repeats; r++) {
        sampler.phase('raw');
        const rawRun = await rawConsume(broker.brokers, topic, events, `bench-raw-${runId}-p${partitions}-${r}`, timeoutMs, partitions);
        raw.push(rawRun);
        log(`p${partitions} run ${r + 1}/${repeats} raw kafkajs + JSON.parse: ${rawRun.eventsPerS.toFixed(0)} events/s`);
        sampler.phase('service');
        const svcRun = await serviceConsume({ brokers: broker.brokers, topic, events, windowSize, model: MODEL, bundleDir, tag: `${runId}-p${partitions}-${r}`, timeoutMs });
        svc.push(svcRun);
        log(`p${partitions} run ${r + 1}/${repeats} shiftwatch service: ${svcRun.eventsPerS.toFixed(0)} events/s ` +
          `(${svcRun.accepted} accepted, ${svcRun.windowsDelivered} windows, ${svcRun.alerts.firing}+${svcRun.alerts.resolved} alerts, ${svcRun.batches} batches)`);
        if (svcRun.accepted !== events) throw new Error(`the service accepted ${svcRun.accepted} of ${events} events`);
      }
      sampler.phase('between');
      results.push(summarise(produced, raw, svc, windowSize));
    }
    const rssAfter = rssMiB();
    return {
      scenario: 'e2e',
      events,
      repeats,
      features: FEATURES,
      window_size: windowSize,
      reference_rows: REFERENCE_ROWS,
      runs: results,
      // Headline figures: the first partition layout measured (default: 1 partition).
      raw_events_per_s: results[0]!.raw_events_per_s_median,
      service_events_per_s: results[0]!.service_events_per_s_median,
      ratio_service_over_raw: results[0]!.ratio_median,
      rss_mb: {
        at_start: rssAtStart,
        before_measurements: rssBefore,
        after_measurements: rssAfter,
        peak_raw_runs: sampler.peak('raw'),
        peak_service_runs: sampler.peak('service'),
        peak: sampler.peak(),
      },
      machine: machineInfo(),
    };
  } finally {
    sampler.stop();
    log('stopping the broker...');
    await broker.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function summarise(produced: Awaited<ReturnType<typeof produceEvents>>, raw: ConsumeTiming[], svc: ServiceTiming[], windowSize: number): Record<string, unknown> {
  const rawRate = median(raw.map((r) => r.eventsPerS));
  const svcRate = median(svc.map((r) => r.eventsPerS));
  const ratios = raw.map((r, i) => svc[i]!.eventsPerS / r.eventsPerS);
  const latencies = svc.flatMap((s) => s.alertLatenciesMs);
  const stages = ['decode_window', 'publish', 'checkpoint', 'commit'];
  return {
    partitions: produced.partitions,
    events: produced.events,
    value_bytes_mean: round(produced.valueBytesMean, 1),
    produce_s: round(produced.produceS, 2),
    raw_events_per_s: raw.map((r) => Math.round(r.eventsPerS)),
    service_events_per_s: svc.map((r) => Math.round(r.eventsPerS)),
    raw_events_per_s_median: Math.round(rawRate),
    service_events_per_s_median: Math.round(svcRate),
    // Median of the per-repeat ratios (each repeat's raw and service runs are back to back).
    ratio_median: round(median(ratios), 3),
    ratio_of_medians: round(svcRate / rawRate, 3),
    raw_startup_ms_median: Math.round(median(raw.map((r) => r.startupMs))),
    service_startup_ms_median: Math.round(median(svc.map((r) => r.startupMs))),
    service_batches_median: median(svc.map((s) => s.batches)),
    service_windows: svc[0]!.windowsDelivered,
    windows_expected: Math.floor(produced.events / windowSize),
    shifted_windows: produced.shiftedWindows,
    alerts_per_run: svc.map((s) => s.alerts),
    dead_lettered: svc.map((s) => s.deadLettered),
    // Seconds per stage inside the service, median over repeats (decode_window = Monitor.handle loop).
    service_stage_s_median: Object.fromEntries(stages.map((st) => [st, round(median(svc.map((s) => s.stageSeconds[st] ?? 0)), 3)])),
    alert_latency_ms: {
      samples: latencies.length,
      p50: round(quantile(latencies, 0.5), 1),
      p95: round(quantile(latencies, 0.95), 1),
      max: round(latencies.length ? Math.max(...latencies) : Number.NaN, 1),
    },
  };
}
