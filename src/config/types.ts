/**
 * The validated service configuration's types, derived from the schema (schema.ts). A parsed
 * config is deep-frozen and free of secrets: passwords and TLS material are referenced (env var
 * name, file path) and read by `resolveSecrets` into a separate `ResolvedSecrets` object.
 */
import type { ShiftwatchConfig } from './schema.js';
import type { WebSecurity } from './web-config.js';

export type { ShiftwatchConfig } from './schema.js';
export { FLOW_SCORERS, LOG_LEVELS, MODEL_NAME_PATTERN } from './schema.js';
export { MAX_MESSAGE_BYTES_LIMIT, SASL_MECHANISMS } from './kafka.js';
export { WINDOW_TYPES, type CountWindowConfig, type EventTimeWindowConfig, type WindowConfig } from './window.js';
export { HEADLINE_CHOICES, LABEL_SHIFT_METHODS as LABEL_SHIFT_ESTIMATORS } from '../core/predictions/estimators.js';
export type { HeadlineChoice, LabelShiftMethod as LabelShiftEstimator } from '../core/predictions/estimators.js';

export type KafkaConfig = ShiftwatchConfig['kafka'];
/** File paths are absolute (relative ones are resolved against the config file's directory). */
export type SslConfig = Exclude<KafkaConfig['ssl'], false>;
/** Exactly one of `passwordEnv` / `passwordFile` is set. */
export type SaslConfig = NonNullable<KafkaConfig['sasl']>;
export type SaslMechanism = SaslConfig['mechanism'];
export type HttpConfig = ShiftwatchConfig['http'];
export type ModelConfig = ShiftwatchConfig['models'][number];
export type SchemaOverrides = ModelConfig['schema'];
export type DetectionConfig = ShiftwatchConfig['detection'];
export type AlertConfig = ShiftwatchConfig['alerts'];
export type AccuracyConfig = ShiftwatchConfig['accuracy'];
export type LabelsConfig = ShiftwatchConfig['labels'];
export type FlowConfig = ShiftwatchConfig['flow'];
export type FlowScorerChoice = FlowConfig['scorer'];
export type HealthConfig = ShiftwatchConfig['health'];
export type ValidationConfig = ShiftwatchConfig['validation'];
export type LogLevel = ShiftwatchConfig['logLevel'];

/** Secret material read at startup. Kept out of `ShiftwatchConfig`; serialises as redacted. */
export interface ResolvedSecrets {
  saslPassword?: string;
  ssl?: { ca?: string; cert?: string; key?: string };
  /** The HTTP endpoints' TLS material and users, from http.webConfigFile. */
  web?: WebSecurity;
}
