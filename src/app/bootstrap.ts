/**
 * Starts the hybrid Nest application: HTTP first (liveness answers at once, readiness says
 * "starting"), then the brokers are checked and the Kafka transport starts the consumer.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { ServiceRuntime } from '../service/runtime.js';
import type { Logger } from '../logging.js';
import { ConfigError } from '../core/errors.js';
import { checkBrokers } from '../kafka/client.js';
import { AppModule } from './app.module.js';
import { webGuard } from './web-guard.js';
import { ShiftwatchKafkaTransport } from './kafka.transport.js';

/** Nest's log lines through ours; errors while `quiet()` holds are left to the caller to report (as one line). */
function nestLogger(logger: Logger, quiet: () => boolean): LoggerService {
  const text = (m: unknown) => (typeof m === 'string' ? m : JSON.stringify(m));
  return {
    log: (m: unknown) => logger.debug(text(m)),
    error: (m: unknown) => (quiet() ? logger.debug(text(m)) : logger.error(text(m))),
    warn: (m: unknown) => logger.warn(text(m)),
    debug: (m: unknown) => logger.debug(text(m)),
    verbose: (m: unknown) => logger.debug(text(m)),
  };
}

/** Serves /metrics, /health, /ready and /status. Throws a ConfigError naming http.port when the address is taken. */
export async function startHttp(runtime: ServiceRuntime): Promise<INestApplication> {
  let listening = false;
  const web = runtime.secrets.web;
  const tls = web?.tls;
  const httpsOptions = tls && {
    cert: tls.cert, key: tls.key, minVersion: tls.minVersion,
    ...(tls.ca ? { ca: tls.ca } : {}),
    requestCert: tls.clientAuth !== 'NoClientCert',
    rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
  };
  const app = await NestFactory.create(AppModule.forRuntime(runtime), { logger: nestLogger(runtime.logger, () => !listening), abortOnError: false, ...(httpsOptions ? { httpsOptions } : {}) });
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  if (web !== undefined) app.use(webGuard(web));
  const { host, port } = runtime.config.http;
  try {
    await app.listen(port, host);
    listening = true;
  } catch (error) {
    await app.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError('http.port', `${host}:${port} is already in use by another process`, 'stop that process, or set http.port to a free port (0 picks one)');
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new ConfigError(code === 'EACCES' ? 'http.port' : 'http.host', `cannot listen on ${host}:${port} (${code})`, code === 'EACCES' ? 'use a port above 1023, or grant the process the right to bind low ports' : 'set http.host to an address of this machine, or 0.0.0.0');
    throw error;
  }
  const guarded = web !== undefined && web.users.size > 0 ? ' (/metrics and /status with basic auth)' : '';
  runtime.logger.info(`serving /metrics, /health, /ready and /status on ${(await app.getUrl()).replace(/^http:/, tls ? 'https:' : 'http:')}${guarded}`);
  return app;
}

/** Checks that the brokers answer (within kafka.connectionTimeoutMs), then starts consuming. */
export async function startKafka(app: INestApplication, runtime: ServiceRuntime): Promise<void> {
  await checkBrokers(runtime.config, runtime.secrets);
  app.connectMicroservice({ strategy: new ShiftwatchKafkaTransport(runtime.engine) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}

export async function startService(runtime: ServiceRuntime): Promise<INestApplication> {
  const app = await startHttp(runtime);
  try {
    await startKafka(app, runtime);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
