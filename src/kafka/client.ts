/** Builds the kafkajs client from validated configuration and resolved secrets, and checks at startup that the brokers answer. */
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { ResolvedSecrets, ShiftwatchConfig } from '../config/index.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../logging.js';

/** One connection attempt waits at most this long (or kafka.connectionTimeoutMs when shorter). */
const ATTEMPT_TIMEOUT_MS = 3000;

/**
 * Whether a kafkajs log line is an error in the service's log. kafkajs logs at ERROR level every
 * error answer of a broker and every failure it is about to retry; those are warnings here, since a
 * failure that lasts comes back to the service, which logs it as an error itself (a delivery that
 * keeps failing, a halt, a consumer that crashes, a broker that stops answering: once per outage).
 * Log-based alerting then pages for what failed for good, or for an outage once, not for each
 * failed connection or for a coordinator that moved during a broker restart.
 */
export function kafkajsLineIsError(level: KafkaLogLevel, log: { message: string; retryCount?: unknown }): boolean {
  if (level > KafkaLogLevel.ERROR) return false;
  if (log.retryCount !== undefined) return false;
  return !RETRIED_LINES.some((start) => log.message.startsWith(start));
}

/** How kafkajs's ERROR lines about an answer it handles, or a retry, begin (kafkajs 2.2). */
const RETRIED_LINES = [
  'Response ', 'Restarting the consumer in ', 'Failed to connect to broker, reconnecting', 'The coordinator is not aware of this member, re-joining the group',
  // Each failed connection, several a second while a broker is down: the broker probe logs one error per outage.
  'Connection error: ', 'Connection timeout',
];

/**
 * The client's retry, which kafkajs also gives the cluster under every producer, consumer and admin
 * (connecting, metadata, finding coordinators), whatever retry those were created with. Waits
 * double from 300 ms up to 2 s, for about 40 s in all: a wait capped at 10 s (as before) meant that
 * a client retrying through a broker outage could sleep up to 10 s after the broker was back, and
 * the broker chaos test saw a producer connect 9 s after the restarted broker answered.
 */
const CLUSTER_RETRY = { initialRetryTime: 300, maxRetryTime: 2000, retries: 22 };

/** A client for the service (logging through `logger`), or a silent one that does not retry (logger undefined). */
export function createKafka(config: ShiftwatchConfig, secrets: ResolvedSecrets, logger: Logger | undefined): Kafka {
  const k = config.kafka;
  const options: KafkaJsConfig = {
    clientId: k.clientId,
    brokers: k.brokers,
    connectionTimeout: Math.min(ATTEMPT_TIMEOUT_MS, k.connectionTimeoutMs),
    logLevel: logger === undefined ? KafkaLogLevel.NOTHING : KafkaLogLevel.WARN,
    retry: logger === undefined ? { retries: 0 } : CLUSTER_RETRY,
  };
  if (logger !== undefined) {
    options.logCreator = () => ({ level, log }) => {
      const text = `kafkajs ${log.message}`;
      const fields = { logger: log.logger, ...(log.error ? { error: String(log.error) } : {}) };
      if (kafkajsLineIsError(level, log)) logger.error(text, fields);
      else logger.warn(text, fields);
    };
  }
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

/**
 * Resolves once a broker answers a metadata request; retries quietly until kafka.connectionTimeoutMs
 * has passed, then throws one ConfigError naming the key to fix (kafka.sasl for a refused login,
 * kafka.ssl for a failed TLS handshake, else kafka.brokers).
 */
export async function checkBrokers(config: ShiftwatchConfig, secrets: ResolvedSecrets): Promise<void> {
  const kafka = createKafka(config, secrets, undefined);
  const deadline = Date.now() + config.kafka.connectionTimeoutMs;
  let last: unknown = new Error('connected, but no answer to the first request');
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const attempts = async (): Promise<void> => {
    while (!gaveUp) {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
        return;
      } catch (error) {
        last = error;
        if (isLoginRefused(error)) throw error;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(500, deadline - Date.now()))));
    }
  };
  // A silent address holds an attempt until its own timeout: the deadline does not wait for it.
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(last), config.kafka.connectionTimeoutMs);
  });
  try {
    await Promise.race([attempts(), expired]);
  } catch (error) {
    throw brokerError(config, error);
  } finally {
    gaveUp = true;
    clearTimeout(timer);
  }
}

const isLoginRefused = (error: unknown) => /SASL|authentication/i.test(`${(error as Error)?.name} ${(error as Error)?.message}`);

function brokerError(config: ShiftwatchConfig, error: unknown): ConfigError {
  const k = config.kafka;
  const why = error instanceof Error ? error.message : String(error);
  const seconds = (k.connectionTimeoutMs / 1000).toFixed(1);
  if (isLoginRefused(error)) {
    return new ConfigError('kafka.sasl', `the broker refused the login of user "${k.sasl?.username ?? ''}" (${why})`, 'check kafka.sasl.mechanism, kafka.sasl.username and the password that kafka.sasl.passwordEnv or passwordFile provides');
  }
  if (/certificate|SSL|TLS|handshake|self.signed/i.test(why)) {
    return new ConfigError('kafka.ssl', `the TLS connection to ${k.brokers.join(', ')} failed (${why})`, 'check kafka.ssl (caFile for a private CA, certFile/keyFile for mutual TLS) and that the brokers listen with TLS on these ports');
  }
  return new ConfigError('kafka.brokers', `no broker answered at ${k.brokers.join(', ')} within ${seconds} s (${why})`,
    'list reachable brokers as host:port in kafka.brokers (or SHIFTWATCH_BROKERS), check the network and firewall, and raise kafka.connectionTimeoutMs if the brokers are slow to answer');
}
