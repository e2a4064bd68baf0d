/**
 * `shiftwatch replay` runs the same pipeline as `serve`: the same events, sent to a fresh topic of
 * the real broker and replayed from a file, give the same windows and the same alerts, ids included.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, eventMessages, CLEAN, AMOUNT_SHIFT, COUNTRY_SHIFT, type Harness } from '../support/service-harness.js';
import { waitFor } from '../../src/demo/wait.js';
import { replay } from '../../src/replay/replay.js';
import { loadModels, monitorOptions } from '../../src/service/models.js';
import { createLogger } from '../../src/logging.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import type { WindowRecord } from '../../src/core/pipeline/window-record.js';

describe('replay and serve on the same stream', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await createHarness();
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-replay-it-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('give the same windows and the same alert ids', async () => {
    const messages = eventMessages([CLEAN, CLEAN, CLEAN, AMOUNT_SHIFT, AMOUNT_SHIFT, CLEAN, CLEAN, CLEAN, COUNTRY_SHIFT, CLEAN, CLEAN, CLEAN]);
    const { url } = await h.start();
    await h.sendEvents(messages);
    await waitFor(async () => ((await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number }[] }).models[0]!.windowsClosed >= 12, 60_000, 'the service to close every window');
    const served = (await h.readTopic(h.config.kafka.topics.alerts, 4)).map((m) => JSON.parse(m.value) as Alert);

    const input = join(dir, 'events.jsonl');
    await writeFile(input, `${messages.map((m) => m.value).join('\n')}\n`);
    const out = join(dir, 'out');
    const summary = await replay({
      models: await loadModels(h.config, createLogger('error')), monitor: monitorOptions(h.config), input, outDir: out,
      topics: { events: h.config.kafka.topics.events, labels: h.config.kafka.topics.labels },
    });
    const replayed = (await readFile(join(out, 'alerts.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Alert);
    const windows = (await readFile(join(out, 'windows.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as WindowRecord);

    expect(summary.windows).toBe(12);
    expect(windows.map((w) => w.window.count)).toEqual(Array(12).fill(500));
    expect(replayed.map((a) => a.alertId)).toEqual(served.map((a) => a.alertId));
    expect(replayed).toEqual(served);
    // The windows the alerts name are the replay's windows.
    const ids = new Set(windows.map((w) => w.window.id));
    expect(served.every((a) => ids.has(a.window.id))).toBe(true);
    expect(served.filter((a) => a.status === 'firing').map((a) => a.features[0]?.feature)).toEqual(['amount', 'country']);
  });
});
