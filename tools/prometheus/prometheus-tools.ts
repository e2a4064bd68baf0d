/**
 * The Prometheus binaries from Debian's `prometheus` package (2.42): where they are, installing
 * them with apt-get when they are missing, and `promtool check metrics` on an exposition text.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runCommand, withOutput } from '../../src/infra/run-command.js';

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
}

export const PROMETHEUS_HINT = 'install Debian\'s prometheus package (`apt-get install -y prometheus`, which scripts/setup does)';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, then in /usr/bin and /usr/local/bin. */
function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Both binaries, or undefined when either is missing. */
export function findPrometheusTools(): PrometheusTools | undefined {
  const prometheus = which('prometheus');
  const promtool = which('promtool');
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

/**
 * The binaries, installing Debian's package first when they are missing and `install` is set
 * (as root, or through `sudo -n` otherwise). The package's own system service, if the install
 * starts one, is never used: callers start their own instance on a free port.
 */
export async function ensurePrometheusTools(options: { install?: boolean; log?: (line: string) => void } = {}): Promise<PrometheusTools> {
  const found = findPrometheusTools();
  if (found) return found;
  if (!options.install) throw new Error(`prometheus/promtool not found on PATH or in /usr/bin: ${PROMETHEUS_HINT}`);
  const log = options.log ?? ((): void => {});
  const root = process.getuid?.() === 0;
  log(`prometheus is missing: installing Debian's prometheus package with ${root ? 'apt-get' : 'sudo apt-get'}`);
  const prefix = [...(root ? [] : ['sudo', '-n']), 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'prometheus']]) {
    const argv = [...prefix, ...args];
    const result = await runCommand(argv[0]!, argv.slice(1), { timeoutMs: 600_000 });
    if (result.code !== 0) {
      const why = result.error ? result.error.message : `exit code ${result.code}`;
      throw new Error(`\`${argv.join(' ')}\` failed (${why}): ${PROMETHEUS_HINT}${withOutput(result.output)}`);
    }
  }
  const installed = findPrometheusTools();
  if (!installed) throw new Error(`the prometheus package installed, but prometheus/promtool are still not on PATH or in /usr/bin`);
  log(`installed ${installed.prometheus} and ${installed.promtool}`);
  return installed;
}

export interface MetricsCheck {
  /** promtool found nothing to complain about (exit code 0). */
  ok: boolean;
  code: number | null;
  /** What promtool printed: one problem per line when not ok. */
  output: string;
}

/** `promtool check metrics` with the exposition text on its standard input (its lint rules for names, units, help and types). */
export function checkMetrics(exposition: string, promtool: string = findPrometheusTools()?.promtool ?? 'promtool'): Promise<MetricsCheck> {
  return new Promise((done, fail) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.once('error', (error) => fail(new Error(`cannot run ${promtool}: ${error.message}; ${PROMETHEUS_HINT}`)));
    child.once('close', (code) => done({ ok: code === 0, code, output: output.trim() }));
    child.stdin.on('error', () => {}); // promtool exiting early is reported through its exit code
    child.stdin.end(exposition);
  });
}
