/** How the demo prints an alert as it arrives: one line, what fired or resolved, where, and what it names. */
import type { Alert } from '../core/alerts/alert.js';
import { namedFeatures } from './phase-table.js';

const shares = (v: readonly number[]) => v.map((x) => x.toFixed(2)).join('/');

/** `where`: the window's place in the stream, e.g. "window 7 (covariate shift)". */
export function formatAlert(a: Alert, where: string): string {
  const head = `${a.status === 'firing' ? 'FIRING  ' : 'RESOLVED'} ${a.detector.padEnd(17)} ${where}`;
  if (a.status === 'resolved') return head;
  const named = namedFeatures(a);
  const detail = a.detector === 'label-shift' && a.classProportions
    ? `class shares ${shares(a.classProportions.estimate)} (reference ${shares(a.classProportions.reference)})`
    : named.length > 0 ? `names ${named.slice(0, 3).join(', ')}` : '';
  return `${head}: ${detail ? `${detail}; ` : ''}CUSUM ${a.statistic.value.toFixed(1)} > h=${a.statistic.threshold.toFixed(2)}`;
}
