/**
 * The HTTP endpoints' protection, read from the file named by `http.webConfigFile`, in the shape of
 * Prometheus exporters' web configuration file:
 *
 *   tls_server_config:            # optional: serve HTTPS
 *     cert_file: server.crt       # PEM certificate (chain) and its key
 *     key_file: server.key
 *     client_auth_type: RequireAndVerifyClientCert   # NoClientCert (default) | VerifyClientCertIfGiven | RequireAndVerifyClientCert
 *     client_ca_file: ca.crt      # CA that signs client certificates (needed to verify them)
 *     min_version: TLS12          # TLS12 (default) | TLS13
 *   basic_auth_users:             # optional: user name -> bcrypt hash of the password
 *     prometheus: $2y$10$...
 *
 * Relative paths are resolved against the web config file's directory. Problems are reported
 * under `http.webConfigFile` with the offending key, together with every other config problem.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { Problems, describe, didYouMean, isPlainObject } from './problems.js';

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];
const TLS_VERSIONS = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
const BCRYPT_HASH = /^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/;
const KEY = 'http.webConfigFile';

/** What the HTTP server needs: TLS material (read) and the users' bcrypt hashes. */
export interface WebSecurity {
  tls?: { cert: string; key: string; ca?: string; clientAuth: ClientAuthType; minVersion: 'TLSv1.2' | 'TLSv1.3' };
  /** User name to bcrypt hash; empty: no authentication. */
  users: Map<string, string>;
}

export function collectWebSecurity(p: Problems, file: string): WebSecurity | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    p.add(KEY, `file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'point http.webConfigFile at a readable YAML file, or remove the key to serve plain HTTP without authentication');
    return undefined;
  }
  const doc = parseDocument(text);
  const [firstError] = doc.errors;
  if (firstError !== undefined) {
    p.add(KEY, `${file} is not valid YAML: ${firstError.message.split('\n')[0]}`, 'correct the YAML syntax (check indentation and quoting)');
    return undefined;
  }
  const raw: unknown = doc.toJS() ?? {};
  const at = (path: string) => `${KEY} (${path})`;
  if (!isPlainObject(raw)) {
    p.add(KEY, `${file} must hold a mapping with tls_server_config and/or basic_auth_users`, 'see docs/operations.md, "Protecting the endpoints"');
    return undefined;
  }
  const known = ['tls_server_config', 'basic_auth_users'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) p.add(at(k), 'unknown key', `${didYouMean(k, known)}the known keys are: ${known.join(', ')}`);
  const base = dirname(file);
  const security: WebSecurity = { users: new Map() };
  const tls = raw.tls_server_config;
  if (tls !== undefined && tls !== null) {
    const parsed = parseTls(p, tls, base, at);
    if (parsed !== undefined) security.tls = parsed;
  }
  const users = raw.basic_auth_users;
  if (users !== undefined && users !== null) {
    if (!isPlainObject(users)) p.add(at('basic_auth_users'), `must map user names to bcrypt hashes, got ${describe(users)}`, 'write it like basic_auth_users: { prometheus: $2y$10$... }');
    else {
      for (const [user, hash] of Object.entries(users)) {
        if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
          // Never echo the value: it may be a password written in clear.
          p.add(at(`basic_auth_users.${user}`), 'must be a bcrypt hash of the password (the value is not shown)', 'hash the password, e.g. `htpasswd -nbBC 10 "" <password> | tr -d \':\\n\'`, and write the hash (quoted) instead');
        } else security.users.set(user, hash);
      }
    }
  }
  return security;
}

function parseTls(p: Problems, raw: unknown, base: string, at: (path: string) => string): WebSecurity['tls'] {
  if (!isPlainObject(raw)) {
    p.add(at('tls_server_config'), `must be a mapping, got ${describe(raw)}`, 'give it cert_file and key_file');
    return undefined;
  }
  const known = ['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) p.add(at(`tls_server_config.${k}`), 'unknown key', `${didYouMean(k, known)}the known keys are: ${known.join(', ')}`);
  const read = (name: string, required: boolean): string | undefined => {
    const v = raw[name];
    if (v === undefined || v === null) {
      if (required) p.add(at(`tls_server_config.${name}`), 'is required', `set tls_server_config.${name} to a PEM file`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      p.add(at(`tls_server_config.${name}`), `must be a file path, got ${describe(v)}`, `set tls_server_config.${name} to a PEM file`);
      return undefined;
    }
    const path = resolve(base, v);
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      p.add(at(`tls_server_config.${name}`), `file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'point it at a readable PEM file (relative paths are resolved against the web config file\'s directory)');
      return undefined;
    }
  };
  const cert = read('cert_file', true);
  const key = read('key_file', true);
  const ca = read('client_ca_file', false);
  const clientAuth = raw.client_auth_type ?? 'NoClientCert';
  if (typeof clientAuth !== 'string' || !(CLIENT_AUTH_TYPES as readonly string[]).includes(clientAuth)) {
    p.add(at('tls_server_config.client_auth_type'), `must be one of ${CLIENT_AUTH_TYPES.join(', ')}, got ${describe(clientAuth)}`, `${typeof clientAuth === 'string' ? didYouMean(clientAuth, CLIENT_AUTH_TYPES) : ''}set it to one of ${CLIENT_AUTH_TYPES.join(', ')}`);
    return undefined;
  }
  if (clientAuth !== 'NoClientCert' && raw.client_ca_file === undefined) {
    p.add(at('tls_server_config.client_ca_file'), `is required with client_auth_type ${clientAuth}`, 'set client_ca_file to the CA that signs the scrapers\' client certificates');
  }
  const version = raw.min_version ?? 'TLS12';
  if (typeof version !== 'string' || !(version in TLS_VERSIONS)) {
    p.add(at('tls_server_config.min_version'), `must be TLS12 or TLS13, got ${describe(version)}`, 'set min_version: TLS12 or TLS13');
    return undefined;
  }
  if (cert === undefined || key === undefined) return undefined;
  return { cert, key, ...(ca === undefined ? {} : { ca }), clientAuth: clientAuth as ClientAuthType, minVersion: TLS_VERSIONS[version as keyof typeof TLS_VERSIONS] };
}
