/** The machine a benchmark ran on, for the JSON line and docs/benchmarks.md. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  date: string;
  /** The checked-out commit, and how many tracked files differed from it (others may be editing). */
  git: { commit: string; modifiedFiles: number } | null;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: new Date().toISOString(),
    git: gitState(),
  };
}

function gitState(): MachineInfo['git'] {
  try {
    const run = (args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const commit = run(['rev-parse', '--short', 'HEAD']).trim();
    const modifiedFiles = run(['status', '--porcelain', '--untracked-files=no']).split('\n').filter((l) => l.trim() !== '').length;
    return { commit, modifiedFiles };
  } catch {
    return null;
  }
}

export const rssMiB = (): number => Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;

/** Samples RSS on a timer; `peak(label)` is the largest RSS seen while that label was current. */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private label = 'setup';
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  phase(label: string): void {
    this.sample();
    this.label = label;
    this.sample();
  }

  sample(): void {
    const rss = rssMiB();
    this.peaks.set(this.label, Math.max(this.peaks.get(this.label) ?? 0, rss));
  }

  peak(label?: string): number {
    this.sample();
    if (label !== undefined) return this.peaks.get(label) ?? Number.NaN;
    return Math.max(...this.peaks.values());
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
