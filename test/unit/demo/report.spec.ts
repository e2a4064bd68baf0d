/** How the demo prints an alert as it arrives: what fired or resolved, where, and what it names. */
import type { Alert } from '../../../src/core/alerts/alert.js';
import { formatAlert } from '../../../src/demo/report.js';

const base = {
  v: 1, alertId: 'a', model: 'm', severity: 'drift', episodeId: 'e',
  window: { id: 'w', serial: 7, start: 0, end: 1, n: 500 },
  statistic: { name: 'cusum', value: 8.74, threshold: 5.061, evidence: 3 }, pValue: 1e-6, effect: { name: 'e', value: 1 }, ertTargetWindows: 1000,
  features: [], summary: '',
} as const;

describe('the demo\'s alert lines', () => {
  it('names the flagged features of a feature-shift alert, most likely first, with its CUSUM', () => {
    const alert: Alert = {
      ...base, detector: 'feature-shift', status: 'firing',
      features: [{ rank: 1, feature: 'x1', flagged: true }, { rank: 2, feature: 'x0', flagged: true }, { rank: 3, feature: 'x2', flagged: false }] as Alert['features'],
    };
    expect(formatAlert(alert, 'window 7 (covariate shift)')).toBe('FIRING   feature-shift     window 7 (covariate shift): names x1, x0; CUSUM 8.7 > h=5.06');
  });

  it('gives a label-shift alert\'s estimated class shares next to the reference\'s', () => {
    const alert = { ...base, detector: 'label-shift', status: 'firing', classProportions: { estimate: [0.171, 0.23, 0.599], reference: [0.25, 0.45, 0.3] } } as unknown as Alert;
    expect(formatAlert(alert, 'window 28')).toBe('FIRING   label-shift       window 28: class shares 0.17/0.23/0.60 (reference 0.25/0.45/0.30); CUSUM 8.7 > h=5.06');
  });

  it('says only where an episode resolved', () => {
    expect(formatAlert({ ...base, detector: 'covariate-shift', status: 'resolved' } as unknown as Alert, 'window 14 (clean again)')).toBe('RESOLVED covariate-shift   window 14 (clean again)');
  });
});
