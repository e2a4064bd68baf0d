/**
 * parseConfig: validates a plain object (parsed YAML after env overrides) into a ShiftwatchConfig,
 * filling defaults. Every problem is collected and thrown together as one ConfigError.
 */
import { resolve } from 'node:path';
import { parseKafka } from './kafka.js';
import { Problems, describe, join } from './problems.js';
import { num, oneOf, section, str, type Obj } from './readers.js';
import {
  HEADLINE_CHOICES, LABEL_SHIFT_ESTIMATORS, LOG_LEVELS,
  FLOW_SCORERS, MODEL_NAME_PATTERN,
  type AlertConfig, type DetectionConfig, type ValidationConfig, type ModelConfig, type SchemaOverrides, type ShiftwatchConfig,
} from './types.js';
import { parseWindow } from './window.js';

export interface ParseOptions {
  /** Directory that relative paths (bundles, TLS and password files) are resolved against; default cwd. */
  baseDir?: string;
}

export function parseConfig(raw: unknown, options: ParseOptions = {}): ShiftwatchConfig {
  const p = new Problems();
  const config = collectConfig(p, raw, options);
  p.throwIfAny();
  return config as ShiftwatchConfig;
}

/** Like parseConfig but reports into `p` instead of throwing (loadConfig merges env problems in). */
export function collectConfig(p: Problems, raw: unknown, options: ParseOptions = {}): ShiftwatchConfig | undefined {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const root = section(p, '', raw);
  if (root === undefined) return undefined;
  const kafka = parseKafka(p, root.kafka, baseDir);
  const http = section(p, 'http', root.http);
  const host = str(p, http, 'http', 'host', '0.0.0.0');
  const port = num(p, http, 'http', 'port', 9464, { integer: true, min: 0, max: 65535 });
  const webConfigFile = http?.webConfigFile === undefined ? undefined : str(p, http, 'http', 'webConfigFile', undefined, { example: 'web-config.yml' });
  const window = parseWindow(p, [{ path: 'window', raw: root.window }]);
  const models = parseModels(p, root.models, root.window, baseDir);
  const detection = parseDetection(p, root.detection);
  const alerts = parseAlerts(p, root.alerts);
  const limits = section(p, 'limits', root.limits);
  const maxSeries = num(p, limits, 'limits', 'maxSeries', 50000, { integer: true, min: 1 });
  const logLevel = oneOf(p, root, '', 'logLevel', 'info', LOG_LEVELS);
  const accuracyObj = section(p, 'accuracy', root.accuracy);
  const floor = accuracyObj?.floor === undefined || accuracyObj.floor === null ? undefined
    : num(p, accuracyObj, 'accuracy', 'floor', undefined, { above: 0, max: 1 });
  const accuracy = {
    headline: oneOf(p, accuracyObj, 'accuracy', 'headline', 'selected', HEADLINE_CHOICES),
    ...(floor === undefined ? {} : { floor }),
    coverage: num(p, accuracyObj, 'accuracy', 'coverage', 0.9, { min: 0.5, max: 0.99 }),
    backtestWindows: num(p, accuracyObj, 'accuracy', 'backtestWindows', 20, { integer: true, min: 3, max: 1000 }),
  };
  const labelShiftObj = section(p, 'labelShift', root.labelShift);
  const labelShift = {
    estimator: oneOf(p, labelShiftObj, 'labelShift', 'estimator', 'mlls', LABEL_SHIFT_ESTIMATORS),
    priorRowsPerClass: num(p, labelShiftObj, 'labelShift', 'priorRowsPerClass', 2, { min: 0 }),
  };
  const labelsObj = section(p, 'labels', root.labels);
  const labels = {
    ttlMs: num(p, labelsObj, 'labels', 'ttlMs', 7 * 24 * 3600 * 1000, { integer: true, min: 1 }),
    maxEntries: num(p, labelsObj, 'labels', 'maxEntries', 1_000_000, { integer: true, min: 1 }),
    minLabeled: num(p, labelsObj, 'labels', 'minLabeled', 100, { integer: true, min: 1 }),
    maxBytes: num(p, labelsObj, 'labels', 'maxBytes', 64 * 1024 * 1024, { integer: true, min: 1024 }),
  };
  const healthObj = section(p, 'health', root.health);
  const health = { stallAfterMs: num(p, healthObj, 'health', 'stallAfterMs', 3000, { integer: true, min: 100 }) };
  const validation = parseValidation(p, root.validation);
  const flowObj = section(p, 'flow', root.flow);
  const flow = {
    scorer: oneOf(p, flowObj, 'flow', 'scorer', 'auto', FLOW_SCORERS),
    batchSize: num(p, flowObj, 'flow', 'batchSize', 1024, { integer: true, min: 1, max: 1_000_000 }),
  };
  const config = { kafka, http: { host, port, ...(webConfigFile === undefined ? {} : { webConfigFile: resolve(baseDir, webConfigFile) }) }, models, window, detection, alerts, limits: { maxSeries }, logLevel, accuracy, labelShift, labels, flow, health, validation };
  return deepFreeze(config) as ShiftwatchConfig;
}

function parseModels(p: Problems, raw: unknown, defaultWindow: unknown, baseDir: string): ModelConfig[] | undefined {
  const example = 'models: [{ name: fraud-v3, bundle: bundles/fraud-v3 }]';
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    p.add('models', raw === undefined ? 'is required' : 'must list at least one model',
      `add at least one model with a name and a reference bundle, e.g. ${example}`);
    return undefined;
  }
  if (!Array.isArray(raw)) {
    p.add('models', `must be a list of models, got ${describe(raw)}`, `write each model as a list item, e.g. ${example}`);
    return undefined;
  }
  const names = new Map<string, number>();
  const models = raw.map((item: unknown, i): ModelConfig | undefined => {
    const path = join('models', i);
    const obj = section(p, path, item);
    const name = str(p, obj, path, 'name', undefined, {
      pattern: MODEL_NAME_PATTERN,
      patternHint: "a name of 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit",
      example: 'fraud-v3',
    });
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        p.add(join(path, 'name'), `"${name}" is already the name of models[${first}]`, 'give every model a unique name');
      } else names.set(name, i);
    }
    const bundle = str(p, obj, path, 'bundle', undefined, { example: 'bundles/fraud-v3' });
    const window = obj === undefined ? undefined
      : parseWindow(p, [{ path: 'window', raw: defaultWindow }, { path: join(path, 'window'), raw: obj.window }]);
    const schema = parseSchemaOverrides(p, obj, join(path, 'schema'));
    if (name === undefined || bundle === undefined || window === undefined || schema === undefined) return undefined;
    return { name, bundle: resolve(baseDir, bundle), window, schema };
  });
  return models.every((m) => m !== undefined) ? (models as ModelConfig[]) : undefined;
}

function parseSchemaOverrides(p: Problems, model: Obj | undefined, path: string): SchemaOverrides | undefined {
  const obj = section(p, path, model?.schema);
  if (obj === undefined) return undefined;
  const out: SchemaOverrides = { categorical: [], numeric: [], exclude: [], context: [] };
  const timeColumn = obj.timeColumn === undefined || obj.timeColumn === null ? undefined : str(p, obj, path, 'timeColumn', undefined, { example: 'event_time' });
  if (timeColumn !== undefined) out.timeColumn = timeColumn;
  for (const key of ['categorical', 'numeric', 'exclude', 'context'] as const) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || !v.every((c) => typeof c === 'string' && c !== '')) {
      p.add(join(path, key), `must be a list of column names, got ${describe(v)}`, `write it as a list, e.g. ${key}: [country, device]`);
      return undefined;
    }
    out[key] = v as string[];
  }
  const both = out.categorical.filter((c) => out.numeric.includes(c));
  if (both.length > 0) p.add(path, `${both.join(', ')} listed as both categorical and numeric`, 'list each column under one of them');
  return out;
}

function parseDetection(p: Problems, raw: unknown): DetectionConfig {
  const path = 'detection';
  const obj = section(p, path, raw);
  const cusum = section(p, 'detection.cusum', obj?.cusum);
  const floor = section(p, 'detection.effectFloor', obj?.effectFloor);
  const always = 'wasserstein distance and PSI are always reported as statistics; only the KS test is supported as the numeric test';
  return {
    alpha: num(p, obj, path, 'alpha', 0.05, { above: 0, max: 0.5 }),
    correction: oneOf(p, obj, path, 'correction', 'bh', ['bh', 'bonferroni'] as const),
    numericTest: oneOf(p, obj, path, 'numericTest', 'ks', ['ks'] as const,
      { wasserstein: `${always}; set detection.numericTest: ks`, psi: `${always}; set detection.numericTest: ks` }),
    categoricalTest: oneOf(p, obj, path, 'categoricalTest', 'chi2', ['chi2'] as const),
    cusum: {
      k: num(p, cusum, 'detection.cusum', 'k', 0.5, { above: 0 }),
      expectedRunTimeWindows: num(p, cusum, 'detection.cusum', 'expectedRunTimeWindows', 1000, { min: 10 }),
    },
    effectFloor: {
      numeric: num(p, floor, 'detection.effectFloor', 'numeric', 0, { min: 0 }),
      categorical: num(p, floor, 'detection.effectFloor', 'categorical', 0, { min: 0, max: 1 }),
    },
    resolveAfterCleanWindows: num(p, obj, path, 'resolveAfterCleanWindows', 2, { integer: true, min: 1 }),
  } as DetectionConfig;
}

function parseAlerts(p: Problems, raw: unknown): AlertConfig {
  const path = 'alerts';
  const obj: Obj | undefined = section(p, path, raw);
  const initialBackoffMs = num(p, obj, path, 'initialBackoffMs', 100, { integer: true, min: 1 });
  const maxBackoffMs = num(p, obj, path, 'maxBackoffMs', 2000, { integer: true, min: 1 });
  if (initialBackoffMs !== undefined && maxBackoffMs !== undefined && maxBackoffMs < initialBackoffMs) {
    p.add('alerts.maxBackoffMs', `${maxBackoffMs} is less than alerts.initialBackoffMs (${initialBackoffMs})`,
      'set alerts.maxBackoffMs to at least alerts.initialBackoffMs, or lower initialBackoffMs');
  }
  return {
    cooldownWindows: num(p, obj, path, 'cooldownWindows', 3, { integer: true, min: 0 }),
    publishRetries: num(p, obj, path, 'publishRetries', 8, { integer: true, min: 0 }),
    initialBackoffMs,
    maxBackoffMs,
    publishTimeoutMs: num(p, obj, path, 'publishTimeoutMs', 300_000, { integer: true, min: 1 }),
  } as AlertConfig;
}

const DEFAULT_EARLIEST_TIMESTAMP = '2000-01-01T00:00:00Z';

function parseValidation(p: Problems, raw: unknown): ValidationConfig {
  const path = 'validation';
  const obj = section(p, path, raw);
  const maxPastMs = obj?.maxPastMs === undefined || obj.maxPastMs === null ? undefined
    : num(p, obj, path, 'maxPastMs', undefined, { integer: true, min: 1 });
  const earliest = str(p, obj, path, 'earliestTimestamp', DEFAULT_EARLIEST_TIMESTAMP, { example: DEFAULT_EARLIEST_TIMESTAMP });
  if (earliest !== undefined && Number.isNaN(Date.parse(earliest))) {
    p.add('validation.earliestTimestamp', `${describe(earliest)} is not an ISO-8601 time`, `write it like ${DEFAULT_EARLIEST_TIMESTAMP}`);
  }
  return {
    maxFutureMs: num(p, obj, path, 'maxFutureMs', 24 * 3600 * 1000, { integer: true, min: 0 }),
    ...(maxPastMs === undefined ? {} : { maxPastMs }),
    earliestTimestamp: earliest,
  } as ValidationConfig;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
