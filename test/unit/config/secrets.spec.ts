import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, parseConfig, redactedConfig, resolveSecrets } from '../../../src/config/index.js';
import { configErrorFrom, minimal } from './fixtures.js';

const PASSWORD = 'pa55-Very-Secret-42';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shiftwatch-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withSasl(sasl: Record<string, unknown>, ssl: unknown = false): ReturnType<typeof parseConfig> {
  return parseConfig({ ...minimal(), kafka: { brokers: ['k:9093'], sasl: { mechanism: 'scram-sha-512', username: 'sw', ...sasl }, ssl } }, { baseDir: dir });
}

describe('resolveSecrets', () => {
  it('reads the SASL password from the named environment variable', () => {
    const config = withSasl({ passwordEnv: 'KAFKA_PW' });
    expect(resolveSecrets(config, { KAFKA_PW: PASSWORD })).toEqual({ saslPassword: PASSWORD });
  });

  it('reads the password (without its trailing newline) and TLS files relative to baseDir', () => {
    writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`);
    mkdirSync(join(dir, 'certs'));
    for (const f of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(join(dir, 'certs', f), `PEM ${f}`);
    const config = withSasl({ passwordFile: 'pw' }, { caFile: 'certs/ca.pem', certFile: 'certs/client.pem', keyFile: 'certs/client.key' });
    expect(config.kafka.ssl).toEqual({ caFile: join(dir, 'certs/ca.pem'), certFile: join(dir, 'certs/client.pem'), keyFile: join(dir, 'certs/client.key'), rejectUnauthorized: true });
    expect(resolveSecrets(config, {})).toEqual({ saslPassword: PASSWORD, ssl: { ca: 'PEM ca.pem', cert: 'PEM client.pem', key: 'PEM client.key' } });
  });

  it('names the key when the variable is missing or a file unreadable', () => {
    const missing = configErrorFrom(() => resolveSecrets(withSasl({ passwordEnv: 'KAFKA_PW' }), {}));
    expect(missing.message).toBe(
      'config kafka.sasl.passwordEnv: environment variable KAFKA_PW is not set. Fix: set KAFKA_PW to the SASL password ' +
        '(e.g. from a Kubernetes secret), or point kafka.sasl.passwordEnv at the variable that holds it',
    );
    writeFileSync(join(dir, 'pw'), PASSWORD);
    writeFileSync(join(dir, 'ca.pem'), '');
    const config = withSasl({ passwordFile: 'pw' }, { caFile: 'ca.pem' });
    rmSync(join(dir, 'pw'));
    const error = configErrorFrom(() => resolveSecrets(config, {}));
    expect(error.problems.map((p) => p.key)).toEqual(['kafka.sasl.passwordFile', 'kafka.ssl.caFile']);
    expect(error.message).toContain(`config kafka.sasl.passwordFile: file ${join(dir, 'pw')} does not exist`);
    expect(error.message).toContain('is empty');
  });

  it('never lets the password reach logs', () => {
    const config = withSasl({ passwordEnv: 'KAFKA_PW' });
    const secrets = resolveSecrets(config, { KAFKA_PW: PASSWORD });
    expect(secrets.saslPassword).toBe(PASSWORD);
    for (const text of [JSON.stringify(config), JSON.stringify(redactedConfig(config)), inspect(redactedConfig(config), { depth: 9 }), JSON.stringify(secrets), inspect(secrets)]) {
      expect(text).not.toContain(PASSWORD);
    }
    expect(JSON.stringify(secrets)).toBe('{"saslPassword":"[redacted]"}');
    expect(redactedConfig(config)).toMatchObject({ kafka: { sasl: { mechanism: 'scram-sha-512', username: 'sw', passwordEnv: 'KAFKA_PW' } } });
  });

  it('redactedConfig scrubs any secret-looking key', () => {
    const sneaky = { ...parseConfig(minimal()), extra: { apiToken: PASSWORD, password: PASSWORD } } as any;
    expect(JSON.stringify(redactedConfig(sneaky))).not.toContain(PASSWORD);
  });
});

describe('loadConfig', () => {
  const yaml = 'kafka:\n  brokers: [k:9092]\nmodels:\n  - name: m\n    bundle: bundles/m.json\n';

  it('reads the file named by SHIFTWATCH_CONFIG, applies env overrides, resolves paths against its dir', () => {
    writeFileSync(join(dir, 'sw.yaml'), yaml);
    const config = loadConfig({ env: { SHIFTWATCH_CONFIG: join(dir, 'sw.yaml'), SHIFTWATCH__ALERTS__COOLDOWNWINDOWS: '0' } });
    expect(config.models[0]!.bundle).toBe(join(dir, 'bundles/m.json'));
    expect(config.alerts.cooldownWindows).toBe(0);
  });

  it('reports a missing file, no file at all, and invalid YAML as ConfigErrors', () => {
    expect(configErrorFrom(() => loadConfig({ env: { SHIFTWATCH_CONFIG: join(dir, 'nope.yaml') } })).message)
      .toMatch(/^config SHIFTWATCH_CONFIG: config file .*nope\.yaml does not exist\. Fix: check the path in SHIFTWATCH_CONFIG/);
    expect(configErrorFrom(() => loadConfig({ env: {} })).key).toBe('SHIFTWATCH_CONFIG');
    writeFileSync(join(dir, 'bad.yaml'), 'kafka:\n  brokers: [k:9092\n');
    expect(configErrorFrom(() => loadConfig({ file: join(dir, 'bad.yaml'), env: {} })).message).toMatch(/bad\.yaml: is not valid YAML at line 3, column 1: Flow sequence .* end with a \]\. Fix: correct the YAML/);
    writeFileSync(join(dir, 'dup.yaml'), `${yaml}models: []\n`);
    expect(configErrorFrom(() => loadConfig({ file: join(dir, 'dup.yaml'), env: {} })).message).toContain('Map keys must be unique');
  });

  it('reports env and file problems together', () => {
    writeFileSync(join(dir, 'sw.yaml'), `${yaml}logLevel: loud\n`);
    const error = configErrorFrom(() => loadConfig({ file: join(dir, 'sw.yaml'), env: { SHIFTWATCH__HTTP__PROT: '1' } }));
    expect(error.problems.map((p) => p.key)).toEqual(['SHIFTWATCH__HTTP__PROT', 'logLevel']);
    expect(error.message).toContain('did you mean `SHIFTWATCH__HTTP__PORT`?');
  });

  it('reports a config path that cannot be read as a file', () => {
    expect(configErrorFrom(() => loadConfig({ file: dir, env: {} })).message)
      .toMatch(/^config file: cannot read config file .* \(EISDIR\)\. Fix: check the path and that the service may read the file$/);
  });
});
