import { ConfigError } from '../../../src/core/errors.js';
import type { ConfigErrors } from '../../../src/config/index.js';

/** The smallest valid raw config. */
export function minimal(): Record<string, any> {
  return { kafka: { brokers: ['kafka-0:9092'] }, models: [{ name: 'fraud-v3', bundle: 'bundles/fraud.json' }] };
}

/** Runs `fn`, expects a ConfigError and returns it. */
export function configErrorFrom(fn: () => unknown): ConfigErrors {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigErrors;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** The message lines (one per problem) of the ConfigError thrown by `fn`. */
export function problemLines(fn: () => unknown): string[] {
  return configErrorFrom(fn).message.split('\n');
}

/** The single line about `key`, asserting there is exactly one. */
export function lineFor(lines: string[], key: string): string {
  const found = lines.filter((l) => l.startsWith(`config ${key}: `));
  expect(found).toHaveLength(1);
  return found[0]!;
}
