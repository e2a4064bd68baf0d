import { ConfigError, RetriableError } from '../../src/core/errors.js';

describe('error taxonomy', () => {
  it('config errors name the key and the fix and are not retriable', () => {
    const e = new ConfigError('kafka.brokers', 'must not be empty', 'list at least one host:port');
    expect(e.message).toBe('config kafka.brokers: must not be empty. Fix: list at least one host:port');
    expect(e.retriable).toBe(false);
    expect(e.name).toBe('ConfigError');
  });
  it('retriable errors keep their cause', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new RetriableError('broker down', cause);
    expect(e.retriable).toBe(true);
    expect(e.cause).toBe(cause);
  });
});
