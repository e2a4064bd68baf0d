/**
 * The threads' load gauges: each update shows the share of the time since the previous one that a
 * thread's event loop was busy, and its heap when known.
 */
import { Registry } from 'prom-client';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { busyShare, MAIN_THREAD, ThreadLoad, type ThreadProbe } from '../../../src/service/thread-load.js';

const valueOf = async (registry: Registry, name: string, thread: string) =>
  (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values.find((v) => v.labels.thread === thread)?.value;
const elu = (active: number, idle: number): EventLoopUtilization => ({ active, idle, utilization: active / (active + idle) });

describe('busyShare', () => {
  it('is the busy share of the time between two readings, or since the start', () => {
    expect(busyShare(elu(30, 10), elu(10, 10))).toBe(1);
    expect(busyShare(elu(30, 30), elu(10, 10))).toBe(0.5);
    expect(busyShare(elu(30, 10), undefined)).toBe(0.75);
    expect(busyShare(elu(10, 10), elu(10, 10))).toBe(0);
  });
});

describe('ThreadLoad', () => {
  it('sets each running thread\'s gauges from its readings, and the heap only when the thread reported it', async () => {
    const registry = new Registry();
    const metrics = new MetricsRecorder(registry, 'events');
    const readings = [elu(10, 30), elu(40, 40)];
    let heap: number | undefined;
    const aggregator: ThreadProbe = { utilization: () => readings.shift()!, heapUsed: () => heap };
    let running: Partial<Record<'main' | 'aggregator', ThreadProbe>> = { main: MAIN_THREAD };
    const load = new ThreadLoad(metrics, () => running);
    load.sample();
    expect(await valueOf(registry, 'shiftwatch_thread_utilization_ratio', 'aggregator')).toBeUndefined();
    expect(await valueOf(registry, 'shiftwatch_thread_heap_used_bytes', 'main')).toBeGreaterThan(1e6);

    running = { main: MAIN_THREAD, aggregator };
    load.sample();
    expect(await valueOf(registry, 'shiftwatch_thread_utilization_ratio', 'aggregator')).toBe(0.25);
    expect(await valueOf(registry, 'shiftwatch_thread_heap_used_bytes', 'aggregator')).toBeUndefined();
    heap = 5e7;
    load.sample();
    expect(await valueOf(registry, 'shiftwatch_thread_utilization_ratio', 'aggregator')).toBe(0.75);
    expect(await valueOf(registry, 'shiftwatch_thread_heap_used_bytes', 'aggregator')).toBe(5e7);
  });

  it('reads the main thread as busy while it computes and nothing else runs', async () => {
    const registry = new Registry();
    const load = new ThreadLoad(new MetricsRecorder(registry, 'events'), () => ({ main: MAIN_THREAD }));
    load.sample();
    const until = performance.now() + 200;
    let spin = 0;
    while (performance.now() < until) spin += 1;
    load.sample();
    expect(spin).toBeGreaterThan(0);
    expect(await valueOf(registry, 'shiftwatch_thread_utilization_ratio', 'main')).toBeGreaterThan(0.9);
  });
});
