/** Service configuration: one YAML file plus SHIFTWATCH__* environment overrides, validated at startup. */
export type {
  AccuracyConfig, HeadlineChoice, AlertConfig, CountWindowConfig, LabelsConfig, LabelShiftEstimator, DetectionConfig, EventTimeWindowConfig, KafkaConfig, LogLevel, ModelConfig,
  ResolvedSecrets, SaslConfig, SaslMechanism, ShiftwatchConfig, SslConfig, WindowConfig,
} from './types.js';
export { parseConfig, type ParseOptions } from './schema.js';
export { applyEnvOverrides, BROKERS_SHORTHAND } from './env.js';
export { loadConfig, CONFIG_FILE_ENV, type LoadOptions } from './load.js';
export { resolveSecrets, redactedConfig } from './secrets.js';
export { type ConfigErrors, type ConfigProblem } from './problems.js';
