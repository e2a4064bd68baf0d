/**
 * Calls mirrored from the aggregator thread to the main thread: each call runs on the thread's own
 * object and is replayed, in order, on the main thread's object of the same name, nested fields
 * included (`metrics.m.counter.inc(...)`).
 */
import { batchedPoster, mirror, replayCall, type MirroredCall } from '../../../src/service/thread-mirror.js';

class Tally {
  total = 0;
  readonly byName = { inner: { seen: [] as string[], note(name: string) { this.seen.push(name); } } };
  add(n: number): number {
    this.total += n;
    return this.total;
  }
}

describe('thread mirror', () => {
  it('runs each call on the own object, returns its result, and replays the calls in order on the other', () => {
    const calls: MirroredCall[] = [];
    const own = new Tally();
    const mirrored = mirror(own, (c) => calls.push(structuredClone(c)), ['tally']);
    expect(mirrored.add(2)).toBe(2);
    mirrored.byName.inner.note('a');
    expect(mirrored.add(3)).toBe(5);
    // Reading a field mirrors nothing.
    expect(mirrored.total).toBe(5);
    expect(calls.map((c) => c.path.join('.'))).toEqual(['tally.add', 'tally.byName.inner.note', 'tally.add']);

    const other = new Tally();
    for (const call of calls) replayCall({ tally: other }, call);
    expect(other.total).toBe(5);
    expect(other.byName.inner.seen).toEqual(['a']);
    expect(own.byName.inner.seen).toEqual(['a']);
  });

  it('refuses a call it cannot follow, naming it', () => {
    expect(() => replayCall({ tally: new Tally() }, { path: ['tally', 'missing', 'inc'], args: [] })).toThrow(/tally\.missing\.inc/);
    expect(() => replayCall({}, { path: ['metrics', 'inc'], args: [] })).toThrow(/metrics\.inc/);
  });

  it('posts the calls of one turn of the event loop as one batch, in order', async () => {
    const batches: MirroredCall[][] = [];
    const post = batchedPoster((calls) => batches.push(calls));
    for (let i = 0; i < 3; i++) post({ path: ['x', 'f'], args: [i] });
    await new Promise((resolve) => setImmediate(resolve));
    post({ path: ['x', 'f'], args: [3] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches.map((b) => b.map((c) => c.args[0]))).toEqual([[0, 1, 2], [3]]);
  });
});
