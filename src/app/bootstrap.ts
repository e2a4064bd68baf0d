/** Starts the hybrid Nest application (HTTP + Kafka transport) for a runtime. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { ServiceRuntime } from '../service/runtime.js';
import type { Logger } from '../logging.js';
import { AppModule } from './app.module.js';
import { ShiftwatchKafkaTransport } from './kafka.transport.js';

function nestLogger(logger: Logger): LoggerService {
  const text = (m: unknown) => (typeof m === 'string' ? m : JSON.stringify(m));
  return {
    log: (m: unknown) => logger.debug(text(m)),
    error: (m: unknown) => logger.error(text(m)),
    warn: (m: unknown) => logger.warn(text(m)),
    debug: (m: unknown) => logger.debug(text(m)),
    verbose: (m: unknown) => logger.debug(text(m)),
  };
}

export async function startService(runtime: ServiceRuntime): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRuntime(runtime), { logger: nestLogger(runtime.logger), abortOnError: false });
  app.connectMicroservice({ strategy: new ShiftwatchKafkaTransport(runtime.engine) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(runtime.config.http.port, runtime.config.http.host);
  runtime.logger.info(`serving /metrics, /health, /ready and /status on ${await app.getUrl()}`);
  return app;
}
