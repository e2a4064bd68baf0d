/**
 * Readiness tells the truth on the real broker: it turns 503 with the reason within 5 s when an
 * output topic cannot be written (the dead-letter topic deleted under the running service) and
 * input waits behind the stuck batch, and 200 again within 10 s of the topic coming back, with
 * the dead letter written and the events after it windowed.
 */
import { createHarness, eventMessages, CLEAN, WINDOW, type Harness } from '../support/service-harness.js';
import { waitFor } from '../../src/demo/wait.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';

interface ReadyBody {
  status: string;
  reason?: string;
  checks: { check: string; ok: boolean; detail: string }[];
}

describe('readiness on a real Kafka broker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is 503 with the reason while the dead-letter topic cannot be written, and 200 again once it can', async () => {
    const { url } = await h.start();
    const ready = async () => {
      const r = await fetch(`${url}/ready`);
      return { status: r.status, body: (await r.json()) as ReadyBody };
    };
    await waitFor(async () => (await ready()).status === 200, 30_000, 'the service to be ready');
    expect((await ready()).body.checks.map((c) => c.check)).toEqual(['consumer', 'broker', 'progress', 'sinks', 'pipeline']);

    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const dlq = h.config.kafka.topics.deadLetters;
      await admin.deleteTopics({ topics: [dlq] });
      await waitFor(async () => !(await admin.listTopics()).includes(dlq), 30_000, 'the dead-letter topic to be gone');

      const sent = Date.now();
      await h.sendEvents([{ key: 'bad', value: '{"model":"m1","features":{' }, ...eventMessages([CLEAN])]);
      let notReady: ReadyBody | undefined;
      await waitFor(async () => {
        const r = await ready();
        if (r.status === 503) notReady = r.body;
        return notReady !== undefined;
      }, 5000, '/ready to turn 503 within 5 s of the failing publish');
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(notReady!.reason).toMatch(/^sinks: publishing to dead_letters (fails|has not finished)/);
      // More input arrives behind the stuck batch: nothing is handled while it waits, a stall.
      await h.sendEvents(eventMessages([CLEAN], 200));
      await waitFor(async () => {
        const { body } = await ready();
        return body.checks.some((c) => c.check === 'progress' && !c.ok && /stalled: \d+ message\(s\) waiting/.test(c.detail))
          && body.checks.some((c) => c.check === 'sinks' && !c.ok);
      }, 10_000, 'both the stall and the failing sink to be reported');
      expect((await ready()).body.checks.find((c) => c.check === 'pipeline')!.ok).toBe(true); // retriable: not halted

      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: dlq }] });
      const recreated = Date.now();
      await waitFor(async () => (await ready()).status === 200, 10_000, '/ready to be 200 within 10 s of the topic coming back');
      expect(Date.now() - recreated).toBeLessThan(10_000);
    } finally {
      await admin.disconnect();
    }
    const letters = (await h.readTopic(h.config.kafka.topics.deadLetters, 1)).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letters.map((d) => d.reason)).toEqual(['malformed_json']);
    await waitFor(async () => ((await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number }[] }).models[0]!.windowsClosed === 2, 30_000, `the ${2 * WINDOW} events after the dead letter to be windowed`);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/shiftwatch_sink_errors_total\{sink="dead_letters",kind="retriable"\} [1-9]/);
    expect(metrics).toMatch(/shiftwatch_health_check_passing\{check="sinks"\} 1/);
  });
});
