/** Thin HTTP adapters: Prometheus exposition, liveness/readiness, and a JSON status view. */
import { Controller, Get, Header, HttpException, HttpStatus, Inject, Res } from '@nestjs/common';
import type { ServiceRuntime } from '../service/runtime.js';
import { RUNTIME } from './tokens.js';
import { windowRecord } from '../core/pipeline/window-record.js';

interface RawResponse {
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

@Controller()
export class MetricsController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('metrics')
  async metrics(@Res() res: RawResponse): Promise<void> {
    res.setHeader('Content-Type', this.runtime.registry.contentType);
    res.send(await this.runtime.registry.metrics());
  }
}

@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  /** Liveness: the process answers. */
  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the Kafka consumer is running. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  ready(): { status: 'ready' } {
    if (!this.runtime.engine.isReady()) throw new HttpException({ status: 'starting' }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready' };
  }
}

@Controller('status')
export class StatusController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get()
  status(): unknown {
    return {
      ready: this.runtime.engine.isReady(),
      models: this.runtime.status.snapshot().map((s) => ({
        model: s.model,
        windowsClosed: s.windowsClosed,
        openWindowEvents: this.runtime.monitor.openWindowSizes().get(s.model) ?? 0,
        detectors: this.runtime.monitor.statuses(s.model),
        lastWindow: s.lastWindow && windowRecord(s.lastWindow),
        realized: [...s.realized.values()],
        lastAlert: s.lastAlert,
      })),
    };
  }
}
