import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Problems, describe, isPlainObject, join } from './problems.js';
import { bool, num, oneOf, section, str, type Obj } from './readers.js';
import { MAX_MESSAGE_BYTES_LIMIT, SASL_MECHANISMS, type KafkaConfig, type SaslConfig, type SslConfig } from './types.js';

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOPIC_DEFAULTS = {
  events: 'shiftwatch.events',
  alerts: 'shiftwatch.alerts',
  deadLetters: 'shiftwatch.dlq',
  labels: 'shiftwatch.labels',
  state: 'shiftwatch.state',
} as const;

export function parseKafka(p: Problems, raw: unknown, baseDir: string): KafkaConfig | undefined {
  const path = 'kafka';
  const obj = section(p, path, raw);
  const brokers = parseBrokers(p, obj);
  const clientId = str(p, obj, path, 'clientId', 'shiftwatch');
  const groupId = str(p, obj, path, 'groupId', 'shiftwatch');
  const topics = parseTopics(p, obj?.topics);
  const ssl = parseSsl(p, obj?.ssl, baseDir);
  const sasl = obj?.sasl === undefined ? undefined : parseSasl(p, obj.sasl, baseDir);
  const maxMessageBytes = num(p, obj, path, 'maxMessageBytes', 1048576, { integer: true, min: 1, max: MAX_MESSAGE_BYTES_LIMIT });
  const connectionTimeoutMs = num(p, obj, path, 'connectionTimeoutMs', 10_000, { integer: true, min: 1 });
  const sessionTimeoutMs = num(p, obj, path, 'sessionTimeoutMs', 30000, { integer: true, min: 1 });
  const rebalanceTimeoutMs = num(p, obj, path, 'rebalanceTimeoutMs', 6000, { integer: true, min: 1000 });
  const partitionIdleMs = num(p, obj, path, 'partitionIdleMs', 2000, { integer: true, min: 1 });
  return {
    brokers, clientId, groupId, topics, ssl, ...(sasl === undefined ? {} : { sasl }),
    maxMessageBytes, connectionTimeoutMs, sessionTimeoutMs, rebalanceTimeoutMs, partitionIdleMs,
  } as KafkaConfig;
}

function parseBrokers(p: Problems, obj: Obj | undefined): string[] | undefined {
  if (obj === undefined) return undefined;
  const k = 'kafka.brokers';
  const v = obj.brokers;
  const example = 'brokers: [kafka-0:9092, kafka-1:9092] (or env SHIFTWATCH_BROKERS=kafka-0:9092,kafka-1:9092)';
  if (v === undefined || v === null) {
    p.add(k, 'is required', `list the Kafka bootstrap servers as host:port, e.g. ${example}`);
    return undefined;
  }
  if (!Array.isArray(v)) {
    const fix = typeof v === 'string' ? `write it as a YAML list: brokers: [${v.split(',').map((s) => s.trim()).join(', ')}]` : `e.g. ${example}`;
    p.add(k, `must be a list of host:port strings, got ${describe(v)}`, fix);
    return undefined;
  }
  if (v.length === 0) {
    p.add(k, 'must not be empty', `list at least one host:port, e.g. ${example}`);
    return undefined;
  }
  let ok = true;
  v.forEach((b: unknown, i) => {
    if (typeof b === 'string' && b.includes('@')) {
      // user:password@host:port: the value is never echoed, it holds a secret.
      p.add(join(k, i), 'holds credentials (user:password@...); the value is not shown',
        'write only host:port in kafka.brokers, the user in kafka.sasl.username and the password in the environment variable named by kafka.sasl.passwordEnv (or the file kafka.sasl.passwordFile); then change that password, it was written in clear');
      ok = false;
      return;
    }
    const m = typeof b === 'string' ? HOST_PORT.exec(b.trim()) : null;
    const port = m === null ? NaN : Number(m[2]);
    if (m === null || port < 1 || port > 65535) {
      p.add(join(k, i), `must be host:port with a port from 1 to 65535, got ${describe(b)}`,
        'write it like kafka-0.kafka.svc:9092 or 10.0.0.5:9092 (IPv6: [::1]:9092)');
      ok = false;
    } else if (v.indexOf(b) !== i) {
      p.add(join(k, i), `${describe(b)} is listed twice`, 'remove the duplicate');
      ok = false;
    }
  });
  return ok ? v.map((b: string) => b.trim()) : undefined;
}

function parseTopics(p: Problems, raw: unknown): KafkaConfig['topics'] | undefined {
  const path = 'kafka.topics';
  const obj = section(p, path, raw);
  const rule = { pattern: TOPIC, patternHint: "a Kafka topic name (1-249 letters, digits, '.', '_' or '-')" };
  const topics: Partial<Record<keyof typeof TOPIC_DEFAULTS, string>> = {};
  const seen = new Map<string, string>();
  let ok = obj !== undefined;
  for (const [key, def] of Object.entries(TOPIC_DEFAULTS) as [keyof typeof TOPIC_DEFAULTS, string][]) {
    const topic = str(p, obj, path, key, def, { ...rule, example: def });
    if (topic === undefined) ok = false;
    else if (seen.has(topic)) {
      p.add(join(path, key), `"${topic}" is also ${seen.get(topic)}`, 'give each topic a distinct name; reusing one would feed alerts or dead letters back in as events');
      ok = false;
    } else seen.set(topic, join(path, key));
    topics[key] = topic;
  }
  return ok ? (topics as KafkaConfig['topics']) : undefined;
}

/** Checks that a referenced file exists and returns its absolute path. */
function file(p: Problems, obj: Obj | undefined, path: string, key: string, baseDir: string): string | undefined {
  if (obj?.[key] === undefined) return undefined;
  const given = str(p, obj, path, key, undefined);
  if (given === undefined) return undefined;
  const abs = resolve(baseDir, given);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    p.add(join(path, key), `file ${abs} does not exist or is not a regular file`,
      'point it at an existing file (relative paths are resolved against the config file\'s directory)');
  }
  return abs;
}

function parseSsl(p: Problems, raw: unknown, baseDir: string): SslConfig | false | undefined {
  const path = 'kafka.ssl';
  if (raw === undefined || raw === false) return false;
  if (raw === true) return { rejectUnauthorized: true };
  if (!isPlainObject(raw)) {
    p.add(path, `must be false, true or a mapping, got ${describe(raw)}`,
      'set kafka.ssl: false for plaintext, true for TLS with system CAs, or a mapping with caFile / certFile / keyFile / rejectUnauthorized');
    return undefined;
  }
  const obj = section(p, path, raw);
  const files = { caFile: file(p, obj, path, 'caFile', baseDir), certFile: file(p, obj, path, 'certFile', baseDir), keyFile: file(p, obj, path, 'keyFile', baseDir) };
  const rejectUnauthorized = bool(p, obj, path, 'rejectUnauthorized', true);
  if (obj === undefined || rejectUnauthorized === undefined) return undefined;
  if ((obj.certFile === undefined) !== (obj.keyFile === undefined)) {
    const missingKey = obj.certFile === undefined ? 'certFile' : 'keyFile';
    p.add(join(path, missingKey), 'is required when the other half of the client certificate is set',
      'set both kafka.ssl.certFile and kafka.ssl.keyFile for mutual TLS, or neither');
  }
  const present = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
  return { ...present, rejectUnauthorized };
}

function parseSasl(p: Problems, raw: unknown, baseDir: string): SaslConfig | undefined {
  const path = 'kafka.sasl';
  const obj = section(p, path, raw);
  const mechanism = oneOf(p, obj, path, 'mechanism', undefined, SASL_MECHANISMS);
  const username = str(p, obj, path, 'username', undefined, { example: 'shiftwatch' });
  const passwordEnv = obj?.passwordEnv === undefined ? undefined
    : str(p, obj, path, 'passwordEnv', undefined, { pattern: ENV_NAME, patternHint: 'an environment variable name' });
  const passwordFile = file(p, obj, path, 'passwordFile', baseDir);
  if (obj === undefined) return undefined;
  const sources = [obj.passwordEnv, obj.passwordFile].filter((v) => v !== undefined).length;
  if (sources !== 1 && obj.password === undefined) {
    p.add(join(path, sources === 0 ? 'passwordEnv' : 'passwordFile'),
      sources === 0 ? 'is required (or passwordFile)' : 'cannot be combined with passwordEnv',
      'set exactly one of kafka.sasl.passwordEnv (name of an environment variable holding the password) or kafka.sasl.passwordFile (path of a file containing it)');
  }
  if (mechanism === undefined || username === undefined) return undefined;
  return {
    mechanism, username,
    ...(passwordEnv === undefined ? {} : { passwordEnv }),
    ...(passwordFile === undefined ? {} : { passwordFile }),
  };
}
