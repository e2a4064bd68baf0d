/**
 * The shape of the configuration: every known key and the kind of its value. The validator uses it
 * for unknown-key detection (with did-you-mean) and the environment overrides use it to match
 * variable segments case-insensitively and to parse values.
 */
export type Leaf = 'string' | 'number' | 'boolean' | 'list';

export interface Section {
  readonly fields: Readonly<Record<string, Node>>;
  /** The value may also be a boolean (kafka.ssl: false / true). */
  readonly orBoolean?: boolean;
}

export interface List {
  readonly items: Node;
}

export type Node = Leaf | Section | List;

export const COUNT_WINDOW_KEYS = ['type', 'size', 'minEvents'] as const;
export const EVENT_TIME_WINDOW_KEYS = ['type', 'durationMs', 'minEvents', 'allowedLatenessMs'] as const;

/** Keys of earlier versions, still recognised only to say what replaced them. */
export const RETIRED_KEYS: ReadonlySet<string> = new Set(['idleCloseMs']);

const WINDOW: Section = {
  fields: { type: 'string', size: 'number', minEvents: 'number', durationMs: 'number', allowedLatenessMs: 'number', idleCloseMs: 'number' },
};

export const SHAPE: Section = {
  fields: {
    kafka: {
      fields: {
        brokers: 'list',
        clientId: 'string',
        groupId: 'string',
        topics: { fields: { events: 'string', alerts: 'string', deadLetters: 'string', state: 'string', labels: 'string' } },
        ssl: {
          orBoolean: true,
          fields: { caFile: 'string', certFile: 'string', keyFile: 'string', rejectUnauthorized: 'boolean' },
        },
        sasl: { fields: { mechanism: 'string', username: 'string', passwordEnv: 'string', passwordFile: 'string' } },
        maxMessageBytes: 'number',
        connectionTimeoutMs: 'number',
        sessionTimeoutMs: 'number',
        rebalanceTimeoutMs: 'number',
        partitionIdleMs: 'number',
      },
    },
    http: { fields: { host: 'string', port: 'number', webConfigFile: 'string' } },
    models: { items: { fields: { name: 'string', bundle: 'string', window: WINDOW, schema: { fields: { categorical: 'list', numeric: 'list', exclude: 'list', timeColumn: 'string', context: 'list' } } } } },
    window: WINDOW,
    detection: {
      fields: {
        alpha: 'number',
        correction: 'string',
        numericTest: 'string',
        categoricalTest: 'string',
        cusum: { fields: { k: 'number', expectedRunTimeWindows: 'number' } },
        effectFloor: { fields: { numeric: 'number', categorical: 'number' } },
        resolveAfterCleanWindows: 'number',
      },
    },
    alerts: {
      fields: { cooldownWindows: 'number', publishRetries: 'number', initialBackoffMs: 'number', maxBackoffMs: 'number', publishTimeoutMs: 'number' },
    },
    accuracy: { fields: { headline: 'string', floor: 'number', coverage: 'number', backtestWindows: 'number' } },
    labelShift: { fields: { estimator: 'string', priorRowsPerClass: 'number' } },
    flow: { fields: { scorer: 'string', batchSize: 'number' } },
    labels: { fields: { ttlMs: 'number', maxEntries: 'number', minLabeled: 'number', maxBytes: 'number' } },
    health: { fields: { stallAfterMs: 'number' } },
    validation: { fields: { maxFutureMs: 'number', maxPastMs: 'number', earliestTimestamp: 'string' } },
    limits: { fields: { maxSeries: 'number' } },
    logLevel: 'string',
  },
};

/** Keys that are deliberately not supported, with the fix to give instead of "unknown key". */
export const REJECTED_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'kafka.sasl': {
    password:
      'passwords are never written in the config; remove it and set kafka.sasl.passwordEnv to the name of an ' +
      'environment variable holding the password, or kafka.sasl.passwordFile to a file containing it',
  },
};

export function isSection(node: Node): node is Section {
  return typeof node === 'object' && 'fields' in node;
}

export function isList(node: Node): node is List {
  return typeof node === 'object' && 'items' in node;
}

/** Known keys of the section at `path` (e.g. "kafka.ssl"; array indices written as [n]). */
export function sectionAt(path: string): Section {
  let node: Node = SHAPE;
  for (const part of path.split(/\.|\[\d+\]/).filter((p) => p !== '')) {
    if (isList(node)) node = node.items;
    if (!isSection(node) || node.fields[part] === undefined) throw new Error(`no config section ${path}`);
    node = node.fields[part]!;
  }
  if (isList(node)) node = node.items;
  if (!isSection(node)) throw new Error(`config key ${path} is not a section`);
  return node;
}
