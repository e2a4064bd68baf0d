/**
 * The lifecycle every local service process shares (the Kafka broker JVM, Prometheus): its exit as
 * a promise, a watcher that kills it (and removes its data dir) if this process is killed, a hook
 * that kills it when this process exits, and a graceful stop (SIGTERM, then SIGKILL after a grace
 * period) that also removes an owned data dir.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { watchForParentDeath } from './parent-death-watcher.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn error, when the process could not start. */
  error?: Error;
}

export interface SupervisedChild {
  exited: Promise<ChildExit>;
  /** How it exited, once it has. */
  exit(): ChildExit | undefined;
  /** Ends the process (no-op if it has exited) without touching the data dir. */
  kill(): Promise<void>;
  /** Ends the process, then removes the data dir if it is owned. Idempotent. */
  stop(): Promise<void>;
}

export function superviseChild(child: ChildProcess, options: { dataDir: string; ownsDataDir: boolean; graceMs: number }): SupervisedChild {
  const { dataDir, ownsDataDir, graceMs } = options;
  let exitState: ChildExit | undefined;
  const exited = new Promise<ChildExit>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => done({ code: null, signal: null, error }));
  }).then((state) => (exitState = state));

  const watcher = child.pid === undefined ? undefined : watchForParentDeath(child.pid, ownsDataDir ? dataDir : undefined);
  void exited.then(() => watcher?.cancel());
  const onExit = (): void => {
    watcher?.cancel();
    if (!exitState) child.kill('SIGKILL');
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', onExit);

  const kill = async (): Promise<void> => {
    if (!exitState) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', onExit);
  };
  let stopping: Promise<void> | undefined;
  return {
    exited,
    exit: () => exitState,
    kill,
    stop: () => {
      stopping ??= kill().then(() => (ownsDataDir ? rm(dataDir, { recursive: true, force: true, maxRetries: 3 }) : undefined));
      return stopping;
    },
  };
}
