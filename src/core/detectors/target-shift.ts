/**
 * target-shift: for a regression model, has the distribution of the target moved (ReTaSA, docs/algorithms.md#target-shift)?
 * The window's predicted values give importance weights of the target; the detector's statistic is
 * the shift of the estimated target mean in reference target sds, calibrated on the reference's
 * time-ordered chunks, and it counts as evidence only beyond the shift the chunks themselves showed.
 * It assumes p(x | y) is unchanged: under covariate shift the weights are not meaningful.
 */
import { evaluateRegression, referenceTargetSd, sourceModel, targetMeanShift, type RegressionEvaluation } from '../predictions/regression-reference.js';
import { scoreTimeNull } from '../detect/time-null.js';
import { initialDriftState } from '../detect/drift-state.js';
import { alertEnvelope, type Alert } from '../alerts/alert.js';
import type { DetectorResult, WindowDetector } from './contract.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep, type SequentialState } from './sequential.js';

/** Windows with fewer predicted values get no target-shift estimate. */
export const MIN_REGRESSION_VALUES = 50;

export const targetShift: DetectorFactory = {
  name: 'target-shift',
  create(model, settings): WindowDetector<RegressionEvaluation | undefined, SequentialState> | undefined {
    const ref = model.bundle.regression;
    if (ref === undefined) return undefined;
    const source = sourceModel(ref);
    const sd = referenceTargetSd(source);
    const nulls = ref.nulls;
    const params = sequentialParams(settings.sequential, nulls?.lag1 ?? 0);
    return {
      name: 'target-shift',
      stateVersion: 1,
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState() }),
      test(window): DetectorResult<RegressionEvaluation | undefined> {
        const r = window.summary.regression;
        if (r === undefined || r.n < MIN_REGRESSION_VALUES) {
          return { detector: 'target-shift', tested: false, statistic: 0, effect: 0, effectName: 'target_mean_sd', pValue: 1, flagged: false, explanation: 'too few predicted values', details: undefined };
        }
        const evaluation = evaluateRegression(source, r.values);
        const shift = targetMeanShift(evaluation, sd);
        const calibrated = nulls ? scoreTimeNull(nulls.score, shift) : { z: 0, pValue: 1 };
        const clears = shift > (nulls?.effectCeiling ?? 0);
        const flagged = nulls !== undefined && clears && calibrated.pValue <= settings.sequential.alpha;
        return {
          detector: 'target-shift',
          tested: nulls !== undefined,
          statistic: calibrated.z,
          effect: shift,
          effectName: 'target_mean_sd',
          pValue: clears ? calibrated.pValue : 1,
          flagged,
          explanation: `estimated target mean ${evaluation.estimatedMean.toPrecision(4)} vs ${evaluation.referenceMean.toPrecision(4)} in the reference` +
            (evaluation.reliable ? '' : ' (unreliable: effective sample below 10%)'),
          details: evaluation,
        };
      },
      step: (state, result, window) => sequentialStep(params, state, result, window),
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        return {
          ...alertEnvelope({ model: model.name, detector: 'target-shift', status: firing ? 'firing' : 'resolved', episodeId, window, step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect } }),
          features: [],
          ...(result.details ? { regression: result.details } : {}),
          summary: firing ? `${model.name}: target shifted: ${result.explanation} in window ${window.id}` : `${model.name}: target-shift episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState: (raw) => ({ drift: decodeDrift('target-shift', expectKeys('target-shift', raw, ['drift']).drift) }),
      status: (state) => state.drift.status,
    };
  },
};
