/** Builds the kafkajs client from validated configuration and resolved secrets. */
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { ResolvedSecrets, ShiftwatchConfig } from '../config/index.js';
import type { Logger } from '../logging.js';

export function createKafka(config: ShiftwatchConfig, secrets: ResolvedSecrets, logger: Logger): Kafka {
  const k = config.kafka;
  const options: KafkaJsConfig = {
    clientId: k.clientId,
    brokers: k.brokers,
    connectionTimeout: k.connectionTimeoutMs,
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => ({ level, log }) => {
      const text = `kafkajs ${log.message}`;
      const fields = { logger: log.logger, ...(log.error ? { error: String(log.error) } : {}) };
      if (level <= KafkaLogLevel.ERROR) logger.error(text, fields);
      else logger.warn(text, fields);
    },
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  };
  if (k.ssl !== false) {
    options.ssl = {
      rejectUnauthorized: k.ssl.rejectUnauthorized,
      ...(secrets.ssl?.ca ? { ca: [secrets.ssl.ca] } : {}),
      ...(secrets.ssl?.cert ? { cert: secrets.ssl.cert } : {}),
      ...(secrets.ssl?.key ? { key: secrets.ssl.key } : {}),
    };
  }
  if (k.sasl !== undefined) {
    options.sasl = { mechanism: k.sasl.mechanism, username: k.sasl.username, password: secrets.saslPassword ?? '' } as SASLOptions;
  }
  return new Kafka(options);
}
