/**
 * CPU time per thread of a running process, from /proc (Linux): what one event costs each thread of
 * a replica. User plus system time, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MICROS = 10_000;

/** Per thread id, its CPU ticks so far; empty where /proc cannot be read. */
export function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(tid, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    // Not Linux, or the process is gone: no figures.
  }
  return ticks;
}

/** CPU microseconds per event between two readings: the main thread, the busiest other thread, the rest. */
export interface ThreadCpu {
  main: number;
  busiestOther: number;
  rest: number;
  total: number;
}

export function cpuPerEvent(pid: number, before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, events: number): ThreadCpu | undefined {
  if (after.size === 0 || events <= 0) return undefined;
  const per = (tid: string) => (((after.get(tid) ?? 0) - (before.get(tid) ?? 0)) * TICK_MICROS) / events;
  const main = per(String(pid));
  const others = [...after.keys()].filter((tid) => tid !== String(pid)).map(per).sort((a, b) => b - a);
  const busiestOther = others[0] ?? 0;
  const rest = others.slice(1).reduce((a, b) => a + b, 0);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { main: r(main), busiestOther: r(busiestOther), rest: r(rest), total: r(main + busiestOther + rest) };
}
