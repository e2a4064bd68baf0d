import { Monitor, emptyOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { syntheticRows, type Shift } from '../../support/synthetic.js';
import { decodePosition } from '../../../src/core/window/partition-clocks.js';
import { syntheticBundle, TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

const bundle = syntheticBundle('m1', { windowSize: 500 });
const window = { type: 'count' as const, size: 500, minEvents: 100 };

function newMonitor(observer = {}) {
  return new Monitor([{ name: 'm1', bundle, window }], { maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL }, observer, () => 0);
}

/** Handles every message, then runs the detectors on the windows they closed (what the engine does per batch). */
async function feed(m: Monitor, msgs: readonly RawMessage[], out = emptyOutput()) {
  for (const msg of msgs) m.handle(msg, out);
  return m.complete(out);
}

function messages(shifts: Shift[], startOffset = 0): RawMessage[] {
  let offset = startOffset;
  return shifts.flatMap((shift, w) =>
    syntheticRows(500, 1000 + w, shift).map((features, i) => ({
      topic: 'events', partition: 0, offset: String(offset++), timestamp: '0', key: null,
      value: Buffer.from(JSON.stringify({ model: 'm1', ts: (w * 500 + i) * 10, features })),
    })),
  );
}

const clean: Shift = { kind: 'none' };
const amount: Shift = { kind: 'mean', feature: 'amount', logShift: 0.5 };

describe('monitor', () => {
  it('raises one firing alert naming the shifted feature, then resolves', async () => {
    const m = newMonitor();
    const out = await feed(m, messages([clean, clean, amount, amount, clean, clean, clean]));
    expect(out.windows).toHaveLength(7);
    expect(out.alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    const [firing, resolved] = out.alerts;
    expect(firing!.features[0]!.feature).toBe('amount');
    expect(firing!.features.filter((f) => f.flagged).map((f) => f.feature)).toEqual(['amount']);
    expect(firing!.window.n).toBe(500);
    expect(resolved!.episodeId).toBe(firing!.window.id);
    expect(new Set(out.alerts.map((a) => a.alertId)).size).toBe(2);
  });

  it('dead-letters bad messages with reasons and keeps going', async () => {
    const reasons: string[] = [];
    const m = newMonitor({ deadLettered: (r: string) => reasons.push(r) });
    const bad = ['{', '{"features":{}}', '{"model":"zz","features":{}}', '{"model":"m1","features":{"amount":"x"}}'];
    const out = emptyOutput();
    bad.forEach((v, i) => m.handle({ topic: 'events', partition: 0, offset: String(i), timestamp: '0', key: null, value: Buffer.from(v) }, out));
    await feed(m, messages([clean], 10), out);
    expect(reasons).toEqual(['malformed_json', 'missing_model', 'unknown_model', 'wrong_type']);
    expect(out.deadLetters.map((d) => d.origin.offset)).toEqual(['0', '1', '2', '3']);
    expect(out.windows).toHaveLength(1);
  });

  it('commits only up to the first event still held by a window not yet released', async () => {
    const m = newMonitor();
    const msgs = messages([clean, clean]);
    await feed(m, msgs.slice(0, 700));
    expect(m.committableOffsets().get('events/0')?.offset).toBe(500);
    await feed(m, msgs.slice(700));
    expect(m.committableOffsets().get('events/0')?.offset).toBe(1000);
  });

  it('after a crash, replaying from the committed offset gives the same windows and alert ids', async () => {
    const stream = messages([clean, amount, amount, clean, clean, clean]);
    const all = await feed(newMonitor(), stream);

    const first = newMonitor();
    const before = await feed(first, stream.slice(0, 1250));
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint('m1')));
    const position = first.committableOffsets().get('events/0')!;
    const committed = position.offset;
    expect(committed).toBe(1000);

    const second = newMonitor();
    second.restore(checkpoint);
    second.restorePositions(new Map([['events/0', decodePosition(position.metadata)!]]));
    const after = await feed(second, stream.slice(committed));
    const ids = [...before.alerts, ...after.alerts].map((a) => a.alertId);
    expect(ids).toEqual(all.alerts.map((a) => a.alertId));
    expect([...before.windows, ...after.windows].map((w) => w.window.id)).toEqual(all.windows.map((w) => w.window.id));
  });

  it('skips replayed events that a closed window already counted', async () => {
    const skipped: string[] = [];
    const m = newMonitor({ replaySkipped: (model: string | undefined) => skipped.push(String(model)) });
    const msgs = messages([clean]);
    await feed(m, msgs);
    const restarted = newMonitor({ replaySkipped: (model: string | undefined) => skipped.push(String(model)) });
    restarted.restore(m.checkpoint('m1')!);
    const out = emptyOutput();
    for (const msg of msgs.slice(0, 10)) restarted.handle(msg, out);
    expect(skipped).toHaveLength(10);
    expect(restarted.openWindowSizes().get('m1')).toBe(0);
  });
});
