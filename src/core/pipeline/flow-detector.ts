/**
 * A model's covariate-shift detector: scores a closed window's rows with the reference flow, tests
 * their log-likelihoods against the calibration split and steps its own CUSUM. Scoring is
 * asynchronous (ONNX Runtime or tfjs), so the monitor queues closed windows and calls `evaluate`
 * in window order before publishing.
 */
import type { FlowBundle } from '../flow/flow-spec.js';
import type { LogLikelihoodScorer } from '../flow/scorer.js';
import { dequantizeRows, windowSeed } from '../flow/dequantize.js';
import { likelihoodReference, testLogLikelihoods, type FlowWindowResult, type LikelihoodReference } from '../flow/likelihood-tests.js';
import { initialDriftState, stepDrift, type DriftParams, type DriftState, type DriftStep } from '../detect/drift-state.js';
import { buildFlowAlert } from '../alerts/flow-alert.js';
import type { Alert } from '../alerts/alert.js';
import { createOnsetState, type FeatureFinding, type OnsetState } from '../localize/localize.js';
import type { TestWindowOptions, WindowTestResult } from '../../flow/localize-scorer.js';

/** The conditional feature test as the detector uses it (implemented by FeatureLocalizer). */
export interface WindowLocalizer {
  testWindow(rows: Float32Array, n: number, options: TestWindowOptions): Promise<WindowTestResult>;
}

/** Which features a window's joint shift came from: the conditional score test, ranked. */
export interface LocalizationReport {
  detected: boolean;
  /** Smallest BH-adjusted p over the conditional and marginal hypotheses of the window (flags, ranking). */
  pValue: number;
  /**
   * Bonferroni over the conditional hypotheses only: what the covariate-shift detector uses, so a
   * marginal shift alone is left to the feature-shift detector.
   */
  conditionalP: number;
  /** Flagged features, most suspect first. */
  suspects: string[];
  /** Every feature, most suspect first. */
  ranked: FeatureFinding[];
  /** Window id where the current detection run began (the time-series variant's "when"). */
  detectedSince: string | null;
  /** Features whose flagged run began in this window. */
  started: string[];
}

/** Windows with fewer complete flow rows get no flow test. */
export const MIN_FLOW_ROWS = 50;

export interface FlowVerdict {
  result: FlowWindowResult;
  localization?: LocalizationReport;
  /** The detector's window p-value: the likelihood tests', or with localization, min(1, 2·min(them, conditionalP)). */
  pValue: number;
  step: DriftStep;
  state: DriftState;
  alert?: Alert;
  seconds: number;
}

export class FlowDetector {
  drift: DriftState = initialDriftState();
  onset: OnsetState = createOnsetState();
  private readonly reference: LikelihoodReference;

  constructor(
    private readonly model: string,
    private readonly bundle: FlowBundle,
    private readonly scorer: LogLikelihoodScorer,
    private readonly params: DriftParams,
    private readonly localizer?: WindowLocalizer,
  ) {
    this.reference = likelihoodReference(bundle.calibration);
  }

  /** The flow's inputs, in its order: what a window keeps of each event. */
  get features(): readonly string[] {
    return this.bundle.model.standardization.features;
  }

  /** Categorical features whose values the window must keep for the conditional test. */
  get categories(): readonly string[] {
    return this.localizer === undefined ? [] : (this.bundle.localization?.categorical.map((c) => c.feature) ?? []);
  }

  /**
   * `categories`: the window's categorical values per kept row; `marginalPValues`: the window's
   * per-feature marginal p-values, so one BH runs over both families.
   */
  async evaluate(
    window: { id: string; start: number; end: number },
    rows: readonly number[],
    skipped: number,
    categories: Record<string, readonly (string | null)[]> = {},
    marginalPValues: Record<string, number> = {},
  ): Promise<FlowVerdict> {
    const { dim } = this.bundle.model;
    const n = rows.length / dim;
    const x = dequantizeRows(Float32Array.from(rows), dim, this.bundle.dequantize, windowSeed(window.id));
    const started = performance.now();
    const logp = await this.scorer.logProb(x, n);
    const result = testLogLikelihoods(this.reference, logp, skipped);
    const localization = this.localizer === undefined ? undefined : await this.localize(x, n, window.id, categories, marginalPValues);
    const seconds = (performance.now() - started) / 1000;
    const pValue = localization === undefined ? result.windowP : Math.min(1, 2 * Math.min(result.windowP, localization.conditionalP));
    const episodeBefore = this.drift.episode;
    const step = stepDrift(this.params, this.drift, pValue, window.id);
    const verdict: FlowVerdict = { result, pValue, step, state: { ...this.drift }, seconds, ...(localization ? { localization } : {}) };
    if (step.transition !== null) {
      const episodeId = step.transition === 'fire' ? window.id : (episodeBefore ?? window.id);
      verdict.alert = buildFlowAlert({ model: this.model, window, result, pValue, step, params: this.params, episodeId, ...(localization ? { localization } : {}) });
    }
    return verdict;
  }

  private async localize(x: Float32Array, n: number, windowId: string, categories: Record<string, readonly (string | null)[]>, marginalPValues: Record<string, number>): Promise<LocalizationReport> {
    const r = await this.localizer!.testWindow(x, n, { categories, marginalPValues, onset: { state: this.onset, windowId } });
    const conditionalP = Math.min(1, r.ranked.length * Math.min(...r.ranked.map((f) => f.pValue)));
    return { detected: r.detected, pValue: r.pValue, conditionalP, suspects: r.suspects, ranked: r.ranked, detectedSince: r.onset?.detectedSince ?? null, started: r.onset?.started ?? [] };
  }
}
