/**
 * The validated service configuration. Produced only by `parseConfig` / `loadConfig`, deep-frozen,
 * and free of secrets: passwords and TLS material are referenced (env var name, file path) and read
 * by `resolveSecrets` into a separate `ResolvedSecrets` object.
 */
import type { WebSecurity } from './web-config.js';

export interface ShiftwatchConfig {
  kafka: KafkaConfig;
  http: HttpConfig;
  models: ModelConfig[];
  /** Default window for every model; a model's `window` overrides it key by key. */
  window: WindowConfig;
  detection: DetectionConfig;
  alerts: AlertConfig;
  limits: { maxSeries: number };
  logLevel: LogLevel;
  accuracy: AccuracyConfig;
  labelShift: { estimator: LabelShiftEstimator; priorRowsPerClass: number };
  labels: LabelsConfig;
  flow: FlowConfig;
  health: HealthConfig;
  validation: ValidationConfig;
}

export interface HttpConfig {
  host: string;
  port: number;
  /** Absolute path of a web configuration file (TLS, basic auth users), Prometheus-exporter style. */
  webConfigFile?: string;
}

/** When `/ready` turns false on its own evidence (the broker and the consumer are watched directly). */
export interface HealthConfig {
  /** Input waiting with nothing handled for this long, or one send pending this long, makes the service not ready. */
  stallAfterMs: number;
}

/** Input checks beyond the contract's types. */
export interface ValidationConfig {
  /** Events whose `ts` is further ahead of their broker timestamp are dead-lettered (reason timestamp_out_of_range). */
  maxFutureMs: number;
  /** Events whose `ts` is further behind their broker timestamp are dead-lettered; absent: no limit. */
  maxPastMs?: number;
  /** Events whose `ts` is earlier than this (an ISO-8601 time, checked at load) are dead-lettered. */
  earliestTimestamp: string;
}

export const FLOW_SCORERS = ['auto', 'onnx', 'tfjs', 'off'] as const;
export type FlowScorerChoice = (typeof FLOW_SCORERS)[number];

/** How models whose bundle has a density flow score it. */
export interface FlowConfig {
  /** auto: ONNX Runtime, falling back to tfjs when the flow cannot be exported; off: no flow tests. */
  scorer: FlowScorerChoice;
  /** Rows per ONNX Runtime / tfjs call. */
  batchSize: number;
}

export { HEADLINE_CHOICES, LABEL_SHIFT_METHODS as LABEL_SHIFT_ESTIMATORS } from '../core/predictions/estimators.js';
export type { HeadlineChoice, LabelShiftMethod as LabelShiftEstimator } from '../core/predictions/estimators.js';
import type { HeadlineChoice, LabelShiftMethod as LabelShiftEstimator } from '../core/predictions/estimators.js';

export interface AccuracyConfig {
  /** What the model's accuracy shows and the floor alert uses: `selected` (chosen by backtest) or a fixed estimator. */
  headline: HeadlineChoice;
  /** Alert when the headline estimate's interval lies entirely below this accuracy. */
  floor?: number;
  /** Two-sided coverage of the accuracy intervals. */
  coverage: number;
  /** Labelled windows the backtest (and the adaptive intervals) look back over. */
  backtestWindows: number;
}

export interface LabelsConfig {
  /** How long a prediction waits for its label (and a label for its prediction), processing time. */
  ttlMs: number;
  /** Most predictions and waiting labels held at once; the oldest are evicted beyond it. */
  maxEntries: number;
  /** Labels a window needs before its realized accuracy is published. */
  minLabeled: number;
  /** Estimated bytes the label join may hold per model; the oldest entries are evicted beyond it. */
  maxBytes: number;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: { events: string; alerts: string; deadLetters: string; state: string; labels: string };
  ssl: false | SslConfig;
  sasl?: SaslConfig;
  maxMessageBytes: number;
  connectionTimeoutMs: number;
  sessionTimeoutMs: number;
  /** How long the group waits for its members to rejoin in a rebalance; members that have not are dropped. */
  rebalanceTimeoutMs: number;
  /** A caught-up input partition without new events for this long stops holding back other partitions' windows. */
  partitionIdleMs: number;
}

/** File paths are absolute (relative ones are resolved against the config file's directory). */
export interface SslConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized: boolean;
}

/** Exactly one of `passwordEnv` / `passwordFile` is set. */
export interface SaslConfig {
  mechanism: SaslMechanism;
  username: string;
  passwordEnv?: string;
  passwordFile?: string;
}

export interface ModelConfig {
  name: string;
  /** Absolute path of the model's reference bundle. */
  bundle: string;
  /** The top-level `window` merged with the model's own overrides. */
  window: WindowConfig;
  /** Overrides of the feature schema that `shiftwatch fit --config` infers from reference data. */
  schema: SchemaOverrides;
}

export interface SchemaOverrides {
  categorical: string[];
  numeric: string[];
  exclude: string[];
  /** The reference's time column (`fit --time-column`); absent: the file's order is the time order. */
  timeColumn?: string;
  /** Declared seasonal / context features (`fit --context`). */
  context: string[];
}

export type WindowConfig = CountWindowConfig | EventTimeWindowConfig;

export interface CountWindowConfig {
  type: 'count';
  size: number;
  minEvents: number;
}

export interface EventTimeWindowConfig {
  type: 'event-time';
  durationMs: number;
  minEvents: number;
  /** How far an event may lag behind the newest event of its partition and still count in its own window. */
  allowedLatenessMs: number;
}

export interface DetectionConfig {
  alpha: number;
  correction: 'bh' | 'bonferroni';
  numericTest: 'ks';
  categoricalTest: 'chi2';
  cusum: { k: number; expectedRunTimeWindows: number };
  /** Smallest effect that can flag a feature, on top of what the reference's own chunks reached. */
  effectFloor: { numeric: number; categorical: number };
  /** After an alarm, consecutive windows not significant at alpha that resolve it. */
  resolveAfterCleanWindows: number;
}

export interface AlertConfig {
  cooldownWindows: number;
  publishRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long a retriable publish failure is retried before the pipeline halts. */
  publishTimeoutMs: number;
}

/** Secret material read at startup. Kept out of `ShiftwatchConfig`; serialises as redacted. */
export interface ResolvedSecrets {
  saslPassword?: string;
  ssl?: { ca?: string; cert?: string; key?: string };
  /** The HTTP endpoints' TLS material and users, from http.webConfigFile. */
  web?: WebSecurity;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const WINDOW_TYPES = ['count', 'event-time'] as const;
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_MESSAGE_BYTES_LIMIT = 100 * 1024 * 1024;
