/**
 * conditional-shift: which feature a joint shift came from. For each feature, the conditional score
 * test (src/flow/localize-scorer.ts, docs/algorithms.md#conditional-shift) compares its distribution given all the others in the
 * window with the reference's; each statistic is calibrated by the fit-time bootstrap null and by the
 * reference's time-ordered chunks. One Benjamini–Hochberg runs over these and the marginal tests of
 * the same window (from feature-shift), so each suspect says which test flagged it. The window's
 * evidence is the Bonferroni minimum over the conditional hypotheses only: a marginal shift alone is
 * feature-shift's business. The state tracks since when each suspect has been flagged.
 */
import { createOnsetState, updateOnset, type FlaggedRun, type OnsetState, type WindowLocalization } from '../localize/localize.js';
import { initialDriftState, type DriftState } from '../detect/drift-state.js';
import { alertEnvelope, type Alert } from '../alerts/alert.js';
import type { WindowEvaluation } from '../detect/feature-tests.js';
import { StateDecodeError, type DetectorResult, type WindowDetector } from './contract.js';
import type { DetectorFactory } from './model.js';
import { decodeDrift, expectKeys, sequentialParams, sequentialStep } from './sequential.js';
import { flowPass } from './flow-rows.js';

export interface ConditionalDetails {
  localization: WindowLocalization;
  /** Bonferroni over the conditional hypotheses: the detector's window p-value. */
  conditionalP: number;
  timeOrdered: boolean;
}

export interface ConditionalState {
  drift: DriftState;
  onset: OnsetState;
}

export const conditionalShift: DetectorFactory = {
  name: 'conditional-shift',
  create(model, settings): WindowDetector<ConditionalDetails, ConditionalState> | undefined {
    const flow = model.bundle.flow;
    const localizer = model.localizer;
    const scorer = model.flowScorer;
    if (flow?.localization === undefined || localizer === undefined || scorer === undefined) return undefined;
    const nulls = flow.nulls?.conditional;
    const context = new Set<string>(model.bundle.contextFeatures ?? []);
    const params = sequentialParams(settings.sequential, nulls?.lag1 ?? 0);
    return {
      name: 'conditional-shift',
      stateVersion: 1,
      cusumThreshold: params.h,
      initialState: () => ({ drift: initialDriftState(), onset: createOnsetState() }),
      async test(window, earlier): Promise<DetectorResult<ConditionalDetails>> {
        // The flow pass covariate-shift reuses; its latent points, when the scorer gives them, spare the test its own.
        const pass = await flowPass(flow, scorer, window);
        const marginal = earlier.get('feature-shift')?.details as WindowEvaluation | undefined;
        const marginalPValues = Object.fromEntries((marginal?.features ?? []).filter((f) => f.tested).map((f) => [f.feature, f.pValue]));
        if (pass === undefined) {
          const empty: WindowLocalization = { detected: false, alpha: settings.tests.alpha, ranked: [], suspects: [], pValue: 1, nullWindowSize: 0 };
          return { detector: 'conditional-shift', tested: false, statistic: 0, effect: 0, effectName: 'null_sd', pValue: 1, flagged: false, explanation: 'too few complete rows for the conditional test', details: { localization: empty, conditionalP: 1, timeOrdered: false } };
        }
        const r = await localizer.testWindow(pass.rows.x, pass.rows.n, {
          categories: window.summary.flow?.categories ?? {},
          marginalPValues,
          alpha: settings.tests.alpha,
          ...(nulls ? { timeNulls: nulls.features } : {}),
          ...(pass.latent ? { latent: pass.latent } : {}),
        });
        const { statistics: _s, onset: _o, n: _n, ...tested } = r;
        // Context features (declared seasonal keys) are reported but are never a shift on their own.
        const localization = { ...tested, suspects: tested.suspects.filter((f) => !context.has(f)) };
        const evidence = localization.ranked.filter((f) => !context.has(f.feature));
        const conditional = evidence.map((f) => f.pValue);
        const conditionalP = conditional.length === 0 ? 1 : Math.min(1, conditional.length * Math.min(...conditional));
        const top = evidence[0];
        const flagged = evidence.some((f) => f.flagged === 'conditional' || f.flagged === 'both');
        return {
          detector: 'conditional-shift',
          tested: true,
          statistic: top?.z ?? 0,
          effect: Math.max(0, ...evidence.map((f) => (Number.isFinite(f.z) ? f.z : 0))),
          effectName: 'null_sd',
          pValue: conditionalP,
          flagged,
          explanation: localization.suspects.length > 0 ? `most likely from: ${localization.suspects.slice(0, 3).join(', ')}` : 'no feature\'s conditional moved beyond the reference\'s own variation',
          details: { localization, conditionalP, timeOrdered: nulls !== undefined },
        };
      },
      step(state, result, window) {
        const next = sequentialStep(params, state, result, window);
        const onset = structuredClone(state.onset);
        updateOnset(onset, window.id, structuredClone(result.details.localization));
        return { ...next, state: { ...next.state, onset } };
      },
      alert(result, outcome, window, episodeId): Alert {
        const firing = outcome.step.transition === 'fire';
        const loc = result.details.localization;
        const onset = outcome.state.onset;
        const ranked = loc.ranked.slice(0, 10).map((f) => ({ ...f, since: f.flagged !== null ? (onset.features[f.feature]?.since ?? null) : null }));
        return {
          ...alertEnvelope({ model: model.name, detector: 'conditional-shift', status: firing ? 'firing' : 'resolved', episodeId, window, step: outcome.step, params, pValue: result.pValue, effect: { name: result.effectName, value: result.effect } }),
          features: [],
          ...(firing ? { localization: { ...loc, ranked, detectedSince: onset.detection?.since ?? null } } : {}),
          summary: firing
            ? `${model.name}: a feature's dependence on the others shifted in window ${window.id}; most likely from: ${loc.suspects.slice(0, 3).join(', ') || 'no single feature'}`
            : `${model.name}: conditional-shift episode ${episodeId} resolved at window ${window.id}`,
        };
      },
      decodeState(raw) {
        const o = expectKeys('conditional-shift', raw, ['drift', 'onset']);
        return { drift: decodeDrift('conditional-shift', o.drift), onset: decodeOnset(o.onset) };
      },
      status: (state) => state.drift.status,
    };
  },
};

/** The onset state, every field checked: a run without its end rule or with a mistyped field would track onsets wrongly. */
function decodeOnset(raw: unknown): OnsetState {
  const bad = (what: string) => new StateDecodeError('conditional-shift', `the onset state is malformed: ${what}`);
  const o = expectKeys('conditional-shift', raw, ['stateVersion', 'endAfter', 'detection', 'features'], 'the onset state');
  if (o.stateVersion !== 1) throw bad(`stateVersion ${JSON.stringify(o.stateVersion)}, this version of shiftwatch reads 1`);
  if (!Number.isInteger(o.endAfter) || (o.endAfter as number) < 1) throw bad('endAfter must be a positive integer');
  const run = (r: unknown, what: string): FlaggedRun => {
    const f = expectKeys('conditional-shift', r, ['since', 'windows', 'quiet'], what);
    if (typeof f.since !== 'string' || !Number.isInteger(f.windows) || (f.windows as number) < 1 || !Number.isInteger(f.quiet) || (f.quiet as number) < 0) throw bad(`${what} needs a since window id and whole windows and quiet counts`);
    return { since: f.since, windows: f.windows as number, quiet: f.quiet as number };
  };
  if (o.features === null || typeof o.features !== 'object' || Array.isArray(o.features)) throw bad('features must map feature names to runs');
  return {
    stateVersion: 1,
    endAfter: o.endAfter as number,
    detection: o.detection === null ? null : run(o.detection, 'the detection run'),
    features: Object.fromEntries(Object.entries(o.features).map(([feature, r]) => [feature, run(r, `the run of feature ${feature}`)])),
  };
}
