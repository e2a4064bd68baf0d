/**
 * What integration tests need to reach the Kafka broker that test/support/global-setup.ts started
 * (or the external one named by SHIFTWATCH_TEST_BROKERS).
 */
import { randomBytes } from 'node:crypto';

/** Bootstrap addresses of the test broker, from SHIFTWATCH_TEST_BROKERS (comma separated). */
export function testBrokers(): string[] {
  const raw = process.env.SHIFTWATCH_TEST_BROKERS ?? '';
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    const skipped = process.env.SHIFTWATCH_SKIP_KAFKA === '1' ? ' (SHIFTWATCH_SKIP_KAFKA=1 turned the local broker off)' : '';
    throw new Error(
      `no Kafka broker configured for tests${skipped}: run the tests through jest so that test/support/global-setup.ts ` +
        'starts the local broker (needs Java 17+ and Maven), or set SHIFTWATCH_TEST_BROKERS=host:port[,host:port] for an external one',
    );
  }
  return brokers;
}

/** A unique, Kafka-legal name such as `orders-1732800000000-3f9a2c1e` for a topic, group or client id. */
export function randomName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `${safe}-${Date.now()}-${randomBytes(4).toString('hex')}`;
}
