/** Judges the demo's alerts against the script: was each shift caught, with the right feature first? */
import type { Alert } from '../core/alerts/alert.js';
import type { Phase } from './scenario.js';

export interface PhaseVerdict {
  phase: string;
  expectFeature: string | undefined;
  firings: number;
  topFeatures: string[];
  ok: boolean;
}

export function judge(phases: readonly Phase[], alerts: readonly Alert[], phaseOfTs: (ts: number) => number): { verdicts: PhaseVerdict[]; ok: boolean } {
  const verdicts = phases.map((phase, p) => {
    const firings = alerts.filter((a) => a.status === 'firing' && phaseOfTs(a.window.start) === p);
    const topFeatures = firings.map((a) => a.features[0]?.feature ?? '(none)');
    const ok = phase.expectFeature === undefined ? firings.length === 0 : firings.length > 0 && topFeatures.every((f) => f === phase.expectFeature);
    return { phase: phase.name, expectFeature: phase.expectFeature, firings: firings.length, topFeatures, ok };
  });
  return { verdicts, ok: verdicts.every((v) => v.ok) };
}

export function formatAlert(a: Alert): string {
  const when = `${new Date(a.window.start).toISOString()} .. ${new Date(a.window.end).toISOString()}`;
  if (a.status === 'resolved') return `RESOLVED ${a.model}: episode ${a.episodeId} ended (window ${when})`;
  const lines = a.features.filter((f) => f.flagged).slice(0, 5).map((f) => {
    const effect = f.wassersteinNormalized !== undefined ? `W1/σ=${f.wassersteinNormalized.toFixed(3)}` : `JS=${(f.jsDistance ?? 0).toFixed(3)}`;
    return `    #${f.rank} ${f.feature} (${f.test} ${f.statistic.toFixed(3)}, adjusted p=${f.adjustedP.toExponential(2)}, ${effect}, PSI=${f.psi.toFixed(3)})`;
  });
  return [`FIRING ${a.model}: ${a.summary}`, `    window ${when}, ${a.window.n} events, CUSUM ${a.statistic.value.toFixed(1)} > h=${a.statistic.threshold.toFixed(2)}, alertId ${a.alertId}`, ...lines].join('\n');
}
