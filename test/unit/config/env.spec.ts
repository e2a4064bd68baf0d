import { applyEnvOverrides, parseConfig } from '../../../src/config/index.js';
import { configErrorFrom, minimal } from './fixtures.js';

const apply = (env: NodeJS.ProcessEnv, raw: unknown = minimal()): any => applyEnvOverrides(raw, env);

describe('applyEnvOverrides', () => {
  it('parses a comma-separated list, numbers and booleans by the key kind', () => {
    const out = apply({
      SHIFTWATCH__KAFKA__BROKERS: 'h1:9092, h2:9092',
      SHIFTWATCH__HTTP__PORT: '8080',
      SHIFTWATCH__DETECTION__ALPHA: '0.01',
      SHIFTWATCH__KAFKA__SSL__REJECTUNAUTHORIZED: 'false',
    });
    expect(out.kafka.brokers).toEqual(['h1:9092', 'h2:9092']);
    expect(out.http.port).toBe(8080);
    expect(out.detection.alpha).toBe(0.01);
    expect(out.kafka.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('matches segments case-insensitively and sets nested keys', () => {
    const out = apply({ SHIFTWATCH__KAFKA__GROUPID: 'canary', SHIFTWATCH__detection__Cusum__K: '1.5', SHIFTWATCH__LOGLEVEL: 'debug' });
    expect(parseConfig(out).kafka.groupId).toBe('canary');
    expect(out.detection.cusum.k).toBe(1.5);
    expect(out.logLevel).toBe('debug');
  });

  it('indexes lists, and appends an entry at the next index', () => {
    const out = apply({
      SHIFTWATCH__MODELS__0__BUNDLE: '/bundles/new.json',
      SHIFTWATCH__MODELS__0__WINDOW__SIZE: '500',
      SHIFTWATCH__MODELS__1__NAME: 'second',
      SHIFTWATCH__MODELS__1__BUNDLE: '/bundles/second.json',
    });
    const config = parseConfig(out);
    expect(config.models.map((m) => [m.name, m.bundle, m.window])).toEqual([
      ['fraud-v3', '/bundles/new.json', { type: 'count', size: 500, minEvents: 100 }],
      ['second', '/bundles/second.json', { type: 'count', size: 1000, minEvents: 100 }],
    ]);
  });

  it('does not modify its input', () => {
    const raw = minimal();
    apply({ SHIFTWATCH__KAFKA__GROUPID: 'x' }, raw);
    expect(raw).toEqual(minimal());
  });

  it('supports the SHIFTWATCH_BROKERS shorthand, with the __ form winning', () => {
    expect(apply({ SHIFTWATCH_BROKERS: 'a:1,b:2' }).kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(apply({ SHIFTWATCH_BROKERS: 'a:1', SHIFTWATCH__KAFKA__BROKERS: 'c:3' }).kafka.brokers).toEqual(['c:3']);
    expect(applyEnvOverrides(undefined, { SHIFTWATCH_BROKERS: 'a:1' })).toEqual({ kafka: { brokers: ['a:1'] } });
  });

  it('removes a key for an empty value so its default applies', () => {
    const raw = { ...minimal(), http: { port: 1234 } };
    expect(parseConfig(apply({ SHIFTWATCH__HTTP__PORT: '' }, raw)).http.port).toBe(9464);
  });

  it('ignores other SHIFTWATCH_ variables and the variable named by passwordEnv', () => {
    const raw = { ...minimal(), kafka: { brokers: ['k:1'], sasl: { mechanism: 'plain', username: 'u', passwordEnv: 'SHIFTWATCH__KAFKA_PW' } } };
    expect(() => apply({ SHIFTWATCH_CONFIG: '/x.yaml', SHIFTWATCH_SKIP_KAFKA: '1', SHIFTWATCH__KAFKA_PW: 's3cret' }, raw)).not.toThrow();
  });

  it('names an unknown variable, with a did-you-mean in variable form', () => {
    const error = configErrorFrom(() => apply({ SHIFTWATCH__KAFKA__GROUP_ID: 'x' }));
    expect(error.key).toBe('SHIFTWATCH__KAFKA__GROUP_ID');
    expect(error.message).toBe(
      'config SHIFTWATCH__KAFKA__GROUP_ID: matches no configuration key: there is no "GROUP_ID" under kafka. ' +
        'Fix: did you mean `SHIFTWATCH__KAFKA__GROUPID`? known keys there: brokers, clientId, groupId, replicas, replicaId, summaryPartitions, transactionalId, topics, ssl, sasl, ' +
        'maxMessageBytes, connectionTimeoutMs, sessionTimeoutMs, rebalanceTimeoutMs, partitionIdleMs',
    );
  });

  it('reports every bad variable at once', () => {
    const error = configErrorFrom(() =>
      apply({
        SHIFTWATCH__NOPE: '1',
        SHIFTWATCH__HTTP__PORT: 'eighty',
        SHIFTWATCH__KAFKA: 'x',
        SHIFTWATCH__MODELS__FIRST__NAME: 'x',
        SHIFTWATCH__MODELS__5__NAME: 'x',
        SHIFTWATCH__KAFKA__SASL__PASSWORD: 'hunter2',
        SHIFTWATCH__KAFKA__SSL: 'maybe',
        SHIFTWATCH__WINDOW__IDLECLOSEMS: '100',
      }),
    );
    const byKey = Object.fromEntries(error.problems.map((p) => [p.key, `${p.problem} | ${p.fix}`]));
    expect(Object.keys(byKey).sort()).toEqual([
      'SHIFTWATCH__HTTP__PORT', 'SHIFTWATCH__KAFKA', 'SHIFTWATCH__KAFKA__SASL__PASSWORD', 'SHIFTWATCH__KAFKA__SSL',
      'SHIFTWATCH__MODELS__5__NAME', 'SHIFTWATCH__MODELS__FIRST__NAME', 'SHIFTWATCH__NOPE', 'SHIFTWATCH__WINDOW__IDLECLOSEMS',
    ]);
    expect(byKey.SHIFTWATCH__HTTP__PORT).toContain('must be a number, got "eighty"');
    expect(byKey.SHIFTWATCH__KAFKA).toContain('kafka is a section, not a single value');
    expect(byKey.SHIFTWATCH__MODELS__FIRST__NAME).toContain('not an index');
    expect(byKey.SHIFTWATCH__MODELS__5__NAME).toContain('list index 5 skips entry 1');
    expect(byKey.SHIFTWATCH__KAFKA__SASL__PASSWORD).toMatch(/not allowed \| .*passwordEnv/);
    expect(byKey.SHIFTWATCH__KAFKA__SSL).toContain('must be true or false');
    expect(byKey.SHIFTWATCH__WINDOW__IDLECLOSEMS).toMatch(/^would set window\.idleCloseMs, which was replaced: .* \| remove window\.idleCloseMs \(set kafka\.partitionIdleMs/);
    expect(error.message).not.toContain('hunter2');
  });

  it('turns ssl on when a TLS file is set over ssl: false', () => {
    const raw = { ...minimal(), kafka: { brokers: ['k:1'], ssl: false } };
    expect(apply({ SHIFTWATCH__KAFKA__SSL__CAFILE: '/ca.pem' }, raw).kafka.ssl).toEqual({ caFile: '/ca.pem' });
    expect(apply({ SHIFTWATCH__KAFKA__SSL: 'true' }, raw).kafka.ssl).toBe(true);
  });
});
