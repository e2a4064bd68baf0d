/**
 * Summaries records too large for one Kafka record travel in pieces (summary-pieces.ts): split on
 * any byte, put together per piece set between other writers' records, and never committed past
 * before their last piece is read.
 */
import { PIECE_HEADER, PieceAssembler, summaryPayloads } from '../../../src/core/pipeline/summary-pieces.js';
import { SummaryRecordError, encodeSummaryRecord } from '../../../src/core/pipeline/summary-record.js';
import { Aggregator } from '../../../src/core/pipeline/aggregator.js';
import { Monitor, emptyOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { MAX_HELD_WINDOWS } from '../../../src/core/window/windower.js';
import type { RuntimeOutput } from '../../../src/core/pipeline/model-runtime.js';
import { partitionedEvents, windowTrace } from '../../support/partitioned-events.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

const OPTIONS = { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL };
const ROOM = 1024;

describe('summary payloads', () => {
  it('leave a record that fits whole, without a piece header', () => {
    const text = 'x'.repeat(ROOM);
    expect(summaryPayloads(text, ROOM, () => 'never')).toEqual([{ value: text }]);
  });

  it('cut a larger record into pieces that fit, on any byte, and put them back together between another set\'s pieces', () => {
    // Multi-byte characters straddle the cuts.
    const a = `{"v":1,"text":"${'é€😀a'.repeat(700)}"}`;
    const b = `{"v":1,"text":"${'b'.repeat(3000)}"}`;
    const pa = summaryPayloads(a, ROOM, () => 'set-a');
    const pb = summaryPayloads(b, ROOM, () => 'set-b');
    expect(pa.length).toBe(Math.ceil(Buffer.byteLength(a) / ROOM));
    for (const p of [...pa, ...pb]) expect(Buffer.byteLength(p.value)).toBeLessThanOrEqual(ROOM);
    expect(pa.map((p) => p.headers?.[PIECE_HEADER])).toEqual(pa.map((_, i) => `set-a ${i}/${pa.length}`));
    const assembler = new PieceAssembler();
    const whole: { text: string; firstOffset: number }[] = [];
    // b's pieces come between a's, from offset 10 on.
    const order = [pa[0]!, pb[0]!, pa[1]!, pb[1]!, pb[2]!, ...pa.slice(2)];
    order.forEach((p, i) => {
      const done = assembler.add(p.headers![PIECE_HEADER]!, 'summaries/0', 10 + i, Buffer.from(p.value));
      if (done !== undefined) whole.push(done);
      else expect(assembler.firstOffsets().get('summaries/0')).toBe(10);
    });
    expect(whole).toEqual([{ text: b, firstOffset: 11 }, { text: a, firstOffset: 10 }]);
    expect(assembler.firstOffsets().size).toBe(0);
  });

  it('refuse pieces out of order, without their first piece, or with a header they cannot read', () => {
    const pieces = summaryPayloads('y'.repeat(3000), ROOM, () => 's');
    const header = (i: number) => pieces[i]!.headers![PIECE_HEADER]!;
    const value = (i: number) => Buffer.from(pieces[i]!.value);
    expect(() => new PieceAssembler().add(header(1), 'summaries/0', 0, value(1))).toThrow(SummaryRecordError);
    const skipped = new PieceAssembler();
    skipped.add(header(0), 'summaries/0', 0, value(0));
    expect(() => skipped.add(header(2), 'summaries/0', 1, value(2))).toThrow(/piece 2\/3 of summaries record set s .* but piece 1\/3 of summaries\/0 was due/);
    for (const bad of ['s 3/3', 's 0/1', 's', 'a b 0/2']) expect(() => new PieceAssembler().add(bad, 'summaries/0', 0, value(0))).toThrow(SummaryRecordError);
  });

  it('refuse a room too small to carry a record', () => {
    expect(() => summaryPayloads('z', 100, () => 's')).toThrow(/max\.message\.bytes/);
  });
});

describe('an aggregator reading records in pieces', () => {
  const bundle = syntheticBundle('m1', { windowSize: 300 });
  const models = [{ name: 'm1', bundle, window: { type: 'count' as const, size: 60, minEvents: 30 } }];
  /** What one worker reading one partition hands over, as whole records. */
  async function handedOver(): Promise<string[]> {
    const worker = new Monitor(models, { ...OPTIONS, role: 'worker' }, {}, () => 0);
    worker.assign(['events/0']);
    const out = emptyOutput();
    for (const message of partitionedEvents([{ kind: 'none' }, { kind: 'mean', feature: 'amount', logShift: 0.6 }], 3, 1)[0]!) {
      if (message.value!.toString().includes('"m1"')) worker.handle(message, out);
    }
    await worker.complete(out);
    return out.summaries.map(encodeSummaryRecord);
  }
  const aggregator = () => {
    const a = new Aggregator(models, { ...OPTIONS, maxHeldWindows: MAX_HELD_WINDOWS }, {}, () => 0);
    a.setInputPartitions(['events/0']);
    return a;
  };
  const message = (offset: number, value: string | Buffer, headers?: Record<string, string>): RawMessage =>
    ({ topic: 'summaries', partition: 0, offset: String(offset), timestamp: '0', key: null, value: Buffer.from(value), ...(headers ? { headers } : {}) });

  it('scores what it scores from whole records, and commits no further than the first piece of a record still missing pieces', async () => {
    const records = await handedOver();
    const whole = aggregator();
    const expected: RuntimeOutput = { windows: [], alerts: [], realized: [] };
    for (const [i, r] of records.entries()) {
      whole.handle(message(i, r));
      await whole.complete(expected);
    }
    expect(expected.windows.length).toBeGreaterThanOrEqual(4);

    const pieced = aggregator();
    const out: RuntimeOutput = { windows: [], alerts: [], realized: [] };
    let offset = 0;
    let split = 0;
    for (const [i, r] of records.entries()) {
      const payloads = summaryPayloads(r, ROOM, () => `set-${i}`);
      const first = offset;
      for (const [j, p] of payloads.entries()) {
        pieced.handle(message(offset++, p.value, p.headers));
        // Until its last piece is read, a restart must read the record again from its first piece.
        if (j < payloads.length - 1) expect(pieced.committableOffsets().get('summaries/0')).toBeLessThanOrEqual(first);
      }
      if (payloads.length > 1) split += 1;
      await pieced.complete(out);
    }
    expect(split).toBeGreaterThanOrEqual(4);
    expect(windowTrace(out, ['m1'])).toEqual(windowTrace(expected, ['m1']));
  });
});
