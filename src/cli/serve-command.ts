/** `shiftwatch serve`: run the monitor until SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import { loadConfig, redactedConfig } from '../config/index.js';
import { createRuntime } from '../service/runtime.js';
import { startHttp, startKafka } from '../app/bootstrap.js';

export const SERVE_USAGE = `shiftwatch serve [--config <file>]

Runs the monitor until SIGTERM or SIGINT. The configuration comes from --config, else from the
file named by SHIFTWATCH_CONFIG; SHIFTWATCH__SECTION__KEY=value overrides any key
(config/shiftwatch.example.yaml lists them all). HTTP answers first (/health at once, /ready 503
until the consumer runs); the brokers must answer within kafka.connectionTimeoutMs.`;

export async function runServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
  const config = loadConfig({ ...(values.config ? { file: values.config } : {}), checkSecrets: true });
  const runtime = await createRuntime(config);
  runtime.logger.info('configuration', redactedConfig(config) as Record<string, unknown>);
  const app = await startHttp(runtime);
  let stopSignal: string | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      stopSignal = signal;
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  try {
    await Promise.race([startKafka(app, runtime), stopped]);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  await stopped;
  runtime.logger.info(`${stopSignal} received: finishing the batch in flight, committing, stopping`);
  await app.close();
  runtime.logger.info('stopped cleanly');
}
