import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import bcrypt from 'bcryptjs';
import { parseConfig, resolveSecrets } from '../../../src/config/index.js';
import { configErrorFrom, minimal } from './fixtures.js';

const TLS_DIR = resolve('test/fixtures/tls');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shiftwatch-web-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function secretsFor(webConfig: string) {
  writeFileSync(join(dir, 'web.yml'), webConfig);
  const config = parseConfig({ ...minimal(), http: { webConfigFile: 'web.yml' } }, { baseDir: dir });
  expect(config.http.webConfigFile).toBe(join(dir, 'web.yml'));
  return () => resolveSecrets(config, {});
}

describe('http.webConfigFile', () => {
  it('reads TLS material (relative to the file) and bcrypt users, and hides them from logs', () => {
    const hash = bcrypt.hashSync('pw', 4);
    writeFileSync(join(dir, 'server.crt'), 'CERT');
    writeFileSync(join(dir, 'server.key'), 'KEY');
    const secrets = secretsFor(`tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prom: "${hash}"\n`)();
    expect(secrets.web).toEqual({ tls: { cert: 'CERT', key: 'KEY', clientAuth: 'NoClientCert', minVersion: 'TLSv1.2' }, users: new Map([['prom', hash]]) });
    expect(JSON.stringify(secrets)).toBe('{"web":"[redacted]"}');
    expect(inspect(secrets)).not.toContain('KEY');
  });

  it('reports every problem of the file together, never echoing a password written in clear', () => {
    const error = configErrorFrom(secretsFor([
      'tls_server_config:',
      '  cert_file: missing.crt',
      `  key_file: ${join(TLS_DIR, 'server.key')}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      'basic_auth_users:',
      '  alice: hunter2',
      'basic_auth_user: {}',
    ].join('\n')));
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringContaining(`config http.webConfigFile (tls_server_config.cert_file): file ${join(dir, 'missing.crt')} cannot be read (ENOENT)`),
      expect.stringContaining('config http.webConfigFile (tls_server_config.client_ca_file): is required with client_auth_type RequireAndVerifyClientCert'),
      expect.stringContaining('config http.webConfigFile (basic_auth_users.alice): must be a bcrypt hash of the password (the value is not shown). Fix: hash the password'),
      expect.stringContaining('config http.webConfigFile (basic_auth_user): unknown key. Fix: did you mean `basic_auth_users`?'),
    ]));
    expect(error.message).not.toContain('hunter2');
  });

  it('names the file when it cannot be read', () => {
    const config = parseConfig({ ...minimal(), http: { webConfigFile: 'nope.yml' } }, { baseDir: dir });
    expect(configErrorFrom(() => resolveSecrets(config, {})).message).toContain(`config http.webConfigFile: file ${join(dir, 'nope.yml')} cannot be read (ENOENT)`);
  });
});
