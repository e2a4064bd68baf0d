/** What a single process keeps of the last commit and checkpoints for its label joins' rebuild (core/pipeline/restart-reads.ts). */
import { RestartReads } from '../../../src/core/pipeline/restart-reads.js';

describe('the reads of a restart', () => {
  it('says which partitions are still read again, which labels were handled, and which the checkpoint holds', () => {
    const r = new RestartReads();
    r.restorePosition('events/0', { clock: 5, handled: 120 }, 40, false);
    r.restorePosition('events/1', { clock: 5, handled: 80 }, 80, false);
    r.restorePosition('labels/0', { clock: -Infinity, handled: 30 }, 10, true);
    expect([r.labelsHandledBefore('labels/0'), r.labelsHandledBefore('events/0'), r.labelsHandledBefore('labels/1')]).toEqual([30, 0, 0]);

    // events/1 was committed where it had been handled: nothing to read again there.
    const next = new Map([['events/0', 119], ['labels/0', 30]]);
    expect(r.rereadingAny((key) => next.get(key) ?? 0)).toBe(true);
    next.set('events/0', 120);
    expect(r.rereadingAny((key) => next.get(key) ?? 0)).toBe(false);
    // Once caught up, for good.
    next.set('events/0', 0);
    expect(r.rereadingAny((key) => next.get(key) ?? 0)).toBe(false);

    r.restoreCheckpoint('m', { 'labels/0': 25 });
    expect([r.inCheckpoint('m', 'labels/0', 24), r.inCheckpoint('m', 'labels/0', 25), r.inCheckpoint('other', 'labels/0', 0)]).toEqual([true, false, false]);
    // The next checkpoint: what was read since, the restored reach elsewhere.
    expect(Object.fromEntries(r.readThrough('m', [['labels/1', 7]]))).toEqual({ 'labels/0': 25, 'labels/1': 7 });
    expect(Object.fromEntries(r.readThrough('m', [['labels/0', 31]]))).toEqual({ 'labels/0': 31 });
  });
});
