/** Keeps the latest window report per model for the JSON status API. Bounded: one entry per model. */
import type { WindowReport } from '../core/pipeline/monitor.js';
import type { Alert } from '../core/alerts/alert.js';

export interface ModelStatus {
  model: string;
  lastWindow: WindowReport | undefined;
  lastAlert: Alert | undefined;
  windowsClosed: number;
}

export class StatusBoard {
  private readonly models = new Map<string, ModelStatus>();

  constructor(modelNames: readonly string[]) {
    for (const model of modelNames) this.models.set(model, { model, lastWindow: undefined, lastAlert: undefined, windowsClosed: 0 });
  }

  window(report: WindowReport): void {
    const s = this.models.get(report.model);
    if (s) Object.assign(s, { lastWindow: report, windowsClosed: s.windowsClosed + 1 });
  }

  alert(alert: Alert): void {
    const s = this.models.get(alert.model);
    if (s) s.lastAlert = alert;
  }

  snapshot(): ModelStatus[] {
    return [...this.models.values()].map((s) => ({ ...s }));
  }
}
