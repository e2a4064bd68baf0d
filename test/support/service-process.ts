/** Runs the built CLI (`node dist/cli/main.js serve`) as a child process, as an operator would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { ShiftwatchConfig } from '../../src/config/index.js';
import { waitFor } from '../../src/demo/wait.js';

export interface ServiceProcess {
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startServiceProcess(config: ShiftwatchConfig, configPath: string): Promise<ServiceProcess> {
  const port = await freePort();
  await writeFile(configPath, stringify({ ...config, http: { host: '127.0.0.1', port }, logLevel: 'info' }));
  const child: ChildProcess = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(async () => {
    if (gone) throw new Error(`the service exited during startup:\n${log}`);
    return fetch(`${url}/ready`).then((r) => r.ok, () => false);
  }, 60_000, 'the service to become ready');
  return {
    url,
    output: () => log,
    exited,
    kill: async (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}
