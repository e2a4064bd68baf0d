/**
 * Dead letters never block ingestion (issue 13, D1): with the broker's default size limit
 * (1048588 bytes per record batch), an 800 KB bad message (whose base64 dead letter would not fit)
 * and a burst of 5,000 small bad messages consumed as one batch (whose dead letters together are
 * several MB) are all dead-lettered, and the good events after them are still windowed.
 */
import { createHash } from 'node:crypto';
import { createHarness, eventMessages, CLEAN, WINDOW, type Harness } from '../support/service-harness.js';
import { waitFor } from '../../src/demo/wait.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';

const BURST = 5000;

describe('dead letters on a real Kafka broker with default size limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('dead-letters an 800 KB bad message and a burst of 5,000 bad messages in one batch, and keeps ingesting', async () => {
    const topic = h.config.kafka.topics.events;
    // Oversized for the service (kafka.maxMessageBytes is 100 000 in the harness) but within the broker's limit.
    const big = Buffer.alloc(800_000, 'x');
    big.write('{"model":"m1","features":{"blob":"');
    await h.producer.send({ topic, messages: [{ key: 'big', value: big }] });
    // One produce request, so that the consumer fetches the burst as one batch.
    await h.producer.send({ topic, messages: Array.from({ length: BURST }, (_, i) => ({ key: `bad-${i}`, value: `{"model":"m1","features":{"amount":"not a number ${i}"}}` })) });
    await h.sendEvents(eventMessages([CLEAN]));

    const { url } = await h.start();
    const letters = (await h.readTopic(h.config.kafka.topics.deadLetters, BURST + 1, 90_000)).map((m) => ({ ...m, letter: JSON.parse(m.value) as DeadLetter }));
    expect(letters).toHaveLength(BURST + 1);
    expect(new Set(letters.map((l) => l.letter.origin.offset)).size).toBe(BURST + 1);

    const bigLetter = letters.find((l) => l.letter.origin.offset === '0')!.letter;
    expect(bigLetter.reason).toBe('oversized');
    expect(bigLetter.truncated?.value).toEqual({ originalBytes: 800_000, keptBytes: expect.any(Number), sha256: createHash('sha256').update(big).digest('hex') });
    const kept = Buffer.from(bigLetter.valueBase64!, 'base64');
    expect(kept.length).toBe(bigLetter.truncated!.value!.keptBytes);
    expect(kept.length).toBeGreaterThan(500_000);
    expect(kept.equals(big.subarray(0, kept.length))).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(bigLetter))).toBeLessThan(1_048_588);

    const small = letters.filter((l) => l.letter.origin.offset !== '0').map((l) => l.letter);
    expect(small.every((d) => d.reason === 'wrong_type' && d.truncated === undefined)).toBe(true);
    expect(Buffer.from(small[BURST - 1]!.valueBase64!, 'base64').toString()).toBe(`{"model":"m1","features":{"amount":"not a number ${BURST - 1}"}}`);

    const windowsClosed = async () => ((await (await fetch(`${url}/status`)).json()) as { models: { windowsClosed: number }[] }).models[0]!.windowsClosed;
    await waitFor(async () => (await windowsClosed()) === 1, 60_000, `the ${WINDOW} good events after the bad ones to fill a window`);
    await waitFor(async () => (await fetch(`${url}/ready`)).status === 200, 10_000, 'the service to be ready');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/shiftwatch_dead_letters_truncated_total 1\n/);
    expect(metrics).toMatch(/shiftwatch_sink_max_message_bytes\{sink="dead_letters"\} 1048588\n/);
    expect(metrics).toMatch(/shiftwatch_sink_errors_total\{sink="dead_letters",kind="not_retriable"\} 0\n/);
    expect(metrics).toMatch(/shiftwatch_pipeline_halts_total 0\n/);
  });
});
