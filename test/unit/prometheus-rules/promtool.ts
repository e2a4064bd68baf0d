/**
 * Runs Prometheus's promtool. CI installs it (scripts/setup adds the Debian package `prometheus`
 * when `promtool` is missing), so a missing promtool fails the test with what to do about it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function promtool(args: readonly string[], cwd = REPO_ROOT): { status: number; output: string } {
  const run = spawnSync(process.env.PROMTOOL ?? 'promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not installed: run scripts/setup (it installs the Debian package `prometheus`), or set PROMTOOL to its path');
  }
  if (run.error) throw run.error;
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
