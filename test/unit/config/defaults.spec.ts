import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadConfig, parseConfig } from '../../../src/config/index.js';
import { CONFIG_SCHEMA } from '../../../src/config/schema.js';
import { transactionalIdOf } from '../../../src/config/kafka.js';
import { everyKey } from '../../../src/config/walk.js';
import { minimal } from './fixtures.js';

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../config/shiftwatch.example.yaml');

describe('parseConfig defaults', () => {
  it('fills every default from a minimal config', () => {
    const config = parseConfig(minimal(), { baseDir: '/srv/shiftwatch' });
    expect(config).toEqual({
      kafka: {
        brokers: ['kafka-0:9092'],
        clientId: 'shiftwatch',
        groupId: 'shiftwatch',
        replicas: 'active-standby',
        summaryPartitions: 12,
        topics: { events: 'shiftwatch.events', alerts: 'shiftwatch.alerts', deadLetters: 'shiftwatch.dlq', state: 'shiftwatch.state', labels: 'shiftwatch.labels', summaries: 'shiftwatch.summaries' },
        ssl: false,
        maxMessageBytes: 1048576,
        connectionTimeoutMs: 10000,
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: 6000,
        partitionIdleMs: 2000,
      },
      http: { host: '0.0.0.0', port: 9464 },
      models: [{ name: 'fraud-v3', bundle: '/srv/shiftwatch/bundles/fraud.json', window: { type: 'count', size: 1000, minEvents: 100 }, schema: { categorical: [], numeric: [], exclude: [], context: [] } }],
      window: { type: 'count', size: 1000, minEvents: 100 },
      detection: { alpha: 0.05, correction: 'bh', cusum: { k: 0.5, expectedRunTimeWindows: 1000 }, effectFloor: { numeric: 0, categorical: 0 }, resolveAfterCleanWindows: 2 },
      alerts: { cooldownWindows: 3, publishRetries: 8, initialBackoffMs: 100, maxBackoffMs: 2000, publishTimeoutMs: 300000 },
      limits: { maxSeries: 50000 },
      logLevel: 'info',
      accuracy: { headline: 'selected', coverage: 0.9, backtestWindows: 20 },
      labelShift: { estimator: 'mlls', priorRowsPerClass: 2 },
      labels: { ttlMs: 604800000, maxEntries: 1000000, minLabeled: 100, maxBytes: 67108864, rebuildWindows: 64, order: 'arrival' },
      flow: { scorer: 'auto', batchSize: 1024 },
      health: { stallAfterMs: 3000 },
      validation: { maxFutureMs: 86400000, earliestTimestamp: '2000-01-01T00:00:00Z' },
    });
    expect(config.kafka.sasl).toBeUndefined();
  });

  it('returns a deeply frozen object', () => {
    const config = parseConfig(minimal());
    expect(Object.isFrozen(config.kafka.topics)).toBe(true);
    expect(Object.isFrozen(config.models[0]!.window)).toBe(true);
  });

  it('treats empty YAML sections (null) as all defaults', () => {
    const config = parseConfig({ ...minimal(), http: null, alerts: null });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(config.alerts.maxBackoffMs).toBe(2000);
  });

  it('derives the transactional id from the group unless it is set', () => {
    expect(transactionalIdOf(parseConfig({ ...minimal(), kafka: { brokers: ['k:1'], groupId: 'canary' } }).kafka)).toBe('canary');
    expect(transactionalIdOf(parseConfig({ ...minimal(), kafka: { brokers: ['k:1'], groupId: 'canary', transactionalId: 'canary-0' } }).kafka)).toBe('canary-0');
  });

  it('gives each shared replica its own transactional id: its replicaId, else the host name', () => {
    const shared = (kafka: Record<string, unknown>) => parseConfig({ ...minimal(), kafka: { brokers: ['k:1'], groupId: 'canary', replicas: 'shared', ...kafka } }).kafka;
    expect(transactionalIdOf(shared({ replicaId: 'r-1' }))).toBe('canary-r-1');
    expect(transactionalIdOf(shared({}), 'node-7')).toBe('canary-node-7');
  });

  it('derives minEvents from size, and event-time windows allow no lateness by default', () => {
    expect(parseConfig({ ...minimal(), window: { size: 40 } }).window).toEqual({ type: 'count', size: 40, minEvents: 40 });
    expect(parseConfig({ ...minimal(), window: { type: 'event-time', durationMs: 5000 } }).window)
      .toEqual({ type: 'event-time', durationMs: 5000, minEvents: 100, allowedLatenessMs: 0 });
  });

  it('merges a model window over the default key by key, recomputing derived defaults', () => {
    const raw = minimal();
    raw.window = { size: 50 };
    raw.models = [
      { name: 'a', bundle: 'a.json' },
      { name: 'b', bundle: 'b.json', window: { size: 5000 } },
      { name: 'c', bundle: 'c.json', window: { type: 'event-time', durationMs: 1000, allowedLatenessMs: 500 } },
    ];
    const [a, b, c] = parseConfig(raw).models;
    expect(a!.window).toEqual({ type: 'count', size: 50, minEvents: 50 });
    expect(b!.window).toEqual({ type: 'count', size: 5000, minEvents: 100 });
    expect(c!.window).toEqual({ type: 'event-time', durationMs: 1000, minEvents: 100, allowedLatenessMs: 500 });
  });

  it('accepts ssl: true as TLS with system CAs', () => {
    expect(parseConfig({ ...minimal(), kafka: { brokers: ['k:9093'], ssl: true } }).kafka.ssl).toEqual({ rejectUnauthorized: true });
  });
});

describe('config/shiftwatch.example.yaml', () => {
  it('loads cleanly and shows exactly the defaults', () => {
    const config = loadConfig({ file: EXAMPLE, env: {} });
    const base = dirname(EXAMPLE);
    expect(config.models[0]!.bundle).toBe(resolve(base, 'bundles/fraud-v3'));
    const defaults = parseConfig(
      { kafka: { brokers: ['localhost:9092'] }, models: [{ name: 'fraud-v3', bundle: 'bundles/fraud-v3' }] },
      { baseDir: base },
    );
    expect(config).toEqual(defaults);
  });

  it('shows every known key, each with a comment', () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const keys = new Set(everyKey(CONFIG_SCHEMA).map(({ key }) => key.split(/\.|\[\]\./).pop()!));
    expect(keys.size).toBeGreaterThan(60);
    for (const key of keys) {
      const line = lines.find((l) => new RegExp(`^[\\s#-]*${key}:`).test(l));
      expect([key, line !== undefined]).toEqual([key, true]);
      expect([key, line!.replace(/^\s*#/, '').includes('#') || /:\s*$/.test(line!)]).toEqual([key, true]);
    }
  });
});
