/**
 * The built service (`node dist/cli/main.js serve --config FILE`) as a child process, as an
 * operator runs it; killed with this process (exit handler, and the parent-death watcher when
 * this process is killed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../src/demo/wait.js';
import { repoRoot } from '../../src/infra/kafka-paths.js';
import { watchForParentDeath } from '../../src/infra/parent-death-watcher.js';

export interface ServiceChild {
  url: string;
  pid: number;
  /** Everything it printed so far. */
  output(): string;
  /** How it exited (code or signal), or undefined while it runs. */
  exitStatus(): number | string | undefined;
  /** SIGTERM (a clean stop), SIGKILL after 15 s; resolves with the exit code or signal. Idempotent. */
  stop(): Promise<number | string>;
}

/** A service child that may not be ready yet. */
export interface SpawnedService extends ServiceChild {
  /** Resolves once /ready answers 200; rejects (after stopping it) when it exits first or the timeout passes. */
  waitReady(timeoutMs: number): Promise<void>;
  /** Sends `signal` at once (SIGKILL: a crash); resolves with how it exited. */
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export async function startServiceChild(configFile: string, port: number, readyTimeoutMs = 60_000): Promise<ServiceChild> {
  const service = spawnServiceChild(configFile, port);
  await service.waitReady(readyTimeoutMs);
  return service;
}

/** Starts the service without waiting for it. */
export function spawnServiceChild(configFile: string, port: number): SpawnedService {
  const main = join(repoRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not the service's business
  const child = spawn(process.execPath, [main, 'serve', '--config', configFile], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString('utf8')).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let gone: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))).then((how) => (gone = how));
  const watcher = child.pid === undefined ? undefined : watchForParentDeath(child.pid, undefined);
  void exited.then(() => watcher?.cancel());
  const onExit = (): void => {
    watcher?.cancel();
    if (gone === undefined) child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  let stopping: Promise<number | string> | undefined;
  const stop = (): Promise<number | string> => {
    stopping ??= (async () => {
      if (gone === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', onExit);
      return exited;
    })();
    return stopping;
  };

  const url = `http://127.0.0.1:${port}`;
  const waitReady = async (timeoutMs: number): Promise<void> => {
    try {
      await waitFor(async () => {
        if (gone !== undefined) throw new Error(`the service exited during start-up (${gone}):\n${log}`);
        return fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
      }, timeoutMs, 'the service to become ready', 100);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  const kill = async (signal: NodeJS.Signals): Promise<number | string> => {
    if (gone === undefined) child.kill(signal);
    const how = await exited;
    process.removeListener('exit', onExit);
    return how;
  };
  return { url, pid: child.pid!, output: () => log, exitStatus: () => gone, stop, waitReady, kill };
}
