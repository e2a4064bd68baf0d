/**
 * Accepted events are counted in a plain number (prom-client's inc per event was a measurable share
 * of the reading thread) and reach shiftwatch_ingest_messages_total whenever it is read: every
 * scrape sees every event accepted before it, and none twice.
 */
import { Registry } from 'prom-client';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';

async function acceptedSeries(registry: Registry): Promise<number | undefined> {
  const values = (await registry.getSingleMetric('shiftwatch_ingest_messages_total')?.get())?.values ?? [];
  return values.find((v) => v.labels.topic === 'events' && v.labels.outcome === 'accepted')?.value;
}

describe('the accepted-events counter', () => {
  it('holds every event accepted before a read, once, also across reads and in the text a scrape gets', async () => {
    const registry = new Registry();
    const recorder = new MetricsRecorder(registry, 'events');
    recorder.initialise('test', []);
    expect(await acceptedSeries(registry)).toBe(0);
    for (let i = 0; i < 3; i++) recorder.accepted();
    expect(await acceptedSeries(registry)).toBe(3);
    expect(await acceptedSeries(registry)).toBe(3);
    recorder.accepted();
    recorder.accepted();
    expect(await registry.metrics()).toContain('shiftwatch_ingest_messages_total{topic="events",outcome="accepted"} 5');
    expect(await acceptedSeries(registry)).toBe(5);
  });
});
