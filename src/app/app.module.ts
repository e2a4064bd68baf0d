import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceRuntime } from '../service/runtime.js';
import { HealthController, MetricsController, StatusController } from './http.controllers.js';
import { RUNTIME } from './tokens.js';

/** The whole Nest application: it only wires the runtime to HTTP; the Kafka side is a transport. */
@Module({})
export class AppModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AppModule,
      controllers: [MetricsController, HealthController, StatusController],
      providers: [{ provide: RUNTIME, useValue: runtime }],
    };
  }
}
