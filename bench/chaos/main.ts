/**
 * `npm run chaos -- <scenario> [flags]`: runs one fault scenario against a real broker and real
 * `shiftwatch serve` processes. Progress goes to stderr; the last line on stdout is the scenario's
 * JSON line. Exit 0 when it meets its targets, 1 when it misses one (said on stderr), 2 on a usage error.
 */
import { parseFlags, UsageError } from '../args.js';
import { SCENARIOS } from './scenarios.js';

function usage(): string {
  const lines = [...SCENARIOS.values()].map((s) => `  ${s.name.padEnd(8)} ${s.help}`);
  return `usage: npm run chaos -- <scenario> [flags]\nscenarios:\n${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  const scenario = name === undefined ? undefined : SCENARIOS.get(name);
  if (scenario === undefined) {
    process.stderr.write(`${name === undefined ? 'no scenario given' : `unknown scenario "${name}"`}\n${usage()}`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[chaos ${scenario.name}] ${line}\n`);
  try {
    const result = await scenario.run(parseFlags(rest, scenario.flags), log);
    if (result.details !== undefined) log(`details ${JSON.stringify(result.details)}`);
    for (const m of result.missed) log(`target missed: ${m}`);
    process.stdout.write(`${JSON.stringify(result.line)}\n`);
    return result.missed.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage()}`);
      return 2;
    }
    process.stderr.write(`chaos ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
