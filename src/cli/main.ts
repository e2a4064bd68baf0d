#!/usr/bin/env node
/** The shiftwatch command line: serve, fit, demo, kafka. */
import { ShiftwatchError } from '../core/errors.js';
import { FIT_USAGE, runFit, UsageError } from './fit-command.js';
import { runServe } from './serve-command.js';
import { VERSION } from '../version.js';

const USAGE = `shiftwatch ${VERSION}: a streaming monitor for distribution shift in ML traffic

usage: shiftwatch <command> [options]

  serve [--config <file>]   run the monitor (config also from SHIFTWATCH_CONFIG and SHIFTWATCH__* variables)
  fit --input ... --model ... --out ...
                            build a reference bundle from reference data (see \`shiftwatch fit --help\`)
  replay --config ... --input ... --out ...
                            the monitor's pipeline in batch over a file: windows, alerts, backtest
                            summary (see \`shiftwatch replay --help\`)
  demo                      start a local Kafka, fit, monitor a scripted stream and report (about a minute)
  kafka                     run a local single-node Kafka broker for development until Ctrl-C
  version                   print the version`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await runServe(rest);
      return 0;
    case 'fit':
      if (rest.includes('--help')) return print(FIT_USAGE);
      await runFit(rest);
      return 0;
    case 'replay': {
      const { REPLAY_USAGE, runReplay } = await import('./replay-command.js');
      if (rest.includes('--help')) return print(REPLAY_USAGE);
      await runReplay(rest);
      return 0;
    }
    case 'demo': {
      const { runDemo } = await import('../demo/demo-command.js');
      const port = process.env.SHIFTWATCH_DEMO_PORT;
      return (await runDemo(port ? { httpPort: Number(port) } : {})) ? 0 : 1;
    }
    case 'kafka': {
      const { runLocalKafkaCommand } = await import('../infra/local-kafka-cli.js');
      await runLocalKafkaCommand();
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
      process.stderr.write(`shiftwatch: ${error.message}\n\n${process.argv[2] === 'fit' ? FIT_USAGE : USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof ShiftwatchError) process.stderr.write(`shiftwatch: ${error.message}\n`);
    else process.stderr.write(`shiftwatch: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
