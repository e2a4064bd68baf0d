/**
 * Creates every catalogued metric on an injected registry (never the global one) and turns the
 * monitor's outputs into metric updates. Plain TypeScript: the Nest module only provides it.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  ALERT_STATUSES, CLASS_SOURCES, DRIFT_STATUS_VALUE, EVICTION_REASONS, FLOW_OOD_SOURCES, FLOW_REFERENCE_QUANTILES, FLOW_ROW_OUTCOMES, FLOW_SOURCES, FLOW_TESTS, HEALTH_CHECKS, INGEST_OUTCOMES,
  LABEL_JOIN_KINDS, LABEL_OUTCOMES, METRICS, PUBLISH_OUTCOMES, REGRESSION_SOURCES, SINK_ERROR_KINDS, SINKS, STAGES, WINDOW_OUTCOMES, type MetricDef,
} from './catalog.js';
import { ACCURACY_ESTIMATORS } from '../core/predictions/estimators.js';
import { REPORTED_QUANTILES } from '../core/predictions/regression-reference.js';
import { weightedQuantiles } from '../core/regression/weight-summary.js';
import type { RealizedReport } from '../core/pipeline/label-tracker.js';
import type { DetectorName } from '../core/detectors/contract.js';
import type { AccuracyDetails, LabelShiftDetails } from '../core/detectors/prediction-details.js';
import type { CovariateDetails } from '../core/detectors/covariate-shift.js';
import type { ConditionalDetails } from '../core/detectors/conditional-shift.js';
import type { RegressionEvaluation } from '../core/predictions/regression-reference.js';
import type { WindowEvaluation } from '../core/detect/feature-tests.js';
import type { LabelOutcome, EvictionReason } from '../core/labels/label-join.js';
import type { WindowReport } from '../core/pipeline/monitor.js';
import type { AggregatorObserver } from '../core/pipeline/aggregator.js';
import type { ReferenceBundle } from '../core/reference/bundle-types.js';
import type { DeadLetterReason } from '../core/contract/event.js';
import { DEAD_LETTER_REASONS } from '../core/contract/event.js';
import { likelihoodReference } from '../core/flow/likelihood-tests.js';
import type { LogLikelihoodScorer } from '../core/flow/scorer.js';
import { at } from '../core/indexing.js';
import type { LabelJoinSize } from '../core/pipeline/model-runtime.js';

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** What the series of one model are started from. */
export interface ModelSeries {
  bundle: ReferenceBundle;
  windowType: string;
  detectors: readonly DetectorName[];
  thresholds?: Partial<Record<DetectorName, number>>;
  flowScorer?: LogLikelihoodScorer;
}

function create(registry: Registry, m: MetricDef, collect?: () => void): AnyMetric {
  const base = { name: m.name, help: m.help, labelNames: [...m.labelNames], registers: [registry] };
  if (m.type === 'counter') return new Counter(collect === undefined ? base : { ...base, collect });
  if (m.type === 'gauge') return new Gauge(base);
  return new Histogram({ ...base, buckets: [...(m.buckets ?? [])] });
}

export class MetricsRecorder implements AggregatorObserver {
  private models: readonly ModelSeries[] = [];
  readonly m: { [K in keyof typeof METRICS]: (typeof METRICS)[K]['type'] extends 'counter' ? Counter<string> : (typeof METRICS)[K]['type'] extends 'gauge' ? Gauge<string> : Histogram<string> };

  constructor(
    readonly registry: Registry,
    private readonly eventsTopic: string,
  ) {
    const out: Record<string, AnyMetric> = {};
    // Accepted events are counted in a plain number and added to their series when it is read.
    for (const [key, def] of Object.entries(METRICS)) out[key] = create(registry, def, def === METRICS.ingestMessages ? () => this.flushAccepted() : undefined);
    this.m = out as MetricsRecorder['m'];
  }

  /** Sets info gauges and starts every known series at 0. */
  initialise(version: string, bundles: readonly ModelSeries[]): void {
    const m = this.m;
    m.buildInfo.set({ version }, 1);
    for (const outcome of INGEST_OUTCOMES) m.ingestMessages.inc({ topic: this.eventsTopic, outcome }, 0);
    for (const reason of DEAD_LETTER_REASONS) m.deadLetters.inc({ reason }, 0);
    for (const sink of SINKS) for (const outcome of PUBLISH_OUTCOMES) m.sinkRequests.inc({ sink, outcome }, 0);
    for (const sink of SINKS) for (const kind of SINK_ERROR_KINDS) m.sinkErrors.inc({ sink, kind }, 0);
    for (const check of HEALTH_CHECKS) m.healthCheck.set({ check }, 0);
    m.deadLettersTruncated.inc(0);
    m.pipelineHalts.inc(0);
    m.inputPartitionsAssigned.set(0);
    for (const outcome of PUBLISH_OUTCOMES) m.commits.inc({ outcome }, 0);
    for (const stage of STAGES) m.batchDuration.zero({ stage });
    this.models = bundles;
    for (const b of bundles) {
      this.startModel(b);
      if (b.bundle.flow !== undefined && b.flowScorer !== undefined) this.m.flowScoringDuration.zero({ model: b.bundle.model });
    }
  }

  /**
   * Shared replicas: the models this replica scores changed. Every model's gauges go back to their
   * starting values (the reference's), so a replica that scored a model before does not keep
   * showing its last state beside the replica scoring it now; counters keep their counts.
   */
  resetScores(): void {
    for (const b of this.models) this.startModel(b);
  }

  /** A model's series at their starting values (gauges set, counters and their label sets at +0). */
  private startModel({ bundle, windowType, detectors, thresholds, flowScorer }: ModelSeries): void {
    const m = this.m;
    const model = bundle.model;
    m.modelInfo.set({ model, bundle_version: bundle.version, window_type: windowType }, 1);
    for (const outcome of WINDOW_OUTCOMES) m.windowsClosed.inc({ model, outcome }, 0);
    for (const detector of detectors) {
      for (const status of ALERT_STATUSES) m.alertsEmitted.inc({ model, detector, status }, 0);
      m.alertsSuppressed.inc({ model, detector }, 0);
      m.driftStatus.set({ model, detector }, 0);
      m.cusum.set({ model, detector }, 0);
      m.cusumThreshold.set({ model, detector }, thresholds?.[detector] ?? 0);
      m.detectorPValue.set({ model, detector }, 1);
      m.detectorFlagged.set({ model, detector }, 0);
      m.detectorEffect.set({ model, detector }, 0);
    }
    m.lateEvents.inc({ model }, 0);
    m.unknownFeatureValues.inc({ model }, 0);
    m.windowPValue.set({ model }, 1);
    m.windowEvents.set({ model }, 0);
    m.openWindowEvents.set({ model }, 0);
    m.windowsOutOfOrder.inc({ model }, 0);
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
    if (bundle.regression) {
      // The same quantile rule as the per-window estimates (unit weights), so both sources start equal.
      const targets = bundle.regression.targets;
      const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
      const quantiles = weightedQuantiles(targets, targets.map(() => 1), REPORTED_QUANTILES);
      for (const source of REGRESSION_SOURCES) {
        m.regressionTargetMean.set({ model, source }, mean);
        REPORTED_QUANTILES.forEach((q, i) => m.regressionTargetQuantile.set({ model, level: String(q), source }, at(quantiles, i, 'target quantiles')));
      }
      m.regressionEffectiveSample.set({ model }, 1);
      m.regressionDivergence.set({ model }, 0);
    }
    if (bundle.predictions) this.initialisePredictions(model, bundle.predictions.classes, bundle.predictions.sourcePrior, bundle.predictions.sourceAccuracy);
    const loc = bundle.flow?.localization;
    if (bundle.flow !== undefined && flowScorer !== undefined) this.initialiseFlow(model, bundle.flow.calibration, flowScorer, loc && detectors.includes('conditional-shift') ? [...loc.features, ...loc.categorical.map((c) => c.feature)] : []);
  }

  private initialiseFlow(model: string, calibration: readonly number[], scorer: LogLikelihoodScorer, localized: readonly string[]): void {
    const m = this.m;
    const ref = likelihoodReference(calibration);
    m.flowInfo.set({ model, scorer: scorer.scorer, backend: scorer.backend }, 1);
    for (const source of FLOW_SOURCES) m.flowMeanLogLikelihood.set({ model, source }, ref.mean);
    for (const q of FLOW_REFERENCE_QUANTILES) {
      m.flowReferenceLogLikelihood.set({ model, level: String(q) }, at(ref.sorted, Math.min(ref.sorted.length - 1, Math.floor(q * ref.sorted.length)), 'reference log-likelihoods'));
    }
    for (const source of FLOW_OOD_SOURCES) m.flowOodFraction.set({ model, source }, ref.oodQuantile);
    for (const test of FLOW_TESTS) {
      m.flowTestStatistic.set({ model, test }, 0);
      m.flowTestPValue.set({ model, test }, 1);
    }
    m.flowWindowPValue.set({ model }, 1);
    for (const feature of localized) {
      m.featureConditionalStatistic.set({ model, feature }, 0);
      m.featureConditionalZ.set({ model, feature }, 0);
      m.featureConditionalPValue.set({ model, feature }, 1);
      m.featureConditionalDrift.set({ model, feature }, 0);
    }
    for (const outcome of FLOW_ROW_OUTCOMES) m.flowRows.inc({ model, outcome }, 0);
  }

  flowScored(model: string, scored: number, skipped: number, seconds: number): void {
    this.m.flowRows.inc({ model, outcome: 'scored' }, scored);
    this.m.flowRows.inc({ model, outcome: 'skipped_missing' }, skipped);
    this.m.flowScoringDuration.observe({ model }, seconds);
  }

  private flow(model: string, covariate: CovariateDetails | undefined, conditional: ConditionalDetails | undefined): void {
    const m = this.m;
    const r = covariate?.result;
    if (r !== undefined && r.n > 0) {
      m.flowMeanLogLikelihood.set({ model, source: 'window' }, r.meanLogLikelihood);
      m.flowOodFraction.set({ model, source: 'window' }, r.oodFraction);
      for (const test of FLOW_TESTS) {
        m.flowTestStatistic.set({ model, test }, r.tests[test].statistic);
        m.flowTestPValue.set({ model, test }, r.tests[test].pValue);
      }
      m.flowWindowPValue.set({ model }, r.windowP);
    }
    for (const f of conditional?.localization.ranked ?? []) {
      const labels = { model, feature: f.feature };
      m.featureConditionalStatistic.set(labels, f.statistic);
      m.featureConditionalZ.set(labels, f.z);
      m.featureConditionalPValue.set(labels, f.adjustedP);
      m.featureConditionalDrift.set(labels, f.flagged === 'conditional' || f.flagged === 'both' ? 1 : 0);
    }
  }

  private initialisePredictions(model: string, classes: number, sourcePrior: readonly number[], sourceAccuracy: number): void {
    const m = this.m;
    for (const estimator of ACCURACY_ESTIMATORS) {
      for (const g of [m.accuracyEstimate, m.accuracyLower, m.accuracyUpper]) g.set({ model, estimator }, sourceAccuracy);
      m.accuracyError.set({ model, estimator }, 0);
      m.accuracyIntervalWidth.set({ model, estimator }, 0);
      m.accuracySelected.set({ model, estimator }, estimator === 'no-change' ? 1 : 0);
    }
    m.accuracyHeadline.set({ model }, sourceAccuracy);
    m.accuracyRealized.set({ model }, sourceAccuracy);
    m.labelShiftPValue.set({ model }, 1);
    for (let k = 0; k < classes; k++) for (const source of CLASS_SOURCES) m.classProportion.set({ model, class: String(k), source }, at(sourcePrior, k, 'source prior'));
    for (const outcome of LABEL_OUTCOMES) m.labels.inc({ model, outcome }, 0);
    for (const kind of LABEL_JOIN_KINDS) for (const reason of EVICTION_REASONS) m.labelEvictions.inc({ model, kind, reason }, 0);
    m.labelJoinEntries.set({ model }, 0);
    m.labelJoinBytes.set({ model }, 0);
    m.labelsQueued.set({ model }, 0);
  }

  /** Per classification model, the label join's entries and estimated bytes, and the event-time labels queued. */
  labelJoins(sizes: ReadonlyMap<string, LabelJoinSize>): void {
    for (const [model, join] of sizes) {
      this.m.labelJoinEntries.set({ model }, join.entries);
      this.m.labelJoinBytes.set({ model }, join.bytes);
      this.m.labelsQueued.set({ model }, join.queued);
    }
  }

  /** The readiness checks, one gauge each (set when /metrics is scraped). */
  health(report: { checks: ReadonlyArray<{ check: string; ok: boolean }> }): void {
    for (const c of report.checks) this.m.healthCheck.set({ check: c.check }, c.ok ? 1 : 0);
  }

  label(model: string, outcome: LabelOutcome, count = 1): void {
    this.m.labels.inc({ model, outcome }, count);
  }
  labelEvicted(model: string, kind: 'prediction' | 'label', reason: EvictionReason): void {
    this.m.labelEvictions.inc({ model, kind, reason });
  }

  realized(r: RealizedReport): void {
    const m = this.m;
    m.accuracyRealized.set({ model: r.model }, r.accuracy);
    for (const [estimator, error] of Object.entries(r.errors)) m.accuracyError.set({ model: r.model, estimator }, error);
    r.classProportions.forEach((q, k) => m.classProportion.set({ model: r.model, class: String(k), source: 'realized' }, q));
  }

  /**
   * Called per accepted event, so it only counts (prom-client's inc per event took about 2% of the
   * reading thread in a profile of the scale benchmark); the count reaches the series whenever the
   * metric is read.
   */
  private acceptedSinceRead = 0;
  accepted(): void {
    this.acceptedSinceRead += 1;
  }
  private flushAccepted(): void {
    if (this.acceptedSinceRead === 0) return;
    this.m.ingestMessages.inc({ topic: this.eventsTopic, outcome: 'accepted' }, this.acceptedSinceRead);
    this.acceptedSinceRead = 0;
  }
  deadLettered(reason: DeadLetterReason, _model: string | undefined, topic: string): void {
    this.m.ingestMessages.inc({ topic, outcome: 'dead_letter' });
    this.m.deadLetters.inc({ reason });
  }
  replaySkipped(): void {
    this.m.ingestMessages.inc({ topic: this.eventsTopic, outcome: 'replay_skipped' });
  }
  summarySkipped(outcome: 'replay_skipped' | 'unknown_model', topic: string): void {
    this.m.ingestMessages.inc({ topic, outcome });
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

  private predictions(model: string, accuracy: AccuracyDetails | undefined, labelShift: LabelShiftDetails | undefined): void {
    const m = this.m;
    if (accuracy !== undefined) {
      for (const [estimator, a] of Object.entries(accuracy.accuracy)) {
        m.accuracyEstimate.set({ model, estimator }, a.estimate);
        m.accuracyLower.set({ model, estimator }, a.lower);
        m.accuracyUpper.set({ model, estimator }, a.upper);
        m.accuracyIntervalWidth.set({ model, estimator }, a.upper - a.lower);
      }
      for (const estimator of ACCURACY_ESTIMATORS) m.accuracySelected.set({ model, estimator }, estimator === accuracy.selected.estimator ? 1 : 0);
      m.accuracyHeadline.set({ model }, accuracy.headline.estimate);
    }
    if (labelShift !== undefined) {
      labelShift.classProportions.estimate.forEach((q, k) => m.classProportion.set({ model, class: String(k), source: 'estimated' }, q));
      labelShift.classProportions.reference.forEach((q, k) => m.classProportion.set({ model, class: String(k), source: 'reference' }, q));
      m.labelShiftPValue.set({ model }, labelShift.test.pValue);
    }
  }

  window(report: WindowReport): void {
    const { model, detectors } = report;
    const m = this.m;
    m.windowsClosed.inc({ model, outcome: report.tested ? 'tested' : 'too_small' });
    if (report.window.reason === 'held') m.windowsOutOfOrder.inc({ model });
    m.windowEvents.set({ model }, report.window.n);
    for (const [detector, o] of Object.entries(detectors)) {
      if (o.step === undefined) continue;
      const labels = { model, detector };
      m.driftStatus.set(labels, DRIFT_STATUS_VALUE[o.status]);
      m.cusum.set(labels, o.step.cusum);
      m.detectorPValue.set(labels, o.result.pValue);
      m.detectorFlagged.set(labels, o.result.flagged ? 1 : 0);
      m.detectorEffect.set(labels, o.result.effect);
      if (o.step.suppressed) m.alertsSuppressed.inc(labels);
    }
    const details = <T>(name: DetectorName) => {
      const outcome = detectors[name];
      return outcome?.result.tested ? (outcome.result.details as T) : undefined;
    };
    this.predictions(model, details<AccuracyDetails>('accuracy-floor'), details<LabelShiftDetails>('label-shift'));
    this.flow(model, details<CovariateDetails>('covariate-shift'), details<ConditionalDetails>('conditional-shift'));
    const r = detectors['target-shift']?.result.details as RegressionEvaluation | undefined;
    if (r !== undefined) {
      this.m.regressionTargetMean.set({ model, source: 'estimated' }, r.estimatedMean);
      for (const q of r.quantiles) this.m.regressionTargetQuantile.set({ model, level: String(q.probability), source: 'estimated' }, q.estimated);
      this.m.regressionEffectiveSample.set({ model }, r.effectiveFraction);
      this.m.regressionDivergence.set({ model }, r.divergence);
    }
    const features = detectors['feature-shift'];
    const evaluation = features?.result.details as WindowEvaluation | undefined;
    if (evaluation === undefined || features === undefined) return;
    m.windowPValue.set({ model }, evaluation.windowP);
    m.windowEvaluationDuration.observe(features.seconds);
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
