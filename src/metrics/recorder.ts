/**
 * Creates every catalogued metric on an injected registry (never the global one) and turns the
 * monitor's outputs into metric updates. Plain TypeScript: the Nest module only provides it.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DRIFT_STATUS_VALUE, INGEST_OUTCOMES, METRICS, PUBLISH_OUTCOMES, SINKS, STAGES, WINDOW_OUTCOMES, type MetricDef } from './catalog.js';
import type { MonitorObserver, WindowReport } from '../core/pipeline/monitor.js';
import type { ReferenceBundle } from '../core/reference/bundle-types.js';
import type { DeadLetterReason } from '../core/contract/event.js';
import { DEAD_LETTER_REASONS } from '../core/contract/event.js';

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

function create(registry: Registry, m: MetricDef): AnyMetric {
  const base = { name: m.name, help: m.help, labelNames: [...m.labelNames], registers: [registry] };
  if (m.type === 'counter') return new Counter(base);
  if (m.type === 'gauge') return new Gauge(base);
  return new Histogram({ ...base, buckets: [...(m.buckets ?? [])] });
}

export class MetricsRecorder implements MonitorObserver {
  readonly m: { [K in keyof typeof METRICS]: (typeof METRICS)[K]['type'] extends 'counter' ? Counter<string> : (typeof METRICS)[K]['type'] extends 'gauge' ? Gauge<string> : Histogram<string> };

  constructor(
    readonly registry: Registry,
    private readonly eventsTopic: string,
  ) {
    const out: Record<string, AnyMetric> = {};
    for (const [key, def] of Object.entries(METRICS)) out[key] = create(registry, def);
    this.m = out as MetricsRecorder['m'];
  }

  /** Sets info gauges and starts every known series at 0. */
  initialise(version: string, bundles: ReadonlyArray<{ bundle: ReferenceBundle; windowType: string; cusumThreshold: number }>): void {
    const m = this.m;
    m.buildInfo.set({ version }, 1);
    for (const outcome of INGEST_OUTCOMES) m.ingestMessages.inc({ topic: this.eventsTopic, outcome }, 0);
    for (const reason of DEAD_LETTER_REASONS) m.deadLetters.inc({ reason }, 0);
    for (const sink of SINKS) for (const outcome of PUBLISH_OUTCOMES) m.sinkRequests.inc({ sink, outcome }, 0);
    for (const outcome of PUBLISH_OUTCOMES) m.commits.inc({ outcome }, 0);
    for (const stage of STAGES) m.batchDuration.zero({ stage });
    for (const { bundle, windowType, cusumThreshold } of bundles) {
      const model = bundle.model;
      m.modelInfo.set({ model, bundle_version: bundle.version, window_type: windowType }, 1);
      for (const outcome of WINDOW_OUTCOMES) m.windowsClosed.inc({ model, outcome }, 0);
      for (const status of ['firing', 'resolved']) m.alertsEmitted.inc({ model, status }, 0);
      m.alertsSuppressed.inc({ model }, 0);
      m.lateEvents.inc({ model }, 0);
      m.unknownFeatureValues.inc({ model }, 0);
      m.driftStatus.set({ model }, 0);
      m.cusum.set({ model }, 0);
      m.cusumThreshold.set({ model }, cusumThreshold);
      m.windowPValue.set({ model }, 1);
      m.windowEvents.set({ model }, 0);
      m.openWindowEvents.set({ model }, 0);
      for (const f of bundle.features) {
        const labels = { model, feature: f.name };
        m.missingFeatureValues.inc(labels, 0);
        m.featureDrift.set(labels, 0);
        m.featurePValue.set(labels, 1);
        m.featureAdjustedPValue.set(labels, 1);
        m.featureStatistic.set(labels, 0);
        const measures = f.kind === 'numeric' ? ['psi', 'wasserstein'] : ['psi', 'js'];
        for (const measure of measures) m.featureEffect.set({ ...labels, measure }, 0);
      }
    }
  }

  accepted(): void {
    this.m.ingestMessages.inc({ topic: this.eventsTopic, outcome: 'accepted' });
  }
  deadLettered(reason: DeadLetterReason): void {
    this.m.ingestMessages.inc({ topic: this.eventsTopic, outcome: 'dead_letter' });
    this.m.deadLetters.inc({ reason });
  }
  replaySkipped(): void {
    this.m.ingestMessages.inc({ topic: this.eventsTopic, outcome: 'replay_skipped' });
  }
  missingFeature(model: string, feature: string): void {
    this.m.missingFeatureValues.inc({ model, feature });
  }
  unknownFeatures(model: string, count: number): void {
    if (count > 0) this.m.unknownFeatureValues.inc({ model }, count);
  }
  lateEvent(model: string): void {
    this.m.lateEvents.inc({ model });
  }

  window(report: WindowReport): void {
    const { model, evaluation, step } = report;
    const m = this.m;
    m.windowsClosed.inc({ model, outcome: report.tested ? 'tested' : 'too_small' });
    m.windowEvents.set({ model }, evaluation?.n ?? 0);
    if (evaluation === undefined || step === undefined) return;
    m.windowPValue.set({ model }, evaluation.windowP);
    m.driftStatus.set({ model }, DRIFT_STATUS_VALUE[report.state.status]);
    m.cusum.set({ model }, report.state.cusum);
    if (step.suppressed) m.alertsSuppressed.inc({ model });
    for (const f of evaluation.features) {
      const labels = { model, feature: f.feature };
      m.featureStatistic.set(labels, f.statistic);
      m.featurePValue.set(labels, f.pValue);
      m.featureAdjustedPValue.set(labels, f.adjustedP);
      m.featureDrift.set(labels, f.flagged ? 1 : 0);
      m.featureEffect.set({ ...labels, measure: 'psi' }, f.psi);
      if (f.wassersteinNormalized !== undefined) m.featureEffect.set({ ...labels, measure: 'wasserstein' }, f.wassersteinNormalized);
      if (f.jsDistance !== undefined) m.featureEffect.set({ ...labels, measure: 'js' }, f.jsDistance);
    }
  }
}
