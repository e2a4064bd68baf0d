/**
 * Runs the BUILT command line (`node dist/cli/main.js ...`) as a real child process, from the
 * repository root, and collects its exit status and output. Every run has a deadline: a CLI that
 * hangs is killed and the test fails with what it printed so far. No fixed sleeps anywhere: the
 * helpers resolve on the child's exit, or on a line it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface RunOptions {
  /** Added to the child's environment (which is this process's, minus SHIFTWATCH_* and NODE_OPTIONS). */
  env?: Record<string, string>;
  /** Kill the child and fail after this long; default 60 s. */
  timeoutMs?: number;
}

/** Fails early, with the fix, when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
}

/**
 * The child's environment: this one without SHIFTWATCH_* variables (a developer's
 * SHIFTWATCH_CONFIG or SHIFTWATCH__... override must not leak into a test) and without jest's
 * NODE_OPTIONS (--experimental-vm-modules), plus `extra`.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('SHIFTWATCH') || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

function spawnCli(args: readonly string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `shiftwatch <args>` to completion. Rejects (after killing it) if it outlives the timeout. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`shiftwatch ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    // 'close' (not 'exit') so that all of stdout and stderr has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface RunningCli {
  /** Resolves with the first stderr line matching `pattern`; rejects if the child exits first or the timeout passes. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and resolves with the result once the child has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<CliResult>;
}

/** Starts a long-running `shiftwatch <args>` (e.g. `serve`) that the test stops itself. */
export function startCli(args: readonly string[], options: RunOptions = {}): RunningCli {
  const started = Date.now();
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });
  const closed = new Promise<CliResult>((done) => {
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr, ms: Date.now() - started }));
    child.once('error', (error) => done({ code: null, signal: null, stdout, stderr: `${stderr}\n${error.message}`, ms: Date.now() - started }));
  });
  let exited = false;
  void closed.then(() => {
    exited = true;
    notify();
  });

  return {
    waitForStderr(pattern, timeoutMs) {
      return new Promise((done, fail) => {
        const check = (): void => {
          const line = stderr.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) finish(() => done(line));
          else if (exited) finish(() => fail(new Error(`shiftwatch ${args.join(' ')} exited (code ${child.exitCode}) before printing ${pattern}\nstderr:\n${stderr}`)));
        };
        const timer = setTimeout(() => finish(() => fail(new Error(`no ${pattern} on stderr within ${timeoutMs} ms\nstderr:\n${stderr}`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (!exited) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, fail) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          fail(new Error(`shiftwatch ${args.join(' ')} did not exit within ${timeoutMs} ms of ${signal}\nstderr:\n${stderr}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([closed, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A scratch directory under os.tmpdir(); call `cleanup` in afterAll. */
export function scratchDir(prefix: string): { dir: string; path(name: string): string; write(name: string, content: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `shiftwatch-${prefix}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
