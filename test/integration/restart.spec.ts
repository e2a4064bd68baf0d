/**
 * Durability: the service is killed (SIGKILL, a crash) and stopped (SIGTERM) mid-stream, and a new
 * process takes over each time. The alerts on the topic must be exactly those of an uninterrupted
 * run: the same alert ids, none duplicated, none lost.
 */
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHarness, eventMessages, CLEAN, AMOUNT_SHIFT, COUNTRY_SHIFT, WINDOW, type Harness } from '../support/service-harness.js';
import { startServiceProcess } from '../support/service-process.js';
import { waitFor } from '../../src/demo/wait.js';
import { Monitor, emptyOutput } from '../../src/core/pipeline/monitor.js';
import { monitorOptions } from '../../src/service/models.js';
import { readBundle } from '../../src/core/fit/bundle-io.js';
import type { Alert } from '../../src/core/alerts/alert.js';

const STREAM = [CLEAN, CLEAN, CLEAN, CLEAN, AMOUNT_SHIFT, AMOUNT_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN, COUNTRY_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN];

describe('restarts mid-stream', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await createHarness();
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-restart-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function committedOffset(): Promise<number> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: h.config.kafka.groupId, topics: [h.config.kafka.topics.events] });
      return Number(topic?.partitions[0]?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  }

  it('a crash and a graceful stop produce no duplicate and no missing alert ids', async () => {
    const messages = eventMessages(STREAM);
    const expected = await uninterruptedAlerts(messages);
    expect(expected.map((a) => a.status)).toEqual(['firing', 'resolved', 'firing', 'resolved']);

    // Instance A gets windows 0..7 and half of window 8, then crashes (SIGKILL) after committing.
    const a = await startServiceProcess(h.config, join(dir, 'a.yaml'));
    await h.sendEvents(messages.slice(0, 8 * WINDOW + WINDOW / 2));
    await waitFor(async () => (await committedOffset()) === 8 * WINDOW, 60_000, 'instance A to commit up to the open window');
    expect(await a.kill('SIGKILL')).toBe('SIGKILL');

    // Instance B replays the open window, gets up to the middle of window 13, then is stopped cleanly.
    const b = await startServiceProcess(h.config, join(dir, 'b.yaml'));
    await h.sendEvents(messages.slice(8 * WINDOW + WINDOW / 2, 13 * WINDOW + WINDOW / 2));
    await waitFor(async () => (await committedOffset()) === 13 * WINDOW, 60_000, 'instance B to commit up to the open window');
    // What the crash replayed: exactly the 250 events of the window that was open, nothing more.
    expect(await acceptedEvents(b.url)).toBe(13 * WINDOW + WINDOW / 2 - 8 * WINDOW);
    expect(await b.kill('SIGTERM')).toBe(0);
    expect(b.output()).toContain('stopped cleanly');

    // Instance C finishes the stream.
    const c = await startServiceProcess(h.config, join(dir, 'c.yaml'));
    await h.sendEvents(messages.slice(13 * WINDOW + WINDOW / 2));
    await waitFor(async () => (await committedOffset()) === STREAM.length * WINDOW, 60_000, 'instance C to commit everything');
    expect(await c.kill('SIGTERM')).toBe(0);

    const published = (await h.readTopic(h.config.kafka.topics.alerts, expected.length)).map((m) => JSON.parse(m.value) as Alert);
    expect(published.map((x) => x.alertId)).toEqual(expected.map((x) => x.alertId));
    expect(new Set(published.map((x) => x.alertId)).size).toBe(published.length);
    expect(published.filter((x) => x.status === 'firing').map((x) => x.features[0]!.feature)).toEqual(['amount', 'country']);
  });

  async function acceptedEvents(url: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /shiftwatch_ingest_messages_total\{topic="[^"]+",outcome="accepted"\} (\d+)/.exec(text);
    return Number(match?.[1]);
  }

  /** What an uninterrupted run publishes, computed with the pure core on the same bundle and stream. */
  async function uninterruptedAlerts(messages: { key: string; value: string }[]): Promise<Alert[]> {
    const bundle = await readBundle(h.config.models[0]!.bundle);
    const monitor = new Monitor([{ name: 'm1', bundle, window: h.config.models[0]!.window }], monitorOptions(h.config));
    const out = emptyOutput();
    messages.forEach((m, i) => monitor.handle({ topic: h.config.kafka.topics.events, partition: 0, offset: String(i), timestamp: String(Date.now()), key: null, value: Buffer.from(m.value) }, out));
    return (await monitor.complete(out)).alerts;
  }
});
