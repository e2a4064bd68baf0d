/** The scale benchmark's CPU per event per thread, read from /proc. */
import { cpuPerEvent, threadTicks } from '../../../bench/thread-cpu.js';

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('CPU per event per thread', () => {
  it('splits the ticks between two readings into the main thread, the busiest other one and the rest, per event', () => {
    const before = new Map([['7', 100], ['8', 50], ['9', 10], ['10', 0]]);
    const after = new Map([['7', 300], ['8', 450], ['9', 30], ['10', 20], ['11', 5]]);
    // 1,000 events; a tick is 10 ms: main 200 ticks = 2,000 µs/event, busiest other 400 ticks, the rest 20 + 20 + 5.
    expect(cpuPerEvent(7, before, after, 1000)).toEqual({ main: 2000, busiestOther: 4000, rest: 450, total: 6450 });
    expect(cpuPerEvent(7, before, new Map(), 1000)).toBeUndefined();
  });

  onLinux('reads this process\'s main thread, whose ticks grow with the CPU it spends', () => {
    const before = threadTicks(process.pid);
    expect(before.has(String(process.pid))).toBe(true);
    const start = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(start).user < 300_000) x += Math.sqrt(x + 1);
    const after = threadTicks(process.pid);
    expect(x).toBeGreaterThan(0);
    // 300 ms of the process's user time, nearly all of it this loop's (it allocates nothing): most of 30 ticks.
    expect((after.get(String(process.pid)) ?? 0) - (before.get(String(process.pid)) ?? 0)).toBeGreaterThanOrEqual(20);
  });
});
