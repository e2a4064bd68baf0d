/** What the service does once a delivery committed: metrics and listeners learn of its alerts, windows and realized reports. */
import type { Alert } from '../core/alerts/alert.js';
import type { WindowReport } from '../core/pipeline/model-runtime.js';
import type { RealizedReport } from '../core/pipeline/label-tracker.js';
import type { MetricsRecorder } from '../metrics/recorder.js';

export interface IngestListener {
  alert?(alert: Alert): void;
  realized?(report: RealizedReport): void;
  window?(report: WindowReport): void;
}

export function announceDelivered(out: { alerts: readonly Alert[]; windows: readonly WindowReport[]; realized: readonly RealizedReport[] }, metrics: MetricsRecorder, listener: IngestListener): void {
  for (const a of out.alerts) {
    metrics.m.alertsEmitted.inc({ model: a.model, detector: a.detector, status: a.status });
    listener.alert?.(a);
  }
  // Window reports go out after their alerts, so whoever sees a window closed sees its alerts too.
  for (const report of out.windows) {
    metrics.window(report);
    listener.window?.(report);
  }
  for (const r of out.realized) {
    metrics.realized(r);
    listener.realized?.(r);
  }
}
