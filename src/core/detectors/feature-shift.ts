/**
 * feature-shift: which features' marginal distributions moved. Every feature is tested against
 * the reference and calibrated on the reference's time-ordered chunks (core/detect/feature-tests.ts);
 * the window's evidence is the Bonferroni minimum over the non-context features whose effect
 * clears its floor.
 */
import { evaluateWindow, type WindowEvaluation } from '../detect/feature-tests.js';
import { alertEnvelope, rankFeatures, type Alert } from '../alerts/alert.js';
import type { DetectorResult, WindowDetector } from './contract.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep, type SequentialState } from './sequential.js';
import { initialDriftState } from '../detect/drift-state.js';

export const featureShift: DetectorFactory = {
  name: 'feature-shift',
  create(model, settings): WindowDetector<WindowEvaluation, SequentialState> {
    const { bundle } = model;
    const nulls = bundle.featureNulls;
    const context = new Set<string>(bundle.contextFeatures ?? []);
    const params = sequentialParams(settings.sequential, nulls?.lag1 ?? 0);
    return {
      name: 'feature-shift',
      stateVersion: 1,
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState() }),
      test(window): DetectorResult<WindowEvaluation> {
        const evaluation = evaluateWindow(bundle.features, window.summary, settings.tests, nulls?.features, context);
        const evidence = evaluation.features.filter((f) => f.tested && !f.context);
        const top = evidence.reduce<(typeof evidence)[number] | undefined>((best, f) => (best === undefined || f.z > best.z ? f : best), undefined);
        const flagged = evaluation.features.filter((f) => f.flagged && !f.context).map((f) => f.feature);
        return {
          detector: 'feature-shift',
          tested: evidence.length > 0,
          statistic: top?.z ?? 0,
          effect: top?.effect ?? 0,
          effectName: top?.kind === 'categorical' ? 'js_distance' : 'wasserstein_sd',
          pValue: evaluation.windowP,
          flagged: flagged.length > 0 && evaluation.windowP <= settings.tests.alpha,
          explanation: flagged.length > 0 ? `shifted features: ${flagged.join(', ')}` : 'no feature beyond the reference\'s own variation',
          details: evaluation,
        };
      },
      step: (state, result, window) => sequentialStep(params, state, result, window),
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        const features = firing ? rankFeatures(result.details.features) : [];
        const flagged = features.filter((f) => f.flagged && !f.context).map((f) => f.feature);
        return {
          ...alertEnvelope({
            model: model.name, detector: 'feature-shift', status: firing ? 'firing' : 'resolved', episodeId, window,
            step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect },
          }),
          features,
          summary: firing
            ? `${model.name}: distribution shift detected in window ${window.id} (${window.n} events); ` +
              (flagged.length > 0 ? `shifted features: ${flagged.join(', ')}` : 'no single feature significant after correction')
            : `${model.name}: drift episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState: (raw) => ({ drift: decodeDrift('feature-shift', expectKeys('feature-shift', raw, ['drift']).drift) }),
      status: (state) => state.drift.status,
    };
  },
};
