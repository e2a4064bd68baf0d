/** Test streams over several input partitions, and what is compared of their outputs, for the window-order and shared-replica specs. */
import type { MonitorOutput, RawMessage } from '../../src/core/pipeline/monitor.js';
import { seededRandom } from '../../src/core/random.js';
import { syntheticRows, type Shift } from './synthetic.js';

/** Per partition, its messages in offset order: 300-event phases (one per entry of `phases`), events spread over partitions at random. */
export function partitionedEvents(phases: readonly Shift[], seed: number, partitions: number): RawMessage[][] {
  const random = seededRandom(seed);
  const out: RawMessage[][] = Array.from({ length: partitions }, () => []);
  let i = 0;
  phases.forEach((shift, w) => {
    for (const features of syntheticRows(300, 50 + w, shift)) {
      const p = Math.floor(random() * partitions);
      // Event time mostly rises with i, with disorder inside each partition; a second model shares
      // the partitions (its events move the partition clocks that order the first model's windows).
      const ts = 1_000_000 + i * 10 + Math.floor(random() * 2000);
      const model = random() < 0.3 ? 'm2' : 'm1';
      out[p]!.push({ topic: 'events', partition: p, offset: String(out[p]!.length), timestamp: String(ts), key: null, value: Buffer.from(JSON.stringify({ model, id: `e${i}`, ts, features })) });
      i++;
    }
  });
  return out;
}


/** Per model, its windows (serial, id, size) and alert ids in order (models are independent, so their interleaving is not compared). */
export function windowTrace(out: Pick<MonitorOutput, 'windows' | 'alerts'>, models: readonly string[] = ['m1', 'm2']) {
  return Object.fromEntries(models.map((model) => [model, {
    windows: out.windows.filter((w) => w.model === model).map((w) => `${w.window.serial}:${w.window.id}:${w.window.n}`),
    alerts: out.alerts.filter((a) => a.model === model).map((a) => a.alertId),
  }]));
}
