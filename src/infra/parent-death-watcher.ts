/**
 * Nothing we start may outlive us. A normal exit runs process 'exit' handlers, but a process killed
 * by a signal (SIGKILL, an OOM kill, a crash) runs none. For that case a tiny helper process holds
 * a pipe from us: when the pipe closes (we are gone, however we died) it stops the JVM (TERM, then
 * KILL after 10 s) and removes the data dir we owned. Call cancel() once the JVM has exited, so
 * the helper never signals a pid the system has since given to another process.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

const WATCHER_SCRIPT = `
const javaPid = Number(process.argv[1]);
const ownedDir = process.argv[2];
const alive = () => { try { process.kill(javaPid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const stopJava = () => {
  try { process.kill(javaPid, 'SIGTERM'); } catch {}
  const killAt = Date.now() + 10000;
  setInterval(() => {
    if (alive()) {
      if (Date.now() < killAt) return;
      try { process.kill(javaPid, 'SIGKILL'); } catch {}
    }
    if (ownedDir) { try { require('node:fs').rmSync(ownedDir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 200);
};
process.stdin.on('end', stopJava).on('error', stopJava).resume();`;

export function watchForParentDeath(javaPid: number, ownedDataDir: string | undefined): { cancel(): void } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // e.g. jest's --experimental-vm-modules
  const watcher = spawn(process.execPath, ['-e', WATCHER_SCRIPT, String(javaPid), ownedDataDir ?? ''], { stdio: ['pipe', 'ignore', 'ignore'], env });
  watcher.on('error', () => {}); // no watcher: only the 'exit' handler protects us, as before it existed
  watcher.stdin!.on('error', () => {});
  // Neither the helper nor the pipe to it may keep this process alive.
  watcher.unref();
  (watcher.stdin as Socket).unref();
  return { cancel: () => void watcher.kill() };
}
