import { parseConfig } from '../../../src/config/index.js';
import { configErrorFrom, lineFor, minimal, problemLines } from './fixtures.js';

/** Parses minimal() changed by `edit` and returns the error lines. */
function linesAfter(edit: (raw: Record<string, any>) => void): string[] {
  const raw = minimal();
  edit(raw);
  return problemLines(() => parseConfig(raw));
}

describe('parseConfig validation', () => {
  it('names the key and the fix for a wrong type', () => {
    const lines = linesAfter((r) => (r.http = { port: 'http' }));
    expect(lines).toEqual([
      'config http.port: must be an integer from 0 to 65535, got string "http". Fix: set http.port to an integer from 0 to 65535, e.g. 9464',
    ]);
  });

  it('suggests dropping the quotes around a number', () => {
    expect(lineFor(linesAfter((r) => (r.http = { port: '8080' })), 'http.port')).toContain('Fix: write the number without quotes: port: 8080');
  });

  it('rejects NaN, negative sizes and non-integers', () => {
    const lines = linesAfter((r) => {
      r.detection = { alpha: NaN };
      r.window = { size: -5 };
      r.alerts = { cooldownWindows: 1.5 };
    });
    expect(lineFor(lines, 'detection.alpha')).toMatch(/must be a finite number, got NaN\. Fix: set detection\.alpha/);
    expect(lineFor(lines, 'window.size')).toMatch(/must be an integer at least 1, got -5\. Fix: set window\.size to/);
    expect(lineFor(lines, 'alerts.cooldownWindows')).toMatch(/must be an integer at least 0, got 1\.5/);
  });

  it('checks ranges: alpha, maxMessageBytes, cusum, backoff order', () => {
    const lines = linesAfter((r) => {
      r.kafka.maxMessageBytes = 200 * 1024 * 1024;
      r.detection = { alpha: 0.7, cusum: { k: 0, expectedRunTimeWindows: 5 } };
      r.alerts = { initialBackoffMs: 500, maxBackoffMs: 100 };
    });
    expect(lineFor(lines, 'kafka.maxMessageBytes')).toContain('from 1 to 104857600');
    expect(lineFor(lines, 'detection.alpha')).toContain('greater than 0 and at most 0.5, got 0.7');
    expect(lineFor(lines, 'detection.cusum.k')).toContain('greater than 0');
    expect(lineFor(lines, 'detection.cusum.expectedRunTimeWindows')).toContain('at least 10');
    expect(lineFor(lines, 'alerts.maxBackoffMs')).toContain('less than alerts.initialBackoffMs (500)');
  });

  it('requires brokers and rejects an empty list, a string and malformed host:port', () => {
    expect(problemLines(() => parseConfig({ models: minimal().models }))[0]).toMatch(/^config kafka\.brokers: is required\. Fix: list the Kafka/);
    expect(lineFor(linesAfter((r) => (r.kafka.brokers = [])), 'kafka.brokers')).toContain('must not be empty. Fix: list at least one host:port');
    expect(lineFor(linesAfter((r) => (r.kafka.brokers = 'a:1,b:2')), 'kafka.brokers')).toContain('Fix: write it as a YAML list: brokers: [a:1, b:2]');
    const lines = linesAfter((r) => (r.kafka.brokers = ['ok:9092', 'kafka-1', 'h:99999', 'h:x', 7, '[::1]:9092']));
    expect(lines.map((l) => l.split(':')[0])).toEqual(['config kafka.brokers[1]', 'config kafka.brokers[2]', 'config kafka.brokers[3]', 'config kafka.brokers[4]']);
    expect(lines[0]).toContain('must be host:port with a port from 1 to 65535, got string "kafka-1". Fix: write it like');
  });

  it('rejects duplicate and malformed model names, and an empty model list', () => {
    const lines = linesAfter((r) => r.models.push({ name: 'fraud-v3', bundle: 'x.json' }, { name: '-bad name', bundle: 'y.json' }));
    expect(lineFor(lines, 'models[1].name')).toBe('config models[1].name: "fraud-v3" is already the name of models[0]. Fix: give every model a unique name');
    expect(lineFor(lines, 'models[2].name')).toContain("Fix: set models[2].name to a name of 1-64 letters, digits, '.', '_' or '-'");
    expect(lineFor(linesAfter((r) => (r.models = [])), 'models')).toContain('must list at least one model');
    expect(lineFor(linesAfter((r) => delete r.models[0].bundle), 'models[0].bundle')).toContain('is required. Fix: set models[0].bundle');
  });

  it('rejects an unknown window type with a suggestion', () => {
    const line = lineFor(linesAfter((r) => (r.window = { type: 'event_time' })), 'window.type');
    expect(line).toBe('config window.type: must be one of count, event-time, got string "event_time". Fix: did you mean `event-time`? set window.type to one of: count, event-time');
  });

  it('rejects keys of the other window type, naming where they were written', () => {
    const lines = linesAfter((r) => (r.models[0].window = { durationMs: 60000 }));
    expect(lineFor(lines, 'models[0].window.durationMs')).toBe(
      'config models[0].window.durationMs: belongs to event-time windows, but this window has type "count". ' +
        'Fix: remove models[0].window.durationMs, or set models[0].window.type: event-time',
    );
    expect(lineFor(linesAfter((r) => (r.window = { type: 'event-time', durationMs: 1000, size: 5 })), 'window.size'))
      .toContain('belongs to count windows');
    expect(lineFor(linesAfter((r) => (r.window = { type: 'event-time' })), 'window.durationMs')).toContain('is required');
  });

  it('rejects minEvents > size, also when inherited from the default window', () => {
    expect(lineFor(linesAfter((r) => (r.window = { size: 10, minEvents: 20 })), 'window.minEvents'))
      .toBe('config window.minEvents: 20 must not exceed the window size 10. Fix: lower minEvents to at most 10, or raise size');
    const lines = linesAfter((r) => {
      r.window = { minEvents: 500 };
      r.models[0].window = { size: 200 };
    });
    expect(lines).toEqual([
      'config models[0].window.minEvents: 500 (from window.minEvents) must not exceed the window size 200. Fix: lower minEvents to at most 200, or raise size',
    ]);
  });

  it('reports an error in the default window once, not once per model', () => {
    const lines = linesAfter((r) => {
      r.window = { size: 'big' };
      r.models.push({ name: 'second', bundle: 'b.json' });
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config window\.size: /);
  });

  it('rejects unknown keys at every level, suggesting the closest known key', () => {
    const lines = linesAfter((r) => {
      r.kafka.groupID = 'g';
      r.kafka.topics = { event: 'e' };
      r.models[0].windw = {};
      r.detection = { cusum: { kk: 1 } };
      r.colour = 'blue';
    });
    expect(lineFor(lines, 'kafka.groupID')).toBe('config kafka.groupID: unknown key. Fix: did you mean `groupId`? Rename it, or remove it');
    expect(lineFor(lines, 'kafka.topics.event')).toContain('did you mean `events`?');
    expect(lineFor(lines, 'models[0].windw')).toContain('did you mean `window`?');
    expect(lineFor(lines, 'detection.cusum.kk')).toContain('did you mean `k`?');
    expect(lineFor(lines, 'colour')).toContain('Fix: remove it; the known keys under the top level are: kafka, http, models,');
  });

  it('rejects an inline SASL password, pointing at passwordEnv / passwordFile', () => {
    const line = lineFor(linesAfter((r) => (r.kafka.sasl = { mechanism: 'plain', username: 'u', password: 'hunter2' })), 'kafka.sasl.password');
    expect(line).toMatch(/is not allowed\. Fix: .*kafka\.sasl\.passwordEnv.*kafka\.sasl\.passwordFile/);
    expect(line).not.toContain('hunter2');
  });

  it('requires exactly one SASL password source and a known mechanism', () => {
    const lines = linesAfter((r) => (r.kafka.sasl = { mechanism: 'scram-sha256', username: 'u' }));
    expect(lineFor(lines, 'kafka.sasl.mechanism')).toContain('did you mean `scram-sha-256`?');
    expect(lineFor(lines, 'kafka.sasl.passwordEnv')).toContain('is required (or passwordFile)');
    const both = linesAfter((r) => (r.kafka.sasl = { mechanism: 'plain', username: 'u', passwordEnv: 'P', passwordFile: '/etc/hostname' }));
    expect(lineFor(both, 'kafka.sasl.passwordFile')).toContain('cannot be combined with passwordEnv');
  });

  it('checks that TLS files exist and that certFile comes with keyFile', () => {
    const lines = linesAfter((r) => (r.kafka.ssl = { caFile: 'no/such/ca.pem', certFile: '/etc/hostname' }));
    expect(lineFor(lines, 'kafka.ssl.caFile')).toMatch(/file .*no\/such\/ca\.pem does not exist/);
    expect(lineFor(lines, 'kafka.ssl.keyFile')).toContain('set both kafka.ssl.certFile and kafka.ssl.keyFile');
    expect(lineFor(linesAfter((r) => (r.kafka.ssl = 'yes')), 'kafka.ssl')).toContain('must be false, true or a mapping, got string "yes"');
  });

  it('rejects distinct topics sharing a name and says that the test choices were removed', () => {
    const lines = linesAfter((r) => {
      r.kafka.topics = { alerts: 'shiftwatch.events' };
      r.detection = { numericTest: 'psi', categoricalTest: 'chi2' };
    });
    expect(lineFor(lines, 'kafka.topics.alerts')).toContain('is also kafka.topics.events');
    expect(lineFor(lines, 'detection.numericTest')).toContain('was removed: numeric features are always tested with Kolmogorov-Smirnov (Wasserstein distance and PSI are always reported');
    expect(lineFor(lines, 'detection.categoricalTest')).toBe('config detection.categoricalTest: was removed: categorical features are always tested with chi-square. Fix: remove detection.categoricalTest');
  });

  it('names the retired idleCloseMs where it was written and points to kafka.partitionIdleMs', () => {
    const lines = linesAfter((r) => {
      r.window = { idleCloseMs: 5000 };
      r.models[0].window = { type: 'event-time', durationMs: 1000, idleCloseMs: 100 };
    });
    expect(lines).toHaveLength(2);
    expect(lineFor(lines, 'window.idleCloseMs')).toBe(
      'config window.idleCloseMs: was replaced: windows now close when every input partition has read past them, and an idle partition ' +
        'stops holding them back after kafka.partitionIdleMs. Fix: remove window.idleCloseMs (set kafka.partitionIdleMs to change the idle time, default 2000)',
    );
    expect(lineFor(lines, 'models[0].window.idleCloseMs')).toContain('Fix: remove models[0].window.idleCloseMs');
  });

  it('reports window problems together with problems elsewhere', () => {
    const lines = linesAfter((r) => {
      r.http = { port: 'http' };
      r.models[0].window = { size: 10, minEvents: 20 };
      r.models[0].schema = { categorical: ['a'], numeric: ['a'] };
    });
    expect(lines.map((l) => l.split(':')[0])).toEqual(['config http.port', 'config models[0].schema', 'config models[0].window.minEvents']);
  });

  it('collects all problems into one ConfigError, keyed by the first', () => {
    const raw = { kafka: { brokers: [] }, models: [{ name: 'm', bundle: 'b' }], http: { port: -1 }, logLevel: 'verbose' };
    const error = configErrorFrom(() => parseConfig(raw));
    expect(error.key).toBe('kafka.brokers');
    expect(error.problems.map((p) => p.key)).toEqual(['kafka.brokers', 'http.port', 'logLevel']);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message.split('\n').every((l) => /^config \S+: .+\. Fix: .+/.test(l))).toBe(true);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(problemLines(() => parseConfig(['a']))[0]).toMatch(/^config \(top level\): must be a mapping of keys, got a list/);
  });
});

describe('model schema overrides', () => {
  const base = { kafka: { brokers: ['k:9092'] } };
  it('are read per model', () => {
    const c = parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { categorical: ['zip'], exclude: ['src'] } }] });
    expect(c.models[0]!.schema).toEqual({ categorical: ['zip'], numeric: [], exclude: ['src'], context: [] });
    const timed = parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { timeColumn: 'event_time', context: ['day_of_week', 'hour'] } }] });
    expect(timed.models[0]!.schema).toEqual({ categorical: [], numeric: [], exclude: [], timeColumn: 'event_time', context: ['day_of_week', 'hour'] });
  });
  it('reject a time column that is not a column name, and a context that is not a list', () => {
    expect(() => parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { timeColumn: 3 } }] })).toThrow(/models\[0\]\.schema\.timeColumn: must be a string/);
    expect(() => parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { context: 'hour' } }] })).toThrow(/models\[0\]\.schema\.context: must be a list of column names/);
  });
  it('reject a column listed as both kinds and a non-list', () => {
    expect(() => parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { categorical: ['zip'], numeric: ['zip'] } }] })).toThrow(/models\[0\]\.schema: zip listed as both categorical and numeric/);
    expect(() => parseConfig({ ...base, models: [{ name: 'm', bundle: 'b', schema: { exclude: 'src' } }] })).toThrow(/models\[0\]\.schema\.exclude: must be a list of column names/);
  });
});
