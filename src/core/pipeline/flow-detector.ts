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

/** Windows with fewer complete flow rows get no flow test. */
export const MIN_FLOW_ROWS = 50;

export interface FlowVerdict {
  result: FlowWindowResult;
  step: DriftStep;
  state: DriftState;
  alert?: Alert;
  seconds: number;
}

export class FlowDetector {
  drift: DriftState = initialDriftState();
  private readonly reference: LikelihoodReference;

  constructor(
    private readonly model: string,
    private readonly bundle: FlowBundle,
    private readonly scorer: LogLikelihoodScorer,
    private readonly params: DriftParams,
  ) {
    this.reference = likelihoodReference(bundle.calibration);
  }

  /** The flow's inputs, in its order: what a window keeps of each event. */
  get features(): readonly string[] {
    return this.bundle.model.standardization.features;
  }

  async evaluate(window: { id: string; start: number; end: number }, rows: readonly number[], skipped: number): Promise<FlowVerdict> {
    const { dim } = this.bundle.model;
    const n = rows.length / dim;
    const x = dequantizeRows(Float32Array.from(rows), dim, this.bundle.dequantize, windowSeed(window.id));
    const started = performance.now();
    const logp = await this.scorer.logProb(x, n);
    const seconds = (performance.now() - started) / 1000;
    const result = testLogLikelihoods(this.reference, logp, skipped);
    const episodeBefore = this.drift.episode;
    const step = stepDrift(this.params, this.drift, result.windowP, window.id);
    const verdict: FlowVerdict = { result, step, state: { ...this.drift }, seconds };
    if (step.transition !== null) {
      const episodeId = step.transition === 'fire' ? window.id : (episodeBefore ?? window.id);
      verdict.alert = buildFlowAlert({ model: this.model, window, result, step, params: this.params, episodeId });
    }
    return verdict;
  }
}
