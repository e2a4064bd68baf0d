/**
 * The configuration, declared once: every key with its type, range, default and what it does.
 * The parsed config's types, the validation and its messages, the SHIFTWATCH__* environment
 * overrides and docs/configuration.md all come from CONFIG_SCHEMA. parseConfig validates a plain
 * object (parsed YAML after env overrides), fills the defaults, and reports every problem together.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { HEADLINE_CHOICES, LABEL_SHIFT_METHODS } from '../core/predictions/estimators.js';
import { LABEL_ORDERS } from '../core/labels/label-queue.js';
import { choice, columns, mappingInfo, num, optional, path, refined, section, text, withInfo, type Complaint } from './fields.js';
import { reportIssues } from './issues.js';
import { kafka } from './kafka.js';
import { Problems, describe, isPlainObject } from './problems.js';
import { resolvePaths } from './walk.js';
import { defaultWindow, modelWindow, resolveWindow, type ReportAt, type WindowConfig } from './window.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const FLOW_SCORERS = ['auto', 'onnx', 'tfjs', 'off'] as const;
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DEFAULT_EARLIEST_TIMESTAMP = '2000-01-01T00:00:00Z';
const MODELS_EXAMPLE = 'models: [{ name: fraud-v3, bundle: bundles/fraud-v3 }]';

const http = section('The HTTP endpoints: /metrics, /health, /ready and /status.', {
  host: text('Address to listen on.', { default: '0.0.0.0' }),
  port: num('Port to listen on; 0 picks a free port.', { integer: true, min: 0, max: 65535, default: 9464 }),
  webConfigFile: optional(path('TLS and basic auth for the endpoints, in the shape of Prometheus exporters\' web config (`tls_server_config`, `basic_auth_users`); /metrics and /status then need a user, /health and /ready stay open. See docs/operations.md.', { example: 'web-config.yml' })),
});

const modelSchema = section('Overrides of the feature schema that `shiftwatch fit --config` infers from the reference data.', {
  categorical: columns('Columns to treat as categories even if they look numeric.'),
  numeric: columns('Columns to treat as numbers.'),
  exclude: columns('Columns that are not features.'),
  timeColumn: optional(text('The reference\'s time column: fit sorts rows by it; absent: the file\'s order is the time order.', { example: 'event_time' })),
  context: columns('Declared seasonal or context features (they never alert on their own; must be feature columns).'),
}, {
  check: (s, ctx) => {
    const both = s.categorical.filter((c) => s.numeric.includes(c));
    if (both.length > 0) ctx.addIssue({ code: 'custom', message: `${both.join(', ')} listed as both categorical and numeric`, params: { fix: 'list each column under one of them' } });
  },
});

const model = withInfo(z.strictObject({
  name: text('The model\'s name as it appears in events, metrics and alerts.', {
    pattern: MODEL_NAME_PATTERN, patternHint: "a name of 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit", example: 'fraud-v3',
  }),
  bundle: path('The reference bundle directory written by `shiftwatch fit`.', { example: 'bundles/fraud-v3' }),
  window: modelWindow,
  schema: modelSchema,
}), mappingInfo('A model to monitor.'));

const models = withInfo(z.array(model).min(1).superRefine((list: unknown, ctx) => {
  if (!Array.isArray(list)) return;
  const names = new Map<unknown, number>();
  list.forEach((m: unknown, i) => {
    const name = isPlainObject(m) && typeof m.name === 'string' ? m.name : undefined;
    const first = names.get(name);
    if (name === undefined) return;
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${name}" is already the name of models[${first}]`, params: { fix: 'give every model a unique name' } });
    else names.set(name, i);
  });
}, { when: () => true }), {
  doc: 'The models to monitor (at least one); names are unique.', what: 'a list of models',
  explain: (v): Complaint => {
    if (v === undefined) return { problem: 'is required', fix: `add at least one model with a name and a reference bundle, e.g. ${MODELS_EXAMPLE}` };
    if (v === null || Array.isArray(v)) return { problem: 'must list at least one model', fix: `add at least one model with a name and a reference bundle, e.g. ${MODELS_EXAMPLE}` };
    return { problem: `must be a list of models, got ${describe(v)}`, fix: `write each model as a list item, e.g. ${MODELS_EXAMPLE}` };
  },
});

const detection = section('The per-feature tests and the sequential (CUSUM) control over windows.', {
  alpha: num('Per-window level: the Benjamini-Hochberg or Bonferroni level for naming features, and the significance that keeps a drift episode open.', { above: 0, max: 0.5, default: 0.05 }),
  correction: choice('Multiple-testing correction across features.', ['bh', 'bonferroni'], { default: 'bh' }),
  cusum: section('The CUSUM over each detector\'s per-window statistic.', {
    k: num('CUSUM slack, in standard deviations.', { above: 0, default: 0.5 }),
    expectedRunTimeWindows: num('Windows between false alarms when nothing shifts. Each detector\'s threshold also allows for how alike consecutive windows of the reference are.', { min: 10, default: 1000 }),
  }),
  effectFloor: section('The smallest effect that can flag a feature, on top of what the reference\'s own chunks reached.', {
    numeric: num('For numeric features: Wasserstein distance in reference standard deviations.', { min: 0, default: 0 }),
    categorical: num('For categorical features: Jensen-Shannon distance.', { min: 0, max: 1, default: 0 }),
  }),
  resolveAfterCleanWindows: num('Consecutive windows not significant at alpha that end a drift episode.', { integer: true, min: 1, default: 2 }),
});

const alerts = section('Alert suppression and publishing to the output topics.', {
  cooldownWindows: num('After a drift episode resolves, windows in which a new alarm is suppressed (and counted).', { integer: true, min: 0, default: 3 }),
  publishRetries: num('Failed publish attempts (alerts, dead letters, state) logged as warnings before they are logged as errors; input offsets wait meanwhile, so nothing is lost.', { integer: true, min: 0, default: 8 }),
  initialBackoffMs: num('Delay before the first publish retry.', { integer: true, min: 1, default: 100 }),
  maxBackoffMs: num('Cap on the retry delay; at least initialBackoffMs.', { integer: true, min: 1, default: 2000 }),
  publishTimeoutMs: num('How long a retriable publish failure is retried before the pipeline halts (not ready, nothing committed, /health 503); a non-retriable one halts at once.', { integer: true, min: 1, default: 300_000 }),
}, {
  check: (a, ctx) => {
    if (a.maxBackoffMs >= a.initialBackoffMs) return;
    ctx.addIssue({
      code: 'custom', path: ['maxBackoffMs'], message: `${a.maxBackoffMs} is less than alerts.initialBackoffMs (${a.initialBackoffMs})`,
      params: { fix: 'set alerts.maxBackoffMs to at least alerts.initialBackoffMs, or lower initialBackoffMs' },
    });
  },
});

const accuracy = section('Accuracy without labels, for models whose events carry prediction.probs or prediction.logits.', {
  headline: choice('What the model\'s accuracy shows and the floor alert uses: `selected` (the estimator a backtest on the labelled windows selects, else no-change) or a fixed estimator.', HEADLINE_CHOICES, { default: 'selected' }),
  floor: optional(num('Alert when the headline estimate\'s interval lies entirely below this accuracy; absent: no floor alert.', { above: 0, max: 1, example: 0.85 })),
  coverage: num('Two-sided coverage of the accuracy intervals.', { min: 0.5, max: 0.99, default: 0.9 }),
  backtestWindows: num('Labelled windows the backtest and the adaptive intervals look back over.', { integer: true, min: 3, max: 1000, default: 20 }),
});

const labelShift = section('Class-proportion estimates and the label-shift test.', {
  estimator: choice('Class-proportion estimator: `mlls` (MAP-EM on BCTS-calibrated posteriors), `bbse` or `rlls`.', LABEL_SHIFT_METHODS, { default: 'mlls' }),
  priorRowsPerClass: num('Pseudo-rows per class of MAP-EM\'s prior on the reference mix (0: plain MLLS).', { min: 0, default: 2 }),
});

const flow = section('Scoring of the density flow, for models whose bundle has one (`shiftwatch fit --flow`).', {
  scorer: choice('`auto`: ONNX Runtime, falling back to tfjs when the flow cannot be exported; `off`: no flow tests.', FLOW_SCORERS, { default: 'auto' }),
  batchSize: num('Rows per ONNX Runtime / tfjs call.', { integer: true, min: 1, max: 1_000_000, default: 1024 }),
});

const labels = section('The join of delayed labels to predictions.', {
  ttlMs: num('How long a prediction waits for its label, and a label for its prediction (processing time).', { integer: true, min: 1, default: 7 * 24 * 3600 * 1000 }, '`604800000` (7 days)'),
  maxEntries: num('Most predictions and waiting labels held at once; the oldest are evicted (and counted).', { integer: true, min: 1, default: 1_000_000 }),
  minLabeled: num('Labels a window needs before its realized accuracy is published.', { integer: true, min: 1, default: 100 }),
  maxBytes: num('Estimated bytes the label join may hold per model; the oldest entries are evicted beyond it (and counted).', { integer: true, min: 1024, default: 64 * 1024 * 1024 }, '`67108864` (64 MiB)'),
  rebuildWindows: num(
    'Released windows whose predictions a restart puts back into the label join, by reading their events again (with shared replicas, the summaries records), so that their labels still count after a restart, a crash or a rebalance. The input partitions are committed no further than the first event of these windows and of the labels joined to them: the group\'s commits trail what was read by up to this many windows (a lag monitor that reads commits sees that; /ready and the logs use the read position), and a restart reads that much again. 0: a restart forgets the predictions of released windows (their later labels count as unmatched).',
    { integer: true, min: 0, max: 1000, default: 64 }),
  order: choice(
    'When a label counts: `arrival`, as soon as it is read; `event-time`, a window is tested after every label stamped before its last event and none later (the labels partitions join the windows\' release order), so the accuracy backtest and floor alerts are the same for any read order, replica layout and restart. Labels then need a `ts` on the events\' clock.',
    LABEL_ORDERS, { default: 'arrival' }),
});

const health = section('When /ready turns false on its own evidence.', {
  stallAfterMs: num('/ready turns 503 when input waits and none is handled for this long, or when one send to an output topic is pending this long.', { integer: true, min: 100, default: 3000 }),
});

const validation = section('Input checks beyond the contract\'s types.', {
  maxFutureMs: num('Events whose ts is further ahead of their broker timestamp are dead-lettered (timestamp_out_of_range).', { integer: true, min: 0, default: 24 * 3600 * 1000 }, '`86400000` (1 day)'),
  maxPastMs: optional(num('Events whose ts is further behind their broker timestamp are dead-lettered; absent: no limit.', { integer: true, min: 1, example: 2_592_000_000 })),
  earliestTimestamp: refined(
    text('Events whose ts is earlier than this are dead-lettered.', { patternHint: 'an ISO-8601 time', default: DEFAULT_EARLIEST_TIMESTAMP, example: DEFAULT_EARLIEST_TIMESTAMP }),
    (t, ctx) => {
      if (Number.isNaN(Date.parse(t))) ctx.addIssue({ code: 'custom', message: `${describe(t)} is not an ISO-8601 time`, params: { fix: `write it like ${DEFAULT_EARLIEST_TIMESTAMP}` } });
    },
  ),
});

const limits = section('Resource limits.', {
  maxSeries: num('Metric series the loaded bundles may create; startup stops above it.', { integer: true, min: 1, default: 50000 }),
});

const KEYS = z.strictObject({
  kafka,
  http,
  models,
  window: defaultWindow,
  detection,
  alerts,
  accuracy,
  labelShift,
  flow,
  labels,
  health,
  validation,
  limits,
  logLevel: choice('Log level.', LOG_LEVELS, { default: 'info' }),
});

type Keys = z.output<typeof KEYS>;

/** Checks the windows of every model, merged over the default; runs even when other keys are invalid. */
function checkWindows(config: unknown, ctx: z.RefinementCtx): void {
  if (!isPlainObject(config)) return;
  const report: ReportAt = (path, c) => ctx.addIssue({ code: 'custom', path: [...path], message: c.problem, params: { fix: c.fix } });
  resolveWindow([{ path: ['window'], raw: config.window }], report);
  if (!Array.isArray(config.models)) return;
  config.models.forEach((m: unknown, i) => {
    if (isPlainObject(m)) resolveWindow([{ path: ['window'], raw: config.window }, { path: ['models', i, 'window'], raw: m.window }], report);
  });
}

/** The valid config with every window settled (checkWindows passed, so none is undefined). */
function settleWindows(config: Keys) {
  const settle = (...raws: unknown[]): WindowConfig => resolveWindow(raws.map((raw) => ({ path: [], raw })))!;
  return {
    ...config,
    window: settle(config.window),
    models: config.models.map((m) => ({ ...m, window: settle(config.window, m.window) })),
  };
}

export const CONFIG_SCHEMA = withInfo(
  KEYS.superRefine(checkWindows, { when: () => true }).transform(settleWindows),
  mappingInfo('The shiftwatch configuration.'),
);

export type ShiftwatchConfig = z.output<typeof CONFIG_SCHEMA>;

export interface ParseOptions {
  /** Directory that relative paths (bundles, TLS and password files) are resolved against; default cwd. */
  baseDir?: string;
}

export function parseConfig(raw: unknown, options: ParseOptions = {}): ShiftwatchConfig {
  const p = new Problems();
  const config = collectConfig(p, raw, options).config;
  p.throwIfAny();
  return config!;
}

/**
 * Like parseConfig but reports into `p` instead of throwing. `checked` is what was validated (the
 * input with its paths resolved), for the checks that follow even when the config is invalid.
 */
export function collectConfig(p: Problems, raw: unknown, options: ParseOptions = {}): { config?: ShiftwatchConfig; checked: unknown } {
  const checked = resolvePaths(CONFIG_SCHEMA, raw ?? {}, resolve(options.baseDir ?? process.cwd()));
  const result = CONFIG_SCHEMA.safeParse(checked);
  if (result.success) return { config: deepFreeze(result.data), checked };
  reportIssues(p, CONFIG_SCHEMA, checked, result.error.issues);
  return { checked };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
