/** Runs a short-lived tool (Maven, Kafka's StorageTool) to completion, keeping the end of its output for error messages. */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
  /** Set when the command could not be started at all (e.g. not installed). */
  error?: Error;
}

export function runCommand(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((done) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: null, output, error });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** The last `lines` non-blank lines of `text`, without ANSI colour codes (Maven -q still prints resets). */
export function tail(text: string, lines: number): string {
  const clean = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').filter((line) => line.trim() !== '');
  return clean.slice(-lines).join('\n');
}

/** The end of a command's output, on its own lines, for appending to an error message. */
export function withOutput(output: string): string {
  const lines = tail(output, 40);
  return lines ? `\n${lines}` : '';
}
