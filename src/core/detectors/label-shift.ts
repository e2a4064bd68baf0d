/**
 * label-shift: has the class mix changed, and to what? MAP-EM class proportions with a bootstrap
 * interval (predictions/class-shares.ts); the likelihood-ratio statistic is calibrated on the
 * reference's time-ordered chunks, and a window counts as evidence only when its class mix moved
 * further (total variation) than the reference's chunks did.
 */
import { estimateClassShares } from '../predictions/class-shares.js';
import { scoreTimeNull } from '../detect/time-null.js';
import { normalSurvival } from '../stats/normal.js';
import { initialDriftState } from '../detect/drift-state.js';
import { alertEnvelope, type Alert } from '../alerts/alert.js';
import type { DenseRows } from '../labelshift/posteriors.js';
import { windowSeed } from '../flow/dequantize.js';
import type { DetectorResult, WindowDetector } from './contract.js';
import type { LabelShiftDetails } from './prediction-details.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep, type SequentialState } from './sequential.js';

/** Windows with fewer predictions get no class-mix estimate. */
export const MIN_PREDICTIONS = 20;

export const labelShift: DetectorFactory = {
  name: 'label-shift',
  create(model, settings): WindowDetector<LabelShiftDetails, SequentialState> | undefined {
    const ref = model.bundle.predictions;
    if (ref === undefined) return undefined;
    const nulls = ref.nulls;
    const params = sequentialParams(settings.sequential, nulls?.labelShift.lag1 ?? 0);
    const { alpha } = settings.sequential;
    const untested = (n: number): DetectorResult<LabelShiftDetails> => ({
      detector: 'label-shift', tested: false, statistic: 0, effect: 0, effectName: 'total_variation', pValue: 1, flagged: false,
      explanation: `${n} predictions: too few to estimate the class mix`,
      details: { n, classProportions: { method: settings.predictions.classShares.method, estimate: ref.sourcePrior, lower: ref.sourcePrior, upper: ref.sourcePrior, reference: ref.sourcePrior, interval: 'bootstrap', priorRows: 0 }, test: { name: 'mlls-likelihood-ratio', statistic: 0, df: 0, score: 0, distance: 0, z: 0, pValue: 1, timeOrdered: false }, distanceFloor: 0, warnings: [] },
    });
    return {
      name: 'label-shift',
      stateVersion: 1,
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState() }),
      test(window): DetectorResult<LabelShiftDetails> {
        const p = window.summary.predictions;
        if (p === undefined || p.n < MIN_PREDICTIONS) return untested(p?.n ?? 0);
        const rows: DenseRows = { rows: p.n, cols: p.classes, data: Float64Array.from(p.probs) };
        const { shares, test, converged } = estimateClassShares(ref, rows, settings.predictions.classShares, windowSeed(window.id));
        const calibrated = nulls ? scoreTimeNull(nulls.labelShift.score, test.score) : { z: test.score, pValue: normalSurvival(test.score) };
        const distanceFloor = nulls?.labelShift.distanceCeiling ?? 0;
        const clears = test.distance > distanceFloor;
        const flagged = clears && calibrated.pValue <= alpha;
        return {
          detector: 'label-shift',
          tested: true,
          statistic: calibrated.z,
          effect: test.distance,
          effectName: 'total_variation',
          pValue: clears ? calibrated.pValue : 1,
          flagged,
          explanation: flagged
            ? `class mix moved by ${test.distance.toFixed(3)} (total variation) beyond the reference's own variation (p=${calibrated.pValue.toExponential(2)})`
            : 'class mix within the reference\'s own variation',
          details: {
            n: p.n, classProportions: shares, distanceFloor,
            test: { ...test, ...calibrated, timeOrdered: nulls !== undefined },
            warnings: converged ? [] : ['mlls: EM did not converge'],
          },
        };
      },
      step: (state, result, window) => sequentialStep(params, state, result, window),
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        const d = result.details;
        return {
          ...alertEnvelope({ model: model.name, detector: 'label-shift', status: firing ? 'firing' : 'resolved', episodeId, window, step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect } }),
          features: [],
          classProportions: d.classProportions,
          labelShiftTest: d.test,
          summary: firing
            ? `${model.name}: class mix changed (total variation ${result.effect.toFixed(3)}, p=${result.pValue.toExponential(2)}) in window ${window.id}`
            : `${model.name}: label-shift episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState: (raw) => ({ drift: decodeDrift('label-shift', expectKeys('label-shift', raw, ['drift']).drift) }),
      status: (state) => state.drift.status,
    };
  },
};
