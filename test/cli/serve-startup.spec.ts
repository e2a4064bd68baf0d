/**
 * `shiftwatch serve` at startup, as an operator sees it: HTTP answers first (liveness at once,
 * readiness 503 with the reason until the consumer runs); brokers that do not answer stop it
 * within kafka.connectionTimeoutMs with one line naming kafka.brokers; an HTTP port in use stops
 * it at once, before it joins its consumer group; credentials written into a broker address are
 * never echoed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { syntheticRows, toCsv } from '../support/synthetic.js';
import { waitFor } from '../../src/demo/wait.js';
import { randomName, testBrokers } from '../support/kafka-env.js';
import { assertBuilt, runCli, scratchDir, startCli, type CliResult } from './cli-process.js';

const tmp = scratchDir('cli-startup');

function configYaml(lines: { brokers: string; port: number; group?: string; timeoutMs?: number }): string {
  return [
    'kafka:',
    `  brokers: [${lines.brokers}]`,
    `  connectionTimeoutMs: ${lines.timeoutMs ?? 10000}`,
    `  groupId: ${lines.group ?? 'startup-test'}`,
    'http:',
    '  host: 127.0.0.1',
    `  port: ${lines.port}`,
    'models:',
    '  - name: fraud-v3',
    '    bundle: bundle',
    'window: { size: 500, minEvents: 100 }',
  ].join('\n');
}

/** A TCP server that accepts connections and never answers (a broker address that hangs), or just holds a port. */
async function listen(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}

/** The `shiftwatch: ...` lines, asserted to be exactly one, and no stack trace or kafkajs noise. */
function oneErrorLine(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('shiftwatch: '));
  expect({ code: result.code, lines: lines.length }).toEqual({ code: 1, lines: 1 });
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('kafkajs');
  expect(result.stderr).not.toContain('ERROR');
  return lines[0]!;
}

beforeAll(async () => {
  assertBuilt();
  const input = tmp.write('ref.csv', toCsv(syntheticRows(1200, 5)));
  const fit = await runCli(['fit', '--input', input, '--model', 'fraud-v3', '--out', tmp.path('bundle'), '--window-size', '500', '--replicates', '50', '--flow', 'none']);
  if (fit.code !== 0) throw new Error(`fitting the test bundle failed (exit ${fit.code}):\n${fit.stderr}`);
});
afterAll(() => tmp.cleanup());

describe('shiftwatch serve at startup', () => {
  it('answers /health at once and /ready 503 with the reason while the brokers do not answer, then stops with one line naming kafka.brokers', async () => {
    const silent = await listen();
    const { port, close } = await listen();
    await close();
    const running = startCli(['serve', '--config', tmp.write('silent.yaml', configYaml({ brokers: `127.0.0.1:${silent.port}`, port, timeoutMs: 6000 }))]);
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 5000, '/health to answer 200');
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('x-powered-by')).toBeNull();
      expect(await ready.json()).toMatchObject({ status: 'not_ready', reason: expect.stringMatching(/^consumer: starting/) });
      const result = await running.stop('SIGCONT', 15_000); // SIGCONT changes nothing: this waits for its own exit
      const line = oneErrorLine(result);
      expect(line).toMatch(new RegExp(`^shiftwatch: config kafka\\.brokers: no broker answered at 127\\.0\\.0\\.1:${silent.port} within 6\\.0 s .*\\. Fix: list reachable brokers as host:port in kafka\\.brokers`));
      expect(result.ms).toBeLessThan(6000 + 4000);
    } finally {
      await running.stop('SIGKILL').catch(() => undefined);
      await silent.close();
    }
  });

  it('a refused connection stops it within kafka.connectionTimeoutMs', async () => {
    const result = await runCli(['serve', '--config', tmp.write('refused.yaml', configYaml({ brokers: '127.0.0.1:1', port: 0, timeoutMs: 1500 }))], { timeoutMs: 20_000 });
    expect(oneErrorLine(result)).toMatch(/^shiftwatch: config kafka\.brokers: no broker answered at 127\.0\.0\.1:1 within 1\.5 s \(.*ECONNREFUSED.*\)\. Fix: /);
    expect(result.ms).toBeLessThan(1500 + 4000);
  });

  it('an HTTP port in use stops it at once, before it joins its consumer group', async () => {
    const taken = await listen();
    const group = randomName('startup-port');
    try {
      const result = await runCli(['serve', '--config', tmp.write('port.yaml', configYaml({ brokers: testBrokers().join(', '), port: taken.port, group }))], { timeoutMs: 20_000 });
      expect(oneErrorLine(result)).toBe(`shiftwatch: config http.port: 127.0.0.1:${taken.port} is already in use by another process. Fix: stop that process, or set http.port to a free port (0 picks one)`);
      const kafka = new Kafka({ clientId: randomName('startup-check'), brokers: testBrokers(), logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([group]);
        expect(groups[0]!.members).toEqual([]);
        expect(groups[0]!.state).toBe('Dead');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await taken.close();
    }
  });

  it('never echoes credentials written into a broker address', async () => {
    const result = await runCli(['serve', '--config', tmp.write('creds.yaml', configYaml({ brokers: '"alice:s3cr3t-pw@kafka-0:9092"', port: 0 }))], { timeoutMs: 20_000 });
    const env = await runCli(['serve', '--config', tmp.path('refused.yaml')], { env: { SHIFTWATCH_BROKERS: 'SASL_SSL://bob:hunter2@kafka-1:9093' }, timeoutMs: 20_000 });
    for (const r of [result, env]) {
      expect(oneErrorLine(r)).toMatch(/^shiftwatch: config kafka\.brokers\[0\]: holds credentials \(user:password@\.\.\.\); the value is not shown\. Fix: /);
      expect(r.stdout + r.stderr).not.toMatch(/s3cr3t|hunter2|alice|bob/);
    }
  });
});
