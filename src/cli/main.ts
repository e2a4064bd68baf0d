#!/usr/bin/env node
/** The shiftwatch command line: serve, fit, demo, kafka. */
import { ShiftwatchError } from '../core/errors.js';
import { FIT_USAGE, runFit, UsageError } from './fit-command.js';
import { runServe, SERVE_USAGE } from './serve-command.js';
import { VERSION } from '../version.js';

const USAGE = `shiftwatch ${VERSION}: a streaming monitor for distribution shift in ML traffic

usage: shiftwatch <command> [options]

  serve [--config <file>]   run the monitor (config also from SHIFTWATCH_CONFIG and SHIFTWATCH__* variables)
  fit --input ... --model ... --out ...
                            build a reference bundle from reference data
  replay --config ... --input ... --out ...
                            the monitor's pipeline in batch over a file: windows, alerts, backtest summary
  demo                      start a local Kafka, fit a classifier's reference, stream scripted
                            shifts with delayed labels, report per phase (about half a minute)
  kafka [--port <n>] [--data-dir <dir>]
                            run a local single-node Kafka broker for development until Ctrl-C
  version                   print the version

\`shiftwatch <command> --help\` describes a command's options.`;

const DEMO_USAGE = `shiftwatch demo

Starts a local Kafka broker, fits a classifier's reference bundle (with a density flow) on
synthetic data, runs the monitor, streams scripted shifts with delayed labels and prints each
alert, a table per phase and a verdict; exits 0 when the story comes out as scripted. SHIFTWATCH_DEMO_PORT sets its HTTP port (default 9464). Leaves nothing
running.`;

const VERSION_USAGE = `shiftwatch version

Prints the version.`;

/** Each command's usage, printed by \`shiftwatch <command> --help\` before the command does anything. */
const COMMAND_USAGE: Record<string, () => Promise<string>> = {
  serve: async () => SERVE_USAGE,
  fit: async () => FIT_USAGE,
  replay: async () => (await import('./replay-command.js')).REPLAY_USAGE,
  demo: async () => DEMO_USAGE,
  kafka: async () => (await import('../infra/local-kafka-cli.js')).KAFKA_USAGE,
  version: async () => VERSION_USAGE,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const usage = command === undefined ? undefined : COMMAND_USAGE[command];
  if (usage !== undefined && (rest.includes('--help') || rest.includes('-h'))) return print(await usage());
  switch (command) {
    case 'serve':
      await runServe(rest);
      return 0;
    case 'fit':
      await runFit(rest);
      return 0;
    case 'replay': {
      const { runReplay } = await import('./replay-command.js');
      await runReplay(rest);
      return 0;
    }
    case 'demo': {
      if (rest.length > 0) throw new UsageError(`demo takes no arguments, got ${rest.join(' ')}\n\n${DEMO_USAGE}`);
      const { runDemo } = await import('../demo/demo-command.js');
      const port = process.env.SHIFTWATCH_DEMO_PORT;
      return (await runDemo(port ? { httpPort: Number(port) } : {})) ? 0 : 1;
    }
    case 'kafka': {
      const { runLocalKafkaCommand } = await import('../infra/local-kafka-cli.js');
      await runLocalKafkaCommand(rest);
      return 0;
    }
    case 'version':
      return print(VERSION);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return print(USAGE);
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/**
 * node:util parseArgs rejects an unknown option, a missing option value or a stray argument with a
 * TypeError coded ERR_PARSE_ARGS_*: a usage mistake like any other, not an unexpected error.
 */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isParseArgsError(error)) {
      const command = process.argv[2];
      const usage = command === 'fit' ? FIT_USAGE : command === 'serve' ? SERVE_USAGE : USAGE;
      process.stderr.write(`shiftwatch: ${error.message}\n\n${usage}\n`);
      process.exit(2);
    }
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof ShiftwatchError) process.stderr.write(`shiftwatch: ${error.message}\n`);
    else process.stderr.write(`shiftwatch: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
