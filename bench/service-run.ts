/**
 * One measured run of the real service (createRuntime + startService, as `shiftwatch serve` does)
 * on an already-filled topic, with a fresh consumer group and fresh output/state topics.
 * Timing comes from a thin wrapper around the runtime's Monitor.handle (first/last message, and when
 * each window closed) and from the ingest listener (window reports delivered, alerts published).
 */
import type { INestApplication } from '@nestjs/common';
import { parseConfig } from '../src/config/index.js';
import { createRuntime } from '../src/service/runtime.js';
import { startService } from '../src/app/bootstrap.js';
import { emptyOutput, type MonitorOutput, type RawMessage } from '../src/core/pipeline/monitor.js';
import { waitFor } from '../src/demo/wait.js';
import { fullCountWindows, type ConsumeTiming } from './kafka-io.js';

export interface ServiceTiming extends ConsumeTiming {
  accepted: number;
  deadLettered: number;
  windowsDelivered: number;
  alerts: { firing: number; resolved: number };
  /** ms from the Monitor closing a window to its alert having been published (listener called after send). */
  alertLatenciesMs: number[];
  batches: number;
  /** Seconds spent per ingest stage, from shiftwatch_ingest_batch_duration_seconds. */
  stageSeconds: Record<string, number>;
}

export async function serviceConsume(args: {
  brokers: string[];
  topic: string;
  events: number;
  windowSize: number;
  model: string;
  bundleDir: string;
  tag: string;
  timeoutMs: number;
}): Promise<ServiceTiming> {
  const { events, windowSize, tag } = args;
  const config = parseConfig({
    kafka: {
      brokers: args.brokers,
      clientId: `shiftwatch-bench-${tag}`,
      groupId: `shiftwatch-bench-${tag}`,
      topics: { events: args.topic, alerts: `bench.alerts.${tag}`, deadLetters: `bench.dlq.${tag}`, state: `bench.state.${tag}` },
    },
    http: { host: '127.0.0.1', port: 0 },
    models: [{ name: args.model, bundle: args.bundleDir }],
    window: { type: 'count', size: windowSize, minEvents: Math.min(200, windowSize) },
    logLevel: 'warn',
  });
  const probe = { count: 0, first: Number.NaN, last: Number.NaN, windows: 0, lastWindowAt: Number.NaN, firing: 0, resolved: 0 };
  const closedAt = new Map<string, number>();
  const latencies: number[] = [];
  const t0 = performance.now();
  const runtime = await createRuntime(config, {
    window: () => {
      probe.windows += 1;
      probe.lastWindowAt = performance.now();
    },
    alert: (a) => {
      if (a.status === 'firing') probe.firing += 1;
      else probe.resolved += 1;
      const at = closedAt.get(a.window.id);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  const monitor = runtime.monitor;
  const handle = monitor.handle.bind(monitor);
  monitor.handle = (message: RawMessage, out: MonitorOutput = emptyOutput()): MonitorOutput => {
    if (probe.count === 0) probe.first = performance.now();
    const before = out.windows.length;
    handle(message, out);
    probe.count += 1;
    if (out.windows.length > before) {
      const now = performance.now();
      for (let i = before; i < out.windows.length; i++) closedAt.set(out.windows[i]!.window.id, now);
    }
    if (probe.count === events) probe.last = performance.now();
    return out;
  };

  const counter = runtime.registry.getSingleMetric('shiftwatch_ingest_messages_total');
  const byOutcome = async (): Promise<Record<string, number>> => {
    const values = (await counter?.get())?.values ?? [];
    const out: Record<string, number> = {};
    for (const v of values) if (v.labels.topic === args.topic) out[String(v.labels.outcome)] = (out[String(v.labels.outcome)] ?? 0) + v.value;
    return out;
  };
  const accounted = async () => Object.values(await byOutcome()).reduce((s, v) => s + v, 0);
  const fullWindows = await fullCountWindows(args.brokers, args.topic, windowSize);

  let app: INestApplication | undefined;
  try {
    app = await startService(runtime);
    await waitFor(async () => (await accounted()) >= events && probe.windows >= fullWindows, args.timeoutMs, `the service to account for ${events} events and deliver ${fullWindows} windows`, 20);
  } finally {
    if (app !== undefined) await app.close();
    else await runtime.engine.stop().catch(() => undefined);
  }
  const outcomes = await byOutcome();
  const end = Math.max(probe.last, probe.lastWindowAt);
  const consumeMs = end - probe.first;
  return {
    startupMs: probe.first - t0,
    consumeMs,
    eventsPerS: events / (consumeMs / 1000),
    accepted: outcomes.accepted ?? 0,
    deadLettered: outcomes.dead_letter ?? 0,
    windowsDelivered: probe.windows,
    alerts: { firing: probe.firing, resolved: probe.resolved },
    alertLatenciesMs: latencies,
    ...(await stageBreakdown(runtime.registry)),
  };
}

async function stageBreakdown(registry: import('prom-client').Registry): Promise<{ batches: number; stageSeconds: Record<string, number> }> {
  const metric = registry.getSingleMetric('shiftwatch_ingest_batch_duration_seconds');
  const values = (await metric?.get())?.values ?? [];
  const stageSeconds: Record<string, number> = {};
  let batches = 0;
  for (const v of values) {
    const name = (v as { metricName?: string }).metricName ?? '';
    const stage = String(v.labels.stage);
    if (name.endsWith('_sum')) stageSeconds[stage] = v.value;
    if (name.endsWith('_count') && stage === 'decode_window') batches = v.value;
  }
  return { batches, stageSeconds };
}
