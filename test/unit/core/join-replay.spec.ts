/**
 * What an aggregator holds on the summaries topic so that a restore can rebuild its label join
 * (core/pipeline/join-replay.ts): the records of recent windows and of the labels joined to them,
 * and of labels waiting for their prediction; each bounded, so the commit always moves on.
 */
import { JoinReplay, LABEL_WINDOWS } from '../../../src/core/pipeline/join-replay.js';

const KEY = 'summaries/0';
const window = (serial: number, n = 100) => ({ id: `w${serial}`, serial, end: serial * 1000, n });
/** A window's first record: one, on the summaries partition (which has no clock). */
const first = (offset: number): [string, { offset: number; clock: number }][] => [[KEY, { offset, clock: -Infinity }]];

describe('the label join replay', () => {
  it('holds the first record of each recent window and of each label joined to one, up to LABEL_WINDOWS windows', () => {
    const r = new JoinReplay(1_000_000);
    r.released(window(1), first(10));
    r.released(window(2), first(20));
    r.label({ outcome: 'joined', window: 'w2' }, 'e1', KEY, 5);
    expect(r.holds().get(KEY)?.offset).toBe(5);
    for (let serial = 3; serial <= LABEL_WINDOWS + 1; serial++) r.released(window(serial), first(serial * 10));
    // Window 1 left the recent windows; window 2, with its label's record, is the oldest.
    expect(r.holds().get(KEY)?.offset).toBe(5);
    r.released(window(LABEL_WINDOWS + 2), first(1000));
    expect(r.holds().get(KEY)?.offset).toBe(30);
    expect(r.checkpoint(new Map([[KEY, 1001]])).labelWindows?.map((w) => w.serial)).toEqual(Array.from({ length: LABEL_WINDOWS }, (_, i) => i + 3));
  });

  it('keeps no more recent windows than the join holds predictions (at least the last one)', () => {
    const r = new JoinReplay(250);
    for (let serial = 1; serial <= 5; serial++) r.released(window(serial, 100), first(serial));
    expect(r.checkpoint(new Map()).labelWindows?.map((w) => w.serial)).toEqual([4, 5]);
    r.released(window(6, 1000), first(6));
    expect(r.checkpoint(new Map()).labelWindows?.map((w) => w.serial)).toEqual([6]);
  });

  it('holds a waiting label\'s record until its prediction comes, then for the prediction\'s window', () => {
    const r = new JoinReplay(1_000_000);
    r.label({ outcome: 'waiting' }, 'e1', KEY, 3);
    r.label({ outcome: 'waiting' }, 'e2', KEY, 3);
    r.label({ outcome: 'waiting' }, 'e3', KEY, 4);
    expect(r.holds().get(KEY)?.offset).toBe(3);
    // e1 found its prediction in window 7, read but not released yet: the window holds the record now.
    r.opened('w7');
    r.predictionJoined('e1', 'w7');
    r.labelEvicted('e2');
    expect(r.holds().get(KEY)?.offset).toBe(3);
    r.released(window(7), first(9));
    expect(r.holds().get(KEY)?.offset).toBe(3);
    r.labelEvicted('e3');
    expect(r.holds().get(KEY)?.offset).toBe(3);
    for (let serial = 8; serial <= LABEL_WINDOWS + 7; serial++) r.released(window(serial), first(serial * 10));
    expect(r.holds().get(KEY)?.offset).toBe(80);
  });

  it('stops holding a label whose prediction never comes once LABEL_WINDOWS windows were released since', () => {
    const r = new JoinReplay(1_000_000);
    r.label({ outcome: 'waiting' }, 'lost', KEY, 2);
    for (let serial = 1; serial < LABEL_WINDOWS; serial++) r.released(window(serial), first(100 + serial));
    expect(r.holds().get(KEY)?.offset).toBe(2);
    r.released(window(LABEL_WINDOWS), first(100 + LABEL_WINDOWS));
    expect(r.holds().get(KEY)?.offset).toBe(101);
  });

  it('holds nothing for a label joined to a window released before the recent ones', () => {
    const r = new JoinReplay(1_000_000);
    for (let serial = 1; serial <= LABEL_WINDOWS + 1; serial++) r.released(window(serial), first(100 + serial));
    // Window 1 is no longer recent, and not held either: its late label must not pin the commit.
    r.label({ outcome: 'joined', window: 'w1' }, 'late', KEY, 5);
    r.label({ outcome: 'joined', window: 'never-read' }, 'other', KEY, 6);
    expect(r.holds().get(KEY)?.offset).toBe(102);
    // A window read and not released yet holds its labels' records, then keeps them once released.
    r.opened('w99');
    r.label({ outcome: 'joined', window: 'w99' }, 'early', KEY, 7);
    expect(r.holds().get(KEY)?.offset).toBe(7);
    r.released(window(99), first(300));
    expect(r.holds().get(KEY)?.offset).toBe(7);
  });

  it('after a restore: names each part of a recent window once, and the labels read before the checkpoint', () => {
    const before = new JoinReplay(1_000_000);
    before.released(window(1), first(0));
    before.released(window(2), first(4));
    const checkpoint = { model: 'm', closedThrough: {}, releasedUntil: null, windowsClosed: 2, detectors: {}, ...before.checkpoint(new Map([[KEY, 9]])) };
    const r = new JoinReplay(1_000_000);
    r.restore(checkpoint);
    expect(r.holds().size).toBe(0);
    const part = { window: 'w2', partitionKey: 'events/0', firstOffset: 300, key: KEY, offset: 4 };
    expect(r.replayedPart(part)?.serial).toBe(2);
    expect(r.replayedPart({ ...part, offset: 7 })).toBeUndefined();
    expect(r.replayedPart({ ...part, window: 'w3' })).toBeUndefined();
    expect(r.holds().get(KEY)?.offset).toBe(4);
    expect([r.joinedBefore(KEY, 8), r.joinedBefore(KEY, 9)]).toEqual([true, false]);
    expect(r.endReplay()?.serial).toBe(2);
    expect([r.endReplay(), r.joinedBefore(KEY, 8), r.replayedPart({ ...part, firstOffset: 0 })]).toEqual([undefined, false, undefined]);
  });

  it('keeps no recent window when told to keep none: only the labels of windows not released yet hold their records', () => {
    const r = new JoinReplay(1_000_000, 0);
    r.opened('w1');
    r.label({ outcome: 'joined', window: 'w1' }, 'e1', KEY, 3);
    r.label({ outcome: 'waiting' }, 'e2', KEY, 4);
    expect(r.holds().get(KEY)?.offset).toBe(3);
    r.released(window(1), first(0));
    expect([r.holds().size, r.checkpoint(new Map()).labelWindows]).toEqual([0, undefined]);
  });
});
