import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { Problems, isPlainObject } from './problems.js';
import { keyOf, valueAt } from './walk.js';
import { collectWebSecurity } from './web-config.js';
import type { ResolvedSecrets, ShiftwatchConfig } from './types.js';

const REDACTED = '[redacted]';

/**
 * Reads the secrets the config refers to: the SASL password (from the env variable named by
 * kafka.sasl.passwordEnv or the file kafka.sasl.passwordFile) and the TLS files. Every missing
 * variable or unreadable file is reported, together, as a ConfigError naming the config key.
 * The result serialises (JSON.stringify, util.inspect / console.log) as redacted.
 */
export function resolveSecrets(config: ShiftwatchConfig, env: NodeJS.ProcessEnv): ResolvedSecrets {
  const p = new Problems();
  const secrets = collectSecrets(p, config, env);
  p.throwIfAny();
  return secrets;
}

/**
 * Like resolveSecrets but reports into `p` (so loadConfig can list them with every other problem).
 * `config` may also be a config that failed validation (with its paths resolved): keys already
 * reported are skipped, and only string values are followed.
 */
export function collectSecrets(p: Problems, config: unknown, env: NodeJS.ProcessEnv): ResolvedSecrets {
  const secrets: ResolvedSecrets = {};
  const reference = (...path: string[]): string | undefined => {
    const value = valueAt(config, path);
    return typeof value === 'string' && !p.has(keyOf(path)) ? value : undefined;
  };
  const passwordEnv = reference('kafka', 'sasl', 'passwordEnv');
  if (passwordEnv !== undefined) {
    const value = env[passwordEnv];
    if (value === undefined || value === '') {
      p.add('kafka.sasl.passwordEnv', `environment variable ${passwordEnv} is ${value === undefined ? 'not set' : 'empty'}`,
        `set ${passwordEnv} to the SASL password (e.g. from a Kubernetes secret), or point kafka.sasl.passwordEnv at the variable that holds it`);
    } else secrets.saslPassword = value;
  }
  const passwordFile = reference('kafka', 'sasl', 'passwordFile');
  if (passwordFile !== undefined) {
    const value = readSecretFile(p, 'kafka.sasl.passwordFile', passwordFile);
    if (value !== undefined) secrets.saslPassword = value.replace(/\r?\n$/, '');
  }
  if (isPlainObject(valueAt(config, ['kafka', 'ssl']))) {
    const files = { ca: 'caFile', cert: 'certFile', key: 'keyFile' } as const;
    const read: NonNullable<ResolvedSecrets['ssl']> = {};
    for (const [name, key] of Object.entries(files) as [keyof typeof files, string][]) {
      const path = reference('kafka', 'ssl', key);
      const value = path === undefined ? undefined : readSecretFile(p, `kafka.ssl.${key}`, path);
      if (value !== undefined) read[name] = value;
    }
    secrets.ssl = read;
  }
  const web = reference('http', 'webConfigFile');
  if (web !== undefined) {
    const security = collectWebSecurity(p, web);
    if (security !== undefined) secrets.web = security;
  }
  return hideFromLogs(secrets);
}

function readSecretFile(p: Problems, key: string, path: string): string | undefined {
  let value: string;
  try {
    value = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    p.add(key, `file ${path} ${why}`, 'point it at a readable file (check the path, the volume mount and the file permissions)');
    return undefined;
  }
  if (value.trim() === '') {
    p.add(key, `file ${path} is empty`, 'put the secret in the file, or point the key at the right file');
    return undefined;
  }
  return value;
}

/** Non-enumerable toJSON / inspect hooks so an accidentally logged secrets object shows no secret. */
function hideFromLogs(secrets: ResolvedSecrets): ResolvedSecrets {
  const shown = (): unknown => ({
    ...(secrets.saslPassword === undefined ? {} : { saslPassword: REDACTED }),
    ...(secrets.ssl === undefined ? {} : { ssl: Object.fromEntries(Object.keys(secrets.ssl).map((k) => [k, REDACTED])) }),
    ...(secrets.web === undefined ? {} : { web: REDACTED }),
  });
  Object.defineProperty(secrets, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(secrets, inspect.custom, { value: () => shown(), enumerable: false });
  return secrets;
}

const SECRET_KEY = /(password|secret|token|credential|privatekey|apikey)$/i;

/**
 * A copy of the config that is safe to log. The config itself holds only references (env variable
 * names, file paths), never secret values; as a safeguard any key that looks like it holds a secret
 * value (password, secret, token, ...) is replaced by "[redacted]".
 */
export function redactedConfig(config: ShiftwatchConfig): unknown {
  return scrub(config);
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== undefined ? REDACTED : scrub(v)]),
    );
  }
  return value;
}
