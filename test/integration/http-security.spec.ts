/**
 * The HTTP endpoints protected by http.webConfigFile (Prometheus exporter style): HTTPS with the
 * configured certificate, client certificates when required, basic auth on /metrics and /status
 * (bcrypt hashes), /health and /ready open for probes, and no X-Powered-By anywhere.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { createHarness, type Harness } from '../support/service-harness.js';
import { waitFor } from '../../src/demo/wait.js';

const TLS_DIR = resolve('test/fixtures/tls');
const pem = (name: string) => readFileSync(join(TLS_DIR, name), 'utf8');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, options: { user?: string; password?: string; clientCert?: boolean } = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = {};
    if (options.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    const req = request(url, { ca: pem('ca.crt'), headers, ...(options.clientCert ? { cert: pem('client.crt'), key: pem('client.key') } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('HTTP endpoints with TLS and basic auth', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-web-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function serveWith(webConfig: string): Promise<{ h: Harness; url: string }> {
    const file = join(dir, `web-${Date.now()}.yml`);
    await writeFile(file, webConfig);
    const h = await createHarness({ config: { http: { host: '127.0.0.1', port: 0, webConfigFile: file } } });
    const { url } = await h.start();
    return { h, url: url.replace(/^http:/, 'https:') };
  }

  it('serves HTTPS; /metrics and /status need a user, /health and /ready do not', async () => {
    const hash = bcrypt.hashSync('correct horse', 10);
    const { h, url } = await serveWith([
      'tls_server_config:',
      `  cert_file: ${join(TLS_DIR, 'server.crt')}`,
      `  key_file: ${join(TLS_DIR, 'server.key')}`,
      'basic_auth_users:',
      `  prometheus: "${hash}"`,
    ].join('\n'));
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      await waitFor(async () => (await get(`${url}/ready`)).status === 200, 30_000, 'the service to be ready over HTTPS');
      for (const path of ['/health', '/ready']) {
        const open = await get(`${url}${path}`);
        expect({ path, status: open.status, poweredBy: open.headers['x-powered-by'] }).toEqual({ path, status: 200, poweredBy: undefined });
      }
      for (const path of ['/metrics', '/status']) {
        const none = await get(`${url}${path}`);
        expect({ path, status: none.status }).toEqual({ path, status: 401 });
        expect(none.headers['www-authenticate']).toMatch(/^Basic realm="shiftwatch"/);
        expect(none.body).not.toContain('shiftwatch_');
        expect((await get(`${url}${path}`, { user: 'prometheus', password: 'wrong' })).status).toBe(401);
        expect((await get(`${url}${path}`, { user: 'someone', password: 'correct horse' })).status).toBe(401);
        const ok = await get(`${url}${path}`, { user: 'prometheus', password: 'correct horse' });
        expect({ path, status: ok.status, poweredBy: ok.headers['x-powered-by'] }).toEqual({ path, status: 200, poweredBy: undefined });
      }
      expect((await get(`${url}/metrics`, { user: 'prometheus', password: 'correct horse' })).body).toContain('shiftwatch_build_info');
      // Plain HTTP on the same port gets no answer.
      await expect(fetch(url.replace(/^https:/, 'http:') + '/health').then((r) => r.status)).rejects.toThrow();
    } finally {
      await h.close();
    }
  });

  it('requires a client certificate signed by client_ca_file when asked to', async () => {
    const { h, url } = await serveWith([
      'tls_server_config:',
      `  cert_file: ${join(TLS_DIR, 'server.crt')}`,
      `  key_file: ${join(TLS_DIR, 'server.key')}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      `  client_ca_file: ${join(TLS_DIR, 'ca.crt')}`,
      '  min_version: TLS13',
    ].join('\n'));
    try {
      await waitFor(async () => (await get(`${url}/health`, { clientCert: true }).catch(() => undefined))?.status === 200, 30_000, 'the service to answer over mutual TLS');
      await expect(get(`${url}/health`)).rejects.toThrow();
      expect((await get(`${url}/metrics`, { clientCert: true })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
