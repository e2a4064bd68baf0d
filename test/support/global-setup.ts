/**
 * Jest globalSetup: starts one real local Kafka broker for the whole run (src/infra/local-kafka.ts,
 * the same module the demo and CI use) and exports its address as SHIFTWATCH_TEST_BROKERS.
 * Skipped when SHIFTWATCH_TEST_BROKERS names an external broker, or SHIFTWATCH_SKIP_KAFKA=1
 * (`npm run test:unit`). Jest loads this file outside its own module system, so it imports the
 * compiled module from dist/: `npm test` builds first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalKafka } from '../../src/infra/local-kafka.js';

declare global {
  // Read by test/support/global-teardown.ts (same process as this setup).
  var __shiftwatchLocalKafka: LocalKafka | undefined;
}

export default async function globalSetup(_config?: unknown, project?: { rootDir?: string }): Promise<void> {
  if (process.env.SHIFTWATCH_TEST_BROKERS) {
    console.log(`\n[kafka] using external broker(s) ${process.env.SHIFTWATCH_TEST_BROKERS}`);
    return;
  }
  if (process.env.SHIFTWATCH_SKIP_KAFKA === '1') return;
  const compiled = join(project?.rootDir ?? process.cwd(), 'dist', 'infra', 'local-kafka.js');
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build\` first (\`npm test\` does)`);
  const { startLocalKafka } = (await import(pathToFileURL(compiled).href)) as typeof import('../../src/infra/local-kafka.js');
  const started = Date.now();
  const kafka = await startLocalKafka({ log: (line) => console.log(`[kafka] ${line}`) });
  globalThis.__shiftwatchLocalKafka = kafka;
  process.env.SHIFTWATCH_TEST_BROKERS = kafka.brokers.join(',');
  console.log(`[kafka] local broker ${process.env.SHIFTWATCH_TEST_BROKERS} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
