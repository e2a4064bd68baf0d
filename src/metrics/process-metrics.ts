/**
 * The process metrics the service-health dashboard shows (memory, heap, event-loop lag, CPU),
 * taken from prom-client's default collectors. Only these are registered: some other defaults
 * (e.g. `nodejs_active_handles_total`, a gauge named like a counter) fail `promtool check metrics`.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export const PROCESS_METRICS = [
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

export function registerProcessMetrics(registry: Registry): void {
  const scratch = new Registry();
  collectDefaultMetrics({ register: scratch });
  for (const name of PROCESS_METRICS) {
    const metric = scratch.getSingleMetric(name);
    if (metric === undefined) throw new Error(`prom-client has no default metric ${name}`);
    registry.registerMetric(metric);
  }
}
