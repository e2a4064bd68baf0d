/**
 * End to end: `shiftwatch serve` with a bad configuration must stop at startup, before it needs a
 * broker: exit code 1 within a few seconds, with a message naming the key and the fix. Each bad
 * config differs from a good one in one place; the good one is shown to get past validation (it
 * loads its bundle and only then goes looking for the broker, which the test does not provide).
 * Also the small commands: `version` and an unknown command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticRows, toCsv } from '../support/synthetic.js';
import { REPO_ROOT, assertBuilt, runCli, scratchDir, startCli, type CliResult } from './cli-process.js';

/** "Within a few seconds": a config error must not wait on Kafka or anything else. */
const STARTUP_LIMIT_MS = 10_000;

const tmp = scratchDir('cli-serve');

/** A valid config: nothing listens on 127.0.0.1:1, so a run that passes validation never gets further than connecting. */
function configYaml(edit: { window?: string; bundle?: string; extra?: string } = {}): string {
  return [
    'kafka:',
    '  brokers: [127.0.0.1:1]',
    '  connectionTimeoutMs: 500',
    'http:',
    '  host: 127.0.0.1',
    '  port: 0',
    'models:',
    '  - name: fraud-v3',
    `    bundle: ${edit.bundle ?? 'bundles/fraud-v3'}`,
    `${edit.window ?? 'window'}:`,
    '  size: 500',
    '  minEvents: 100',
    edit.extra ?? '',
  ].join('\n');
}

beforeAll(async () => {
  assertBuilt();
  const input = tmp.write('ref.csv', toCsv(syntheticRows(1200, 5)));
  const fit = await runCli(['fit', '--input', input, '--model', 'fraud-v3', '--out', tmp.path('bundles/fraud-v3'), '--window-size', '500', '--replicates', '50']);
  if (fit.code !== 0) throw new Error(`fitting the test bundle failed (exit ${fit.code}):\n${fit.stderr}`);
  tmp.write('good.yaml', configYaml());
});
afterAll(() => tmp.cleanup());

/** The `shiftwatch: ...` error line(s) and the exit, asserted to be a quick exit 1 without a stack trace. */
function expectStartupFailure(result: CliResult): string {
  // The whole of stderr when there is no `shiftwatch: ` line, so a failure shows what was printed instead.
  const message = result.stderr.split('\n').filter((l) => l.startsWith('shiftwatch: ')).join('\n') || result.stderr;
  expect({ code: result.code, signal: result.signal, message }).toEqual({ code: 1, signal: null, message: expect.stringContaining('. Fix: ') });
  expect(result.ms).toBeLessThan(STARTUP_LIMIT_MS);
  expect(result.stderr).not.toContain('unexpected error');
  expect(result.stderr).not.toMatch(/^\s+at /m);
  // It stopped before loading models or reaching for Kafka.
  expect(result.stderr).not.toContain('loaded 1 model');
  expect(result.stderr).not.toContain('kafkajs');
  return message;
}

function serve(config: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['serve', '--config', config], { env, timeoutMs: 30_000 });
}

describe('shiftwatch serve: a bad configuration stops it at startup with the key and the fix', () => {
  it('the good config passes validation and loads its bundle (so the failures below come from the one bad key)', async () => {
    const running = startCli(['serve', '--config', tmp.path('good.yaml')]);
    try {
      const line = await running.waitForStderr(/loaded 1 model\(s\)/, 30_000);
      expect(line).toContain('fraud-v3 (8 features)');
    } finally {
      await running.stop('SIGKILL');
    }
  });

  it('an unknown key, with its did-you-mean', async () => {
    const message = expectStartupFailure(await serve(tmp.write('unknown-key.yaml', configYaml({ window: 'windwo' }))));
    expect(message).toBe('shiftwatch: config windwo: unknown key. Fix: did you mean `window`? Rename it, or remove it');
  });

  it('an unknown key deeper down, with the known keys when nothing is close', async () => {
    const message = expectStartupFailure(await serve(tmp.write('unknown-deep.yaml', configYaml({ extra: 'alerts:\n  pagerduty: true' }))));
    expect(message).toContain('config alerts.pagerduty: unknown key');
    expect(message).toContain('Fix: remove it; the known keys under alerts are: cooldownWindows, publishRetries, initialBackoffMs, maxBackoffMs, publishTimeoutMs');
  });

  it('a bad value: a negative window size', async () => {
    const yaml = configYaml().replace('  size: 500', '  size: -500');
    const message = expectStartupFailure(await serve(tmp.write('negative-size.yaml', yaml)));
    expect(message).toContain('config window.size: must be an integer at least 1, got -500');
    expect(message).toContain('Fix: set window.size to an integer at least 1, e.g. 1000');
  });

  it('a config file that does not exist', async () => {
    const missing = tmp.path('no-such-dir/shiftwatch.yaml');
    const message = expectStartupFailure(await serve(missing));
    expect(message).toContain(`config file ${missing} does not exist`);
    expect(message).toContain('Fix: check the path');
  });

  it('no config at all names SHIFTWATCH_CONFIG', async () => {
    const message = expectStartupFailure(await runCli(['serve'], { timeoutMs: 30_000 }));
    expect(message).toContain('config SHIFTWATCH_CONFIG: no configuration file was given');
    expect(message).toContain('Fix: set SHIFTWATCH_CONFIG to the path of a YAML config file');
  });

  it('SHIFTWATCH_CONFIG naming the config works like --config', async () => {
    const message = expectStartupFailure(await runCli(['serve'], { env: { SHIFTWATCH_CONFIG: tmp.write('env-named.yaml', configYaml({ window: 'windwo' })) }, timeoutMs: 30_000 }));
    expect(message).toContain('config windwo: unknown key');
  });

  it('a bundle path that does not exist (models[0].bundle)', async () => {
    const message = expectStartupFailure(await serve(tmp.write('no-bundle.yaml', configYaml({ bundle: 'bundles/fraud-v2' }))));
    expect(message).toContain('config models[0].bundle:');
    expect(message).toContain(join(tmp.dir, 'bundles/fraud-v2/bundle.json')); // resolved against the config file's directory
    expect(message).toContain('Fix: point it at a directory written by this version\'s `shiftwatch fit` (refit older bundles)');
  });

  it('an env override that is not a number: SHIFTWATCH__WINDOW__SIZE=abc', async () => {
    const message = expectStartupFailure(await serve(tmp.path('good.yaml'), { SHIFTWATCH__WINDOW__SIZE: 'abc' }));
    expect(message).toBe('shiftwatch: config SHIFTWATCH__WINDOW__SIZE: must be a number, got "abc". Fix: set SHIFTWATCH__WINDOW__SIZE to a plain number such as 3000');
  });

  it('an env override naming no key gets a did-you-mean', async () => {
    const message = expectStartupFailure(await serve(tmp.path('good.yaml'), { SHIFTWATCH__WINDOW__SIEZ: '100' }));
    expect(message).toContain('config SHIFTWATCH__WINDOW__SIEZ: matches no configuration key');
    expect(message).toContain('did you mean `SHIFTWATCH__WINDOW__SIZE`?');
  });

  it('reports a missing password variable and a missing CA file together', async () => {
    const extra = ['kafka:', '  brokers: [127.0.0.1:1]', '  ssl: { caFile: certs/no-such-ca.pem }', '  sasl: { mechanism: plain, username: svc, passwordEnv: SHIFTWATCH_TEST_NO_SUCH_VAR }'].join('\n');
    const yaml = configYaml().replace('kafka:\n  brokers: [127.0.0.1:1]\n  connectionTimeoutMs: 500', extra);
    const result = await serve(tmp.write('two-secrets.yaml', yaml));
    expectStartupFailure(result);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringContaining(`config kafka.ssl.caFile: file ${join(tmp.dir, 'certs/no-such-ca.pem')} does not exist or is not a regular file. Fix:`),
      expect.stringContaining('config kafka.sasl.passwordEnv: environment variable SHIFTWATCH_TEST_NO_SUCH_VAR is not set. Fix:'),
    ]));
  });

  it('reports every problem at once, one line each', async () => {
    const yaml = configYaml({ window: 'windwo' }).replace('  port: 0', '  port: 70000');
    const result = await serve(tmp.write('three-problems.yaml', yaml), { SHIFTWATCH__WINDOW__SIZE: 'abc' });
    expectStartupFailure(result);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^shiftwatch: config /);
    for (const line of lines) expect(line).toMatch(/^(shiftwatch: )?config \S+: .+\. Fix: \S/);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringContaining('config http.port: must be an integer from 0 to 65535, got 70000. Fix:'),
      expect.stringContaining('config windwo: unknown key. Fix:'),
      expect.stringContaining('config SHIFTWATCH__WINDOW__SIZE: must be a number, got "abc". Fix:'),
    ]));
  });
});

describe('shiftwatch version and unknown commands', () => {
  it('`version` prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['version']);
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command exits 2 with the usage on stderr', async () => {
    const result = await runCli(['nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^unknown command "nope"\n/);
    expect(result.stderr).toContain('usage: shiftwatch <command> [options]');
    for (const command of ['serve', 'fit', 'demo', 'kafka', 'version']) expect(result.stderr).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('an unknown serve option exits 2 instead of crashing', async () => {
    const result = await runCli(['serve', '--confg', tmp.path('good.yaml')], { timeoutMs: 30_000 });
    expect({ code: result.code, unexpected: result.stderr.includes('unexpected error') }).toEqual({ code: 2, unexpected: false });
    expect(result.stderr).toContain("Unknown option '--confg'");
    expect(result.stderr).toContain('shiftwatch serve [--config <file>]');
  });
});
