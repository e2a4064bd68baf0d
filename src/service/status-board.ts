/** Keeps the latest window report per model for the JSON status API. Bounded: one entry per model. */
import type { WindowReport } from '../core/pipeline/monitor.js';
import type { Alert } from '../core/alerts/alert.js';
import type { RealizedReport } from '../core/pipeline/label-tracker.js';

const REALIZED_KEPT = 50;

export interface ModelStatus {
  model: string;
  lastWindow: WindowReport | undefined;
  lastAlert: Alert | undefined;
  windowsClosed: number;
  /** Realized accuracy of the most recent labelled windows, keyed by window id. */
  realized: Map<string, RealizedReport>;
}

export class StatusBoard {
  private readonly models = new Map<string, ModelStatus>();

  constructor(modelNames: readonly string[]) {
    for (const model of modelNames) this.models.set(model, { model, lastWindow: undefined, lastAlert: undefined, windowsClosed: 0, realized: new Map() });
  }

  window(report: WindowReport): void {
    const s = this.models.get(report.model);
    if (s) Object.assign(s, { lastWindow: report, windowsClosed: s.windowsClosed + 1 });
  }

  alert(alert: Alert): void {
    const s = this.models.get(alert.model);
    if (s) s.lastAlert = alert;
  }

  realized(report: RealizedReport): void {
    const s = this.models.get(report.model);
    if (s === undefined) return;
    s.realized.delete(report.windowId);
    s.realized.set(report.windowId, report);
    for (const key of s.realized.keys()) {
      if (s.realized.size <= REALIZED_KEPT) break;
      s.realized.delete(key);
    }
  }

  snapshot(): ModelStatus[] {
    return [...this.models.values()].map((s) => ({ ...s }));
  }
}
