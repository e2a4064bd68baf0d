/** The whole path on the real broker: events in → windows and tests → alerts topic and /metrics. */
import { createHarness, eventMessages, CLEAN, AMOUNT_SHIFT, COUNTRY_SHIFT, type Harness } from '../support/service-harness.js';
import { waitFor } from '../../src/demo/wait.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';

describe('pipeline on a real Kafka broker', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a clean stream raises no alert, a shifted one raises alerts naming the shifted feature', async () => {
    const { runtime, url } = await h.start();
    let windows = 0;
    // Window i uses seed 100 + i, so the stream (and every window's p-value) is the same on every run.
    const stream = [CLEAN, CLEAN, CLEAN, CLEAN, AMOUNT_SHIFT, AMOUNT_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN, COUNTRY_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN];
    await h.sendEvents(eventMessages(stream));
    await waitFor(async () => {
      windows = (await (await fetch(`${url}/status`)).json() as { models: { windowsClosed: number }[] }).models[0]!.windowsClosed;
      return windows >= stream.length;
    }, 60_000, 'every window to be tested');
    const alerts = (await h.readTopic(h.config.kafka.topics.alerts, 1)).map((m) => JSON.parse(m.value) as Alert);
    expect(alerts.map((a) => `${a.status}:${a.features[0]?.feature ?? ''}:${(a.window.start - 1_764_331_200_000) / 50_000}`)).toEqual([
      'firing:amount:4', // the first shifted window
      'resolved::7', // after two consecutive non-significant windows (6 and 7)
      'firing:country:11',
      // Clean window 13 is not significant, but 14 is (latency_ms at p = 0.004, a 1-in-30 window of
      // this stream): the episode ends after 14's two clean successors.
      'resolved::15',
    ]);
    const firing = alerts.filter((a) => a.status === 'firing');
    expect(firing.map((a) => a.features[0]!.feature)).toEqual(['amount', 'country']);
    expect(firing.map((a) => a.features.filter((f) => f.flagged).map((f) => f.feature))).toEqual([['amount'], ['country']]);
    expect(alerts.every((a) => a.model === 'm1' && a.alertId.length === 32)).toBe(true);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/shiftwatch_windows_closed_total\{model="m1",outcome="tested"\} 17/);
    expect(metrics).toMatch(/shiftwatch_alerts_emitted_total\{model="m1",detector="feature-shift",status="firing"\} 2/);
    expect(metrics).toMatch(/shiftwatch_ingest_messages_total\{topic="[^"]+",outcome="accepted"\} 8500/);
    expect(metrics).toMatch(/shiftwatch_feature_p_value\{model="m1",feature="amount"\} /);
    expect(runtime.engine.isReady()).toBe(true);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });

  it('every kind of bad message lands in the dead-letter topic with its reason, and the consumer keeps going', async () => {
    const { url } = await h.start();
    const bad: [string, string | null][] = [
      ['malformed_json', '{"model":"m1","features":{'],
      ['missing_model', JSON.stringify({ features: { amount: 1 } })],
      ['wrong_type', JSON.stringify({ model: 'm1', features: { amount: 'twelve' } })],
      ['non_finite_number', '{"model":"m1","features":{"amount":NaN}}'],
      ['oversized', JSON.stringify({ model: 'm1', features: { blob: 'x'.repeat(200_000) } })],
      ['unknown_model', JSON.stringify({ model: 'nope', features: {} })],
      ['not_an_object', '42'],
      ['empty', null],
      ['timestamp_out_of_range', JSON.stringify({ model: 'm1', ts: '9999-12-31T00:00:00Z', features: { amount: 1 } })],
    ];
    const good = eventMessages([CLEAN]);
    await h.sendEvents([...good.slice(0, 250), ...bad.map(([reason, value]) => ({ key: reason, value })), ...good.slice(250)]);
    const letters = (await h.readTopic(h.config.kafka.topics.deadLetters, bad.length)).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letters.map((d) => d.reason).sort()).toEqual(bad.map(([r]) => r).sort());
    for (const d of letters) {
      const original = bad.find(([r]) => r === d.reason)![1];
      expect(d.valueBase64 === null ? null : Buffer.from(d.valueBase64, 'base64').toString()).toBe(original);
      expect(d.origin.topic).toBe(h.config.kafka.topics.events);
      expect(Buffer.from(d.keyBase64!, 'base64').toString()).toBe(d.reason);
    }
    await waitFor(async () => (await (await fetch(`${url}/status`)).json() as { models: { windowsClosed: number }[] }).models[0]!.windowsClosed === 1, 30_000, 'the good events to fill a window');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/shiftwatch_dead_letters_total\{reason="oversized"\} 1/);
    expect(metrics).toMatch(/shiftwatch_dead_letters_total\{reason="wrong_type"\} 1/);
  });
});
