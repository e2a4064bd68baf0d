/** The scale benchmark's CPU per event per thread, read from /proc. */
import { spawn } from 'node:child_process';
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

  onLinux('reads the threads of another process: its main thread\'s ticks grow with the CPU it spends', async () => {
    // A fresh process, not this one: jest runs suites in band, so this process's other threads (left by earlier
    // suites) may be busy at any moment. The child spins for 300 ms of its own user time, says so, and waits.
    const spin = 'const s = process.cpuUsage(); let x = 0; while (process.cpuUsage(s).user < 300000) x += Math.sqrt(x + 1); process.stdout.write("spun " + (x > 0)); process.stdin.resume();';
    const child = spawn(process.execPath, ['-e', spin], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const said = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`the child exited with ${code} before spinning`)));
      });
      expect(said).toBe('spun true');
      const ticks = threadTicks(child.pid!);
      expect(ticks.has(String(child.pid))).toBe(true);
      // 300 ms of user time after start-up, nearly all of it the main thread's loop (it allocates nothing): most of 30 ticks.
      expect(ticks.get(String(child.pid))).toBeGreaterThanOrEqual(20);
      // Its helper threads (V8's platform workers) did far less.
      const others = [...ticks].filter(([tid]) => tid !== String(child.pid)).map(([, n]) => n);
      expect(Math.max(0, ...others)).toBeLessThan(ticks.get(String(child.pid))!);
    } finally {
      child.kill();
    }
  });
});
