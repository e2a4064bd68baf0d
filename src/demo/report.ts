/** Judges the demo's alerts against the script: was each shift caught, with the right feature first? */
import type { Alert } from '../core/alerts/alert.js';
import type { Phase } from './scenario.js';

export interface PhaseVerdict {
  phase: string;
  expectFeature: string | undefined;
  expectFlow: boolean | undefined;
  /** Firing feature-shift alerts, and the feature each ranked first. */
  firings: number;
  topFeatures: string[];
  /** Firing covariate-shift (flow) alerts, and the feature each named first (conditional test). */
  flowFirings: number;
  flowSuspects: string[];
  ok: boolean;
}

/**
 * A phase is judged ok when its feature-shift alerts fire exactly when a feature was shifted, each
 * naming that feature first, and the flow's alerts fire (or stay quiet) as the phase expects.
 */
export function judge(phases: readonly Phase[], alerts: readonly Alert[], phaseOfTs: (ts: number) => number): { verdicts: PhaseVerdict[]; ok: boolean } {
  const verdicts = phases.map((phase, p) => {
    const inPhase = alerts.filter((a) => a.status === 'firing' && phaseOfTs(a.window.start) === p);
    const firings = inPhase.filter((a) => a.detector === 'feature-shift');
    const flowAlerts = inPhase.filter((a) => a.detector === 'covariate-shift');
    const flowFirings = flowAlerts.length;
    const flowSuspects = flowAlerts.flatMap((a) => a.suspects?.slice(0, 1) ?? []);
    const topFeatures = firings.map((a) => a.features[0]?.feature ?? '(none)');
    const featuresOk = phase.expectFeature === undefined ? firings.length === 0 : firings.length > 0 && topFeatures.every((f) => f === phase.expectFeature);
    const flowOk = phase.expectFlow === undefined || (phase.expectFlow ? flowFirings > 0 : flowFirings === 0);
    const suspectsOk = phase.expectSuspects === undefined || flowSuspects.every((f) => phase.expectSuspects!.includes(f));
    return { phase: phase.name, expectFeature: phase.expectFeature, expectFlow: phase.expectFlow, firings: firings.length, topFeatures, flowFirings, flowSuspects, ok: featuresOk && flowOk && suspectsOk };
  });
  return { verdicts, ok: verdicts.every((v) => v.ok) };
}

export function formatAlert(a: Alert): string {
  const when = `${new Date(a.window.start).toISOString()} .. ${new Date(a.window.end).toISOString()}`;
  if (a.status === 'resolved') return `RESOLVED ${a.model} ${a.detector}: episode ${a.episodeId} ended (window ${when})`;
  const lines = a.features.filter((f) => f.flagged).slice(0, 5).map((f) => {
    const effect = f.wassersteinNormalized !== undefined ? `W1/σ=${f.wassersteinNormalized.toFixed(3)}` : `JS=${(f.jsDistance ?? 0).toFixed(3)}`;
    return `    #${f.rank} ${f.feature} (${f.test} ${f.statistic.toFixed(3)}, adjusted p=${f.adjustedP.toExponential(2)}, ${effect}, PSI=${f.psi.toFixed(3)})`;
  });
  return [`FIRING ${a.model}: ${a.summary}`, `    window ${when}, ${a.window.n} events, CUSUM ${a.statistic.value.toFixed(1)} > h=${a.statistic.threshold.toFixed(2)}, alertId ${a.alertId}`, ...lines].join('\n');
}
