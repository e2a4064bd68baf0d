import { ModelWindower } from '../../../src/core/window/windower.js';
import { syntheticRows } from '../../../src/demo/synthetic.js';
import { referencesFor } from '../../support/fixtures.js';

const refs = referencesFor(syntheticRows(2000, 1));
const row = { amount: 20, country: 'DE' };
const pos = (offset: number, partition = 0) => ({ partitionKey: `t/${partition}`, offset });

describe('count windows', () => {
  it('close exactly every `size` events with deterministic ids', () => {
    const ids: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const w = new ModelWindower(refs, { type: 'count', size: 3, minEvents: 1 });
      const closed = [];
      for (let i = 0; i < 7; i++) closed.push(...w.add(row, 1000 + i, pos(i), 0).closed);
      expect(closed.map((c) => c.summary.n)).toEqual([3, 3]);
      expect(closed.map((c) => [c.start, c.end])).toEqual([[1000, 1002], [1003, 1005]]);
      expect(w.openCount()).toBe(1);
      ids.push(closed.map((c) => c.id));
    }
    expect(ids[0]).toEqual(ids[1]);
    expect(new Set(ids[0]).size).toBe(2);
  });

  it('hold back the first offset of the open window per partition', () => {
    const w = new ModelWindower(refs, { type: 'count', size: 4, minEvents: 1 });
    w.add(row, 1, pos(10, 0), 0);
    w.add(row, 2, pos(20, 1), 0);
    w.add(row, 3, pos(11, 0), 0);
    expect([...w.heldOffsets()]).toEqual([['t/0', 10], ['t/1', 20]]);
    const closed = w.add(row, 4, pos(21, 1), 0).closed;
    expect(closed[0]!.endOffsets).toEqual({ 't/0': 12, 't/1': 22 });
    expect(w.heldOffsets().size).toBe(0);
  });

  it('flush closes a partial window and nothing when empty', () => {
    const w = new ModelWindower(refs, { type: 'count', size: 10, minEvents: 1 });
    expect(w.flush()).toBeUndefined();
    w.add(row, 1, pos(0), 0);
    expect(w.flush()?.reason).toBe('flush');
  });
});

describe('event-time windows', () => {
  const spec = { type: 'event-time' as const, durationMs: 1000, minEvents: 1, idleCloseMs: 5000 };

  it('close when an event of a later window arrives, aligned to the duration', () => {
    const w = new ModelWindower(refs, spec);
    expect(w.add(row, 1500, pos(0), 0).closed).toEqual([]);
    w.add(row, 1999, pos(1), 0);
    const closed = w.add(row, 2000, pos(2), 0).closed;
    expect(closed.map((c) => [c.id, c.start, c.end, c.summary.n, c.reason])).toEqual([['t1000', 1000, 2000, 2, 'time']]);
  });

  it('fold late events into the open window and count them', () => {
    const w = new ModelWindower(refs, spec);
    w.add(row, 5000, pos(0), 0);
    const r = w.add(row, 3000, pos(1), 0);
    expect(r.late).toBe(true);
    const closed = w.add(row, 6000, pos(2), 0).closed[0]!;
    expect([closed.summary.n, closed.lateEvents]).toEqual([2, 1]);
  });

  it('close after idling and never reuse a closed window id', () => {
    const w = new ModelWindower(refs, spec);
    w.add(row, 1500, pos(0), 100);
    expect(w.tick(5099)).toBeUndefined();
    const idle = w.tick(5100);
    expect([idle?.id, idle?.reason]).toEqual(['t1000', 'idle']);
    const straggler = w.add(row, 1600, pos(1), 6000);
    expect(straggler.late).toBe(true);
    expect(w.flush()?.id).toBe('t2000');
  });
});
