/**
 * The command line's small promises: every command answers --help without doing its work (no
 * broker started, no fit), `fit` checks --out before reading anything, and `shiftwatch kafka`
 * given a port and a data dir comes back at the same address with its data after a restart.
 */
import { Kafka, logLevel } from 'kafkajs';
import { freePorts } from '../../src/infra/free-ports.js';
import { randomName } from '../support/kafka-env.js';
import { assertBuilt, runCli, scratchDir, startCli } from './cli-process.js';

const tmp = scratchDir('cli-commands');
beforeAll(() => assertBuilt());
afterAll(() => tmp.cleanup());

describe('--help', () => {
  it.each(['serve', 'fit', 'replay', 'demo', 'kafka', 'version'])('`shiftwatch %s --help` prints its usage and does nothing else', async (command) => {
    const result = await runCli([command, '--help'], { timeoutMs: 10_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^shiftwatch ${command}\\b`));
    expect(result.stdout).not.toMatch(/^KAFKA_BROKERS=127\.0\.0\.1:\d+$/m); // what a started broker prints
    expect(result.ms).toBeLessThan(5000);
  });
});

describe('fit --out', () => {
  it('refuses an --out that is a file before reading the input', async () => {
    const file = tmp.write('not-a-dir', 'x');
    const result = await runCli(['fit', '--input', tmp.path('no-such-input.csv'), '--model', 'm', '--out', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`fit --out ${file}: ${file} is a file, not a directory. Fix: give --out a directory this user may write (it is created if missing)\n`);
  });

  it('refuses an --out below a file', async () => {
    const file = tmp.write('a-file', 'x');
    const result = await runCli(['fit', '--input', tmp.path('no-such-input.csv'), '--model', 'm', '--out', `${file}/bundle`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} is a file, so ${file}/bundle cannot be created`);
  });

  it('accepts a new directory under a writable one (the input is read next, and is missing here)', async () => {
    const result = await runCli(['fit', '--input', tmp.path('no-such-input.csv'), '--model', 'm', '--out', tmp.path('new/bundle')]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('--out');
    expect(result.stderr).toContain('no-such-input.csv');
  });
});

describe('shiftwatch kafka --port --data-dir', () => {
  it('comes back at the same address with its topics after a restart', async () => {
    const [port] = await freePorts(1);
    const args = ['kafka', '--port', String(port), '--data-dir', tmp.path('kafka-data'), '--heap-mb', '256'];
    const topic = randomName('kept');
    const first = startCli(args);
    try {
      expect(await first.waitForStderr(/Kafka broker ready on/, 90_000)).toContain(`127.0.0.1:${port}`);
      const kafka = new Kafka({ clientId: randomName('restart'), brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic }] });
      await admin.disconnect();
    } finally {
      const stopped = await first.stop('SIGINT', 30_000);
      expect(stopped.stdout).toBe(`KAFKA_BROKERS=127.0.0.1:${port}\n`);
    }
    const second = startCli(args);
    try {
      await second.waitForStderr(/Kafka broker ready on/, 90_000);
      const admin = new Kafka({ clientId: randomName('restart'), brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).toContain(topic);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await second.stop('SIGINT', 30_000);
    }
  });
});
