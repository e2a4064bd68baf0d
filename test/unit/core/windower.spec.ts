import { ModelWindower, MAX_HELD_WINDOWS, type WindowSpec } from '../../../src/core/window/windower.js';
import { PartitionClocks } from '../../../src/core/window/partition-clocks.js';
import { syntheticRows } from '../../support/synthetic.js';
import { referencesFor } from '../../support/fixtures.js';

const refs = referencesFor(syntheticRows(2000, 1));
const row = { amount: 20, country: 'DE' };

/** A windower with its partition clocks, fed one event at a time like the monitor does. */
function rig(spec: WindowSpec, partitions = ['t/0']) {
  const clocks = new PartitionClocks(1000);
  clocks.assign(partitions, 0);
  const w = new ModelWindower(refs, spec);
  const add = (ts: number, partition: number, offset: number, replayed = false) => {
    const key = `t/${partition}`;
    return w.add(row, ts, { partitionKey: key, offset, clockBefore: clocks.observe(key, ts, 0), replayed });
  };
  return { w, clocks, add, release: () => w.release(clocks) };
}

describe('count windows', () => {
  it('close every `size` events of a partition, with the partition and first offset as id', () => {
    const { add, release, w } = rig({ type: 'count', size: 3, minEvents: 1 });
    for (let i = 0; i < 7; i++) add(1000 + i, 0, 10 + i);
    const closed = release();
    expect(closed.map((c) => [c.id, c.summary.n, c.start, c.end, c.serial])).toEqual([['c-t/0@10', 3, 1000, 1002, 1], ['c-t/0@13', 3, 1003, 1005, 2]]);
    expect(w.heldEvents()).toBe(1);
    expect([...w.heldPositions()]).toEqual([['t/0', { offset: 16, clock: 1005 }]]);
  });

  it('wait for the other partitions before release, then go in release-key order', () => {
    const { add, release } = rig({ type: 'count', size: 2, minEvents: 1 }, ['t/0', 't/1']);
    add(100, 0, 0);
    add(200, 0, 1);
    expect(release()).toEqual([]); // t/1 has read nothing: it may still close an earlier window
    add(150, 1, 0);
    add(160, 1, 1);
    expect(release().map((c) => c.id)).toEqual(['c-t/1@0']); // key 160 < 200, and t/0 is past it
    add(300, 1, 2);
    expect(release().map((c) => c.id)).toEqual(['c-t/0@0']);
  });

  it('skip events a released window already holds (a replay after a restart)', () => {
    const { add, release, w } = rig({ type: 'count', size: 2, minEvents: 1 });
    add(1, 0, 0);
    add(2, 0, 1);
    release();
    const again = rig({ type: 'count', size: 2, minEvents: 1 });
    again.w.restore(w.progress());
    expect(again.add(1, 0, 0, true)).toEqual({ skipped: true });
    expect(again.add(3, 0, 2, true).skipped).toBe(false);
  });

  it('release the oldest anyway when too many wait, and count it', () => {
    const { add, release, w } = rig({ type: 'count', size: 1, minEvents: 1 }, ['t/0', 't/1']);
    for (let i = 0; i <= MAX_HELD_WINDOWS; i++) add(i, 0, i);
    expect(release().map((c) => c.reason)).toEqual(['held']);
    expect(w.forcedReleases).toBe(1);
  });

  it('flush releases every window, partial ones included', () => {
    const { add, w } = rig({ type: 'count', size: 10, minEvents: 1 }, ['t/0', 't/1']);
    expect(w.flush()).toEqual([]);
    add(5, 1, 0);
    add(1, 0, 0);
    expect(w.flush().map((c) => [c.id, c.reason])).toEqual([['c-t/0@0', 'flush'], ['c-t/1@0', 'flush']]);
  });
});

describe('event-time windows', () => {
  const spec: WindowSpec = { type: 'event-time', durationMs: 1000, minEvents: 1 };

  it('are released once every partition read past their end, merged across partitions', () => {
    const { add, release } = rig(spec, ['t/0', 't/1']);
    add(1500, 0, 0);
    add(1600, 1, 0);
    add(2100, 0, 1);
    expect(release()).toEqual([]);
    add(2000, 1, 1);
    const closed = release();
    expect(closed.map((c) => [c.id, c.start, c.end, c.summary.n, c.reason])).toEqual([['t1000', 1000, 2000, 2, 'time']]);
  });

  it('place an event older than its partition clock in the window of that clock, as late', () => {
    const { add, release } = rig(spec);
    add(5000, 0, 0);
    const r = add(3000, 0, 1);
    expect(r).toMatchObject({ windowId: 't5000', late: true });
    add(6000, 0, 2);
    const closed = release()[0]!;
    expect([closed.id, closed.summary.n, closed.lateEvents]).toEqual(['t5000', 2, 1]);
  });

  it('accept disorder up to allowedLatenessMs without calling it late', () => {
    const { add, release } = rig({ ...spec, allowedLatenessMs: 2500 });
    add(5000, 0, 0);
    expect(add(3000, 0, 1)).toMatchObject({ windowId: 't3000', late: false });
    add(6000, 0, 2);
    expect(release()).toEqual([]); // the clock must pass 4000 + 2500 first
    add(6500, 0, 3);
    expect(release().map((c) => c.id)).toEqual(['t3000']);
  });

  it('a quiet partition stops holding windows back', () => {
    const { add, release, clocks } = rig(spec, ['t/0', 't/1']);
    add(1500, 0, 0);
    add(2500, 0, 1);
    expect(release()).toEqual([]);
    clocks.setCaughtUp('t/1', true, 999);
    expect(release()).toEqual([]);
    clocks.refresh(1000);
    expect(release().map((c) => [c.id, c.reason])).toEqual([['t1000', 'idle']]);
  });
});
