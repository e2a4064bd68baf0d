import { driftParams, initialDriftState, stepDrift, restoreDriftState } from '../../../src/core/detect/drift-state.js';
import { seededRandom } from '../../../src/core/random.js';

const params = driftParams({ k: 0.5, expectedRunTimeWindows: 500, alpha: 0.05, cooldownWindows: 3 });

describe('sequential drift state', () => {
  it('fires once on a strong window, stays in drift, resolves after clean windows', () => {
    const s = initialDriftState();
    expect(stepDrift(params, s, 0.5, 'w1').transition).toBeNull();
    const fire = stepDrift(params, s, 1e-12, 'w2');
    expect([fire.transition, fire.status, fire.changed]).toEqual(['fire', 'drift', true]);
    expect(fire.cusum).toBeGreaterThan(params.h);
    expect(s.episode).toBe('w2');
    expect(stepDrift(params, s, 1e-9, 'w3').transition).toBeNull();
    expect(stepDrift(params, s, 0.4, 'w4').transition).toBeNull();
    const resolve = stepDrift(params, s, 0.6, 'w5');
    expect([resolve.transition, resolve.status]).toEqual(['resolve', 'ok']);
    expect(s.cooldownLeft).toBe(3);
  });

  it('suppresses a re-alarm during the cooldown and counts it', () => {
    const s = { ...initialDriftState(), cooldownLeft: 2 };
    const step = stepDrift(params, s, 1e-12, 'w1');
    expect([step.transition, step.suppressed, step.status]).toEqual([null, true, 'warning']);
    stepDrift(params, s, 1e-12, 'w2');
    expect(stepDrift(params, s, 1e-12, 'w3').transition).toBe('fire');
  });

  it('accumulates moderate evidence over several windows before firing', () => {
    const s = initialDriftState();
    const steps = [0.01, 0.01, 0.01, 0.01, 0.01].map((p, i) => stepDrift(params, s, p, `w${i}`).transition);
    expect(steps.slice(0, 2)).toEqual([null, null]);
    expect(steps).toContain('fire');
  });

  it('has a run length between false alarms near the target on uniform p-values', () => {
    const random = seededRandom(9);
    const runs: number[] = [];
    for (let r = 0; r < 300; r++) {
      const s = initialDriftState();
      let t = 0;
      while (stepDrift(params, s, random(), `w${t}`).transition !== 'fire' && t < 50_000) t++;
      runs.push(t + 1);
    }
    const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
    // Exponential run lengths: the mean of 300 has a standard error of about 6 %.
    expect(mean).toBeGreaterThan(500 * 0.8);
    expect(mean).toBeLessThan(500 * 1.25);
  });

  it('round-trips through JSON and refuses foreign snapshots', () => {
    const s = initialDriftState();
    stepDrift(params, s, 0.001, 'w');
    expect(restoreDriftState(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(restoreDriftState({ ...s, stateVersion: 99 })).toBeUndefined();
    expect(restoreDriftState({ ...s, cusum: 'x' })).toBeUndefined();
  });
});
