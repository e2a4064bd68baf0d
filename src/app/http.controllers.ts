/** Thin HTTP adapters: Prometheus exposition, liveness/readiness, and a JSON status view. */
import { Controller, Get, Header, HttpException, HttpStatus, Inject, Res } from '@nestjs/common';
import type { ServiceRuntime } from '../service/runtime.js';
import type { CheckStatus } from '../service/readiness.js';
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
    this.runtime.metrics.health(this.runtime.readiness.report());
    res.setHeader('Content-Type', this.runtime.registry.contentType);
    res.send(await this.runtime.registry.metrics());
  }
}

const shown = (checks: readonly CheckStatus[]) => checks.map((c) => ({ ...c, since: new Date(c.since).toISOString() }));
const statusesOrElsewhere = (statuses: object | undefined) => (statuses === undefined ? { scoredElsewhere: true } : { detectors: statuses });

@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  /** Liveness: the process answers, and its pipeline has not halted (a halted one needs a restart). */
  @Get('health')
  @Header('Cache-Control', 'no-store')
  health(): { status: 'ok' } {
    const report = this.runtime.readiness.report();
    if (!report.live) throw new HttpException({ status: 'halted', reason: report.reason }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok' };
  }

  /** Readiness: consuming, the broker answering, input handled, outputs published; else 503 with the reason. */
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  ready(): { status: 'ready'; checks: unknown } {
    const report = this.runtime.readiness.report();
    if (!report.ready) throw new HttpException({ status: 'not_ready', reason: report.reason, checks: shown(report.checks) }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready', checks: shown(report.checks) };
  }
}

@Controller('status')
export class StatusController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get()
  status(): unknown {
    const report = this.runtime.readiness.report();
    return {
      ready: report.ready,
      ...(report.reason ? { reason: report.reason } : {}),
      models: this.runtime.status.snapshot().map((s) => ({
        model: s.model,
        windowsClosed: s.windowsClosed,
        openWindowEvents: this.runtime.monitor.openWindowSizes().get(s.model) ?? 0,
        // Shared replicas: another replica scores this model; its /status has the detectors.
        ...statusesOrElsewhere(this.runtime.statuses(s.model)),
        lastWindow: s.lastWindow && windowRecord(s.lastWindow),
        realized: [...s.realized.values()],
        lastAlert: s.lastAlert,
      })),
    };
  }
}
