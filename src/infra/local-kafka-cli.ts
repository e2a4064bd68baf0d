/**
 * `shiftwatch kafka` (or `node dist/infra/local-kafka-cli.js`): starts the local single-node
 * Kafka broker, prints `KAFKA_BROKERS=127.0.0.1:NNNN` on stdout (progress goes to stderr), and
 * stops it cleanly on SIGINT/SIGTERM.
 *
 * Environment: SHIFTWATCH_KAFKA_DATA_DIR keeps broker data in that directory across runs
 * (default: a temp dir removed on exit); SHIFTWATCH_KAFKA_HEAP_MB sets the JVM heap.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalKafka } from './local-kafka.js';

export async function runLocalKafkaCommand(): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`[shiftwatch kafka] ${line}\n`);
  };
  const heap = process.env.SHIFTWATCH_KAFKA_HEAP_MB;
  const kafka = await startLocalKafka({
    log,
    dataDir: process.env.SHIFTWATCH_KAFKA_DATA_DIR || undefined,
    heapMb: heap ? Number(heap) : undefined,
  });
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
