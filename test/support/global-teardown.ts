/** Jest globalTeardown: stops the broker that test/support/global-setup.ts started, if any. */
import type { LocalKafka } from '../../src/infra/local-kafka.js';

declare global {
  var __shiftwatchLocalKafka: LocalKafka | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const kafka = globalThis.__shiftwatchLocalKafka;
  if (!kafka) return;
  globalThis.__shiftwatchLocalKafka = undefined;
  await kafka.stop();
  delete process.env.SHIFTWATCH_TEST_BROKERS;
}
