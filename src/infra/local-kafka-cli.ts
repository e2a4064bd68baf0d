/**
 * `shiftwatch kafka` (or `node dist/infra/local-kafka-cli.js`): starts the local single-node
 * Kafka broker, prints `KAFKA_BROKERS=127.0.0.1:NNNN` on stdout (progress goes to stderr), and
 * stops it cleanly on SIGINT/SIGTERM.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ShiftwatchError } from '../core/errors.js';
import { startLocalKafka, type LocalKafka } from './local-kafka.js';

export const KAFKA_USAGE = `shiftwatch kafka [--port <n>] [--data-dir <dir>] [--heap-mb <n>]

Runs a local single-node Apache Kafka broker (KRaft) on 127.0.0.1 for development until Ctrl-C,
and prints KAFKA_BROKERS=127.0.0.1:<port> on stdout.

  --port <n>         the broker's port (default: a free one). Given with --data-dir, a restart
                     comes back at the same address with the same topics and offsets
  --data-dir <dir>   keep the broker's data here across runs (default: a temp dir removed on exit)
  --heap-mb <n>      JVM heap in MiB (default 512)

Environment: SHIFTWATCH_KAFKA_PORT, SHIFTWATCH_KAFKA_DATA_DIR and SHIFTWATCH_KAFKA_HEAP_MB set the
same (the options win).`;

export async function runLocalKafkaCommand(argv: string[] = []): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`[shiftwatch kafka] ${line}\n`);
  };
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'heap-mb': { type: 'string' } } });
  const env = process.env;
  const port = values.port ?? env.SHIFTWATCH_KAFKA_PORT;
  const heap = values['heap-mb'] ?? env.SHIFTWATCH_KAFKA_HEAP_MB;
  const brokerPort = port ? Number(port) : undefined;
  if (brokerPort !== undefined && (!Number.isInteger(brokerPort) || brokerPort < 1 || brokerPort > 65535)) {
    throw new ShiftwatchError(`--port must be a port number from 1 to 65535, got "${port}"`);
  }
  let kafka: LocalKafka;
  try {
    kafka = await startLocalKafka({
      log,
      dataDir: values['data-dir'] || env.SHIFTWATCH_KAFKA_DATA_DIR || undefined,
      heapMb: heap ? Number(heap) : undefined,
      ...(brokerPort === undefined ? {} : { brokerPort }),
    });
  } catch (error) {
    throw new ShiftwatchError(`the local Kafka broker did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  process.stdout.write(`KAFKA_BROKERS=${kafka.brokers.join(',')}\n`);
  log(`broker pid ${kafka.pid}, data in ${kafka.dataDir}; Ctrl-C to stop`);

  await new Promise<void>((done) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping the broker`);
      kafka.stop().then(
        () => {
          log('broker stopped');
          done();
        },
        (error: unknown) => {
          log(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
          done();
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void kafka.exited.then(({ code, signal }) => {
      if (stopping) return;
      stopping = true;
      log(`broker exited on its own (code ${code}, signal ${signal}); last log lines:\n${logTail(kafka.dataDir)}`);
      process.exitCode = 1;
      void kafka.stop().then(done, done);
    });
  });
}

function logTail(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'logs', 'server.log'), 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  } catch {
    return '(no server.log)';
  }
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runLocalKafkaCommand().catch((error: unknown) => {
    process.stderr.write(`[shiftwatch kafka] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
