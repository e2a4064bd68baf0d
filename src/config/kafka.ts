/** The `kafka` section of the configuration schema: brokers, topics, TLS and SASL, client timeouts. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { num, optional, optionalSection, path, section, text, choice, flag, withInfo, mappingInfo, type Complaint } from './fields.js';
import { describe, isPlainObject } from './problems.js';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export const MAX_MESSAGE_BYTES_LIMIT = 100 * 1024 * 1024;

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BROKERS_EXAMPLE = 'brokers: [kafka-0:9092, kafka-1:9092] (or env SHIFTWATCH_BROKERS=kafka-0:9092,kafka-1:9092)';
const HOST_PORT_FIX = 'write it like kafka-0.kafka.svc:9092 or 10.0.0.5:9092 (IPv6: [::1]:9092)';

const broker = withInfo(
  z.string().trim().superRefine((b, ctx) => {
    if (b.includes('@')) {
      // user:password@host:port: the value is never echoed, it holds a secret.
      ctx.addIssue({
        code: 'custom', message: 'holds credentials (user:password@...); the value is not shown',
        params: { fix: 'write only host:port in kafka.brokers, the user in kafka.sasl.username and the password in the environment variable named by kafka.sasl.passwordEnv (or the file kafka.sasl.passwordFile); then change that password, it was written in clear' },
      });
      return;
    }
    const m = HOST_PORT.exec(b);
    const port = m === null ? NaN : Number(m[2]);
    if (m === null || port < 1 || port > 65535) ctx.addIssue({ code: 'custom', message: `must be host:port with a port from 1 to 65535, got ${describe(b)}`, params: { fix: HOST_PORT_FIX } });
  }),
  {
    doc: 'A bootstrap server.', what: 'host:port',
    explain: (v) => ({ problem: `must be host:port with a port from 1 to 65535, got ${describe(v)}`, fix: HOST_PORT_FIX }),
  },
);

const brokers = withInfo(
  z.array(broker).min(1).superRefine((list, ctx) => {
    list.forEach((b, i) => {
      if (list.indexOf(b) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${describe(b)} is listed twice`, params: { fix: 'remove the duplicate' } });
    });
  }),
  {
    doc: 'The Kafka bootstrap servers. `SHIFTWATCH_BROKERS=h1:9092,h2:9092` sets them too.',
    what: 'a list of host:port', env: 'list',
    explain: (v): Complaint => {
      if (v === undefined || v === null) return { problem: 'is required', fix: `list the Kafka bootstrap servers as host:port, e.g. ${BROKERS_EXAMPLE}` };
      if (Array.isArray(v)) return { problem: 'must not be empty', fix: `list at least one host:port, e.g. ${BROKERS_EXAMPLE}` };
      const fix = typeof v === 'string' ? `write it as a YAML list: brokers: [${v.split(',').map((s) => s.trim()).join(', ')}]` : `e.g. ${BROKERS_EXAMPLE}`;
      return { problem: `must be a list of host:port strings, got ${describe(v)}`, fix };
    },
  },
);

const topic = (doc: string, def: string) => text(doc, { pattern: TOPIC, patternHint: "a Kafka topic name (1-249 letters, digits, '.', '_' or '-')", example: def, default: def });

const topics = section('The topics read and written.', {
  events: topic('Input: the prediction events to monitor.', 'shiftwatch.events'),
  alerts: topic('Output: drift alerts, one per state change.', 'shiftwatch.alerts'),
  deadLetters: topic('Output: events that could not be processed (malformed, too large), with the reason.', 'shiftwatch.dlq'),
  state: topic('Compacted topic holding window and detector state for restarts.', 'shiftwatch.state'),
  labels: topic('Input: delayed ground-truth labels `{model, id, label, ts?}`, joined to events by id (`ts`: when the label became known; default the broker timestamp).', 'shiftwatch.labels'),
  summaries: topic('Internal, with `replicas: shared`: the windows each replica cut, its partitions\' progress and the labels it read, keyed by model, for the replica that scores the model.', 'shiftwatch.summaries'),
}, { check: distinctTopics });

const tlsFile = (doc: string, example: string) => optional(path(doc, { example, mustExist: true }));

const sslOptions = z.strictObject({
  caFile: tlsFile('CA bundle (PEM) to trust; default: the system CAs.', 'certs/ca.pem'),
  certFile: tlsFile('Client certificate (PEM) for mutual TLS; needs keyFile.', 'certs/client.pem'),
  keyFile: tlsFile('Client private key (PEM) for mutual TLS; needs certFile.', 'certs/client.key'),
  rejectUnauthorized: flag('Verify the broker certificate.', true),
}).superRefine((s, ctx) => {
  if ((s.certFile === undefined) === (s.keyFile === undefined)) return;
  ctx.addIssue({
    code: 'custom', path: [s.certFile === undefined ? 'certFile' : 'keyFile'], message: 'is required when the other half of the client certificate is set',
    params: { fix: 'set both kafka.ssl.certFile and kafka.ssl.keyFile for mutual TLS, or neither' },
  });
});

/** false: plaintext; true: TLS with the system CAs; a mapping: TLS with these options. */
const ssl = withInfo(
  z.preprocess((v) => (v === true ? {} : v === false || v === null ? undefined : v), sslOptions.optional()).transform((v) => v ?? (false as const)),
  {
    ...mappingInfo('TLS to the brokers: `false` for plaintext, `true` for TLS with the system CAs, or a mapping of the keys below.'),
    what: 'false, true or a mapping', shown: '`false`', env: 'boolean',
    explain: (v) => ({
      problem: `must be false, true or a mapping, got ${describe(v)}`,
      fix: 'set kafka.ssl: false for plaintext, true for TLS with system CAs, or a mapping with caFile / certFile / keyFile / rejectUnauthorized',
    }),
  },
);

const sasl = optionalSection('SASL authentication (optional). The password is never written in the config.', {
  mechanism: choice('The SASL mechanism.', SASL_MECHANISMS),
  username: text('The SASL user name.', { example: 'shiftwatch' }),
  passwordEnv: optional(text('Name of the environment variable holding the password (exactly one of passwordEnv and passwordFile).', { pattern: ENV_NAME, patternHint: 'an environment variable name', example: 'KAFKA_PASSWORD' })),
  passwordFile: optional(path('File containing the password, e.g. a mounted secret (exactly one of passwordEnv and passwordFile).', { example: '/run/secrets/kafka-password', mustExist: true })),
}, { check: onePasswordSource, always: true }); // always: also when the mechanism is wrong, so every problem shows at once

export const kafka = section('The Kafka cluster, topics and client settings.', {
  brokers,
  clientId: text('Kafka client id (shows up in broker logs and quotas).', { default: 'shiftwatch' }),
  groupId: text('Consumer group; instances with the same group share the input partitions.', { default: 'shiftwatch' }),
  replicas: choice('How the replicas of one group share the work. `active-standby`: one replica reads every input partition and scores every model; the others stand by to take over. `shared`: each replica reads some input partitions and cuts their windows; each model\'s windows are ordered and scored by the replica that owns the model\'s partition of `topics.summaries`, with the same results as one replica.', ['active-standby', 'shared'], { default: 'active-standby' }),
  replicaId: optional(text('With `replicas: shared`: this replica\'s name, distinct per replica and the same across its restarts (its transactional ids end in it, so a restarted replica fences its previous process).', { example: 'shiftwatch-0', shown: 'the host name' })),
  summaryPartitions: num('With `replicas: shared`: the partition count of `topics.summaries` when shiftwatch creates it; at most this many replicas score models.', { integer: true, min: 1, max: 1000, default: 12 }),
  transactionalId: optional(text('Transactional id of the outputs (alerts, dead letters, state) and offsets, written in one Kafka transaction per delivery. One per group, shared by its replicas: the replica that becomes active, or a restarted process, fences the one that wrote before it.', { example: 'shiftwatch', shown: 'the `groupId`' })),
  topics,
  ssl,
  sasl,
  maxMessageBytes: num('Largest event accepted; larger ones are dead-lettered.', { integer: true, min: 1, max: MAX_MESSAGE_BYTES_LIMIT, default: 1048576 }),
  connectionTimeoutMs: num('At startup, how long the brokers may take to answer before the service stops with one line naming kafka.brokers (each attempt waits at most 3 s).', { integer: true, min: 1, default: 10_000 }),
  sessionTimeoutMs: num('Consumer group session timeout.', { integer: true, min: 1, default: 30_000 }),
  rebalanceTimeoutMs: num('How long a rebalance waits for members to rejoin; one that does not (e.g. this service\'s own member from before a broker outage) is dropped after it.', { integer: true, min: 1000, default: 6000 }),
  partitionIdleMs: num('An input partition with nothing left to read and no new event for this long stops holding back the other partitions\' windows.', { integer: true, min: 1, default: 2000 }),
});

/** The replica's id: `kafka.replicaId`, else the host name. */
export function replicaIdOf(k: { replicaId?: string | undefined }, host = hostname()): string {
  return k.replicaId ?? host;
}

/** The transactional id in effect: `kafka.transactionalId`, else the group id; shared replicas add their replica id. */
export function transactionalIdOf(k: { groupId: string; transactionalId?: string | undefined; replicas?: string; replicaId?: string | undefined }, host = hostname()): string {
  const base = k.transactionalId ?? k.groupId;
  return k.replicas === 'shared' ? `${base}-${replicaIdOf(k, host)}` : base;
}

function distinctTopics(topics: Record<string, string>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const [key, name] of Object.entries(topics)) {
    const first = seen.get(name);
    if (first === undefined) seen.set(name, `kafka.topics.${key}`);
    else ctx.addIssue({ code: 'custom', path: [key], message: `"${name}" is also ${first}`, params: { fix: 'give each topic a distinct name; reusing one would feed alerts or dead letters back in as events' } });
  }
}

function onePasswordSource(sasl: unknown, ctx: z.RefinementCtx): void {
  if (!isPlainObject(sasl)) return;
  const sources = [sasl.passwordEnv, sasl.passwordFile].filter((v) => v !== undefined && v !== null).length;
  if (sources === 1) return;
  ctx.addIssue({
    code: 'custom', path: [sources === 0 ? 'passwordEnv' : 'passwordFile'],
    message: sources === 0 ? 'is required (or passwordFile)' : 'cannot be combined with passwordEnv',
    params: { fix: 'set exactly one of kafka.sasl.passwordEnv (name of an environment variable holding the password) or kafka.sasl.passwordFile (path of a file containing it)' },
  });
}
