/**
 * covariate-shift: has the joint distribution of the inputs moved? The window's rows are scored by
 * the reference flow; three tests of their log-likelihoods (core/flow/likelihood-tests.ts) are each
 * calibrated on the reference's time-ordered chunks (the flow's nulls), and the window's evidence is
 * their Bonferroni combination. The alert names the conditional test's suspects when that detector
 * ran on the same window.
 */
import { likelihoodReference, testLogLikelihoods, FLOW_TEST_NAMES, type FlowWindowResult } from '../flow/likelihood-tests.js';
import { scoreTimeNull } from '../detect/time-null.js';
import { initialDriftState } from '../detect/drift-state.js';
import { alertEnvelope, type Alert } from '../alerts/alert.js';
import type { DetectorResult, WindowDetector } from './contract.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep, type SequentialState } from './sequential.js';
import { flowPass } from './flow-rows.js';
import type { ConditionalDetails } from './conditional-shift.js';

export interface CovariateDetails {
  result: FlowWindowResult;
  /** The tests' p-values come from the reference's time-ordered null (else the closed forms). */
  timeOrdered: boolean;
  /** The conditional test's suspects in the same window, when it ran. */
  suspects: string[];
}

export const covariateShift: DetectorFactory = {
  name: 'covariate-shift',
  create(model, settings): WindowDetector<CovariateDetails, SequentialState> | undefined {
    const flow = model.bundle.flow;
    const scorer = model.flowScorer;
    if (flow === undefined || scorer === undefined) return undefined;
    const reference = likelihoodReference(flow.calibration);
    const nulls = flow.nulls;
    const params = sequentialParams(settings.sequential, nulls?.lag1 ?? 0);
    return {
      name: 'covariate-shift',
      stateVersion: 1,
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState() }),
      async test(window, earlier): Promise<DetectorResult<CovariateDetails>> {
        const pass = await flowPass(flow, scorer, window);
        const suspects = (earlier.get('conditional-shift')?.details as ConditionalDetails | undefined)?.localization.suspects ?? [];
        if (pass === undefined) {
          const result = testLogLikelihoods(reference, [0, 0], window.summary.flow?.skipped ?? 0);
          return { detector: 'covariate-shift', tested: false, statistic: 0, effect: 0, effectName: 'separation', pValue: 1, flagged: false, explanation: 'too few complete rows for the flow', details: { result: { ...result, n: window.summary.flow?.n ?? 0 }, timeOrdered: false, suspects } };
        }
        const { logp, rows } = pass;
        const result = testLogLikelihoods(reference, logp, rows.skipped);
        let best: { name: string; z: number; p: number } = { name: FLOW_TEST_NAMES[0], z: -Infinity, p: 1 };
        for (const name of FLOW_TEST_NAMES) {
          const t = result.tests[name];
          const calibrated = nulls ? scoreTimeNull(nulls.tests[name], t.score) : { z: t.score, pValue: t.pValue };
          t.pValue = calibrated.pValue;
          if (calibrated.pValue < best.p || (calibrated.pValue === best.p && calibrated.z > best.z)) best = { name, z: calibrated.z, p: calibrated.pValue };
        }
        result.windowP = Math.min(1, FLOW_TEST_NAMES.length * best.p);
        const flagged = result.windowP <= settings.sequential.alpha;
        return {
          detector: 'covariate-shift',
          tested: true,
          statistic: best.z,
          effect: result.separation,
          effectName: 'separation',
          pValue: result.windowP,
          flagged,
          explanation: flagged
            ? `rows are ${result.meanLogLikelihood < result.referenceMeanLogLikelihood ? 'less' : 'more'} likely under the reference flow than its own chunks allow (${best.name}, p=${best.p.toExponential(2)})`
            : 'log-likelihoods within the reference\'s own variation',
          details: { result, timeOrdered: nulls !== undefined, suspects },
        };
      },
      step: (state, result, window) => sequentialStep(params, state, result, window),
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        const r = result.details.result;
        const suspects = result.details.suspects;
        const what =
          `the inputs' joint distribution shifted (flow log-likelihood ${r.meanLogLikelihood.toFixed(2)} vs ` +
          `${r.referenceMeanLogLikelihood.toFixed(2)} in the reference: rows are ${r.meanLogLikelihood < r.referenceMeanLogLikelihood ? 'less' : 'more'} likely than expected; ` +
          `${(100 * r.oodFraction).toFixed(1)}% of rows out of distribution vs ${(100 * r.oodExpected).toFixed(1)}% expected)` +
          (suspects.length > 0 ? `; most likely from: ${suspects.slice(0, 3).join(', ')}` : '');
        return {
          ...alertEnvelope({ model: model.name, detector: 'covariate-shift', status: firing ? 'firing' : 'resolved', episodeId, window, step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect } }),
          features: [],
          flow: r,
          ...(firing && suspects.length > 0 ? { suspects: suspects.slice(0, 10) } : {}),
          summary: firing ? `${model.name}: ${what} in window ${window.id}` : `${model.name}: covariate-shift episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState: (raw) => ({ drift: decodeDrift('covariate-shift', expectKeys('covariate-shift', raw, ['drift']).drift) }),
      status: (state) => state.drift.status,
    };
  },
};
