/** `shiftwatch serve`: run the monitor until SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import { loadConfig, redactedConfig } from '../config/index.js';
import { createRuntime } from '../service/runtime.js';
import { startService } from '../app/bootstrap.js';

export async function runServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
  const config = loadConfig(values.config ? { file: values.config } : {});
  const runtime = await createRuntime(config);
  runtime.logger.info('configuration', redactedConfig(config) as Record<string, unknown>);
  const app = await startService(runtime);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      runtime.logger.info(`${signal} received: finishing the batch in flight, committing, stopping`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.close();
  runtime.logger.info('stopped cleanly');
}
