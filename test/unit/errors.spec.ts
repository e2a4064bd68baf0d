import { ConfigError, ShiftwatchError } from '../../src/core/errors.js';

describe('error taxonomy', () => {
  it('config errors name the key and the fix', () => {
    const e = new ConfigError('kafka.brokers', 'must not be empty', 'list at least one host:port');
    expect(e.message).toBe('config kafka.brokers: must not be empty. Fix: list at least one host:port');
    expect(e).toBeInstanceOf(ShiftwatchError);
    expect(e.name).toBe('ConfigError');
  });
  it('errors keep their cause', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new ShiftwatchError('broker down', { cause });
    expect(e.cause).toBe(cause);
    expect(new ShiftwatchError('no cause').cause).toBeUndefined();
  });
});
