/**
 * The demo's script: the phases' windows and events are what the verdict will expect of them (the
 * covariate phases really cost the model accuracy, the label-shift phase really moves the class mix),
 * in the contract's shape, continuing the reference's time line.
 */
import { CLASS_NAMES, DAY_MS, START_MS } from '../../../src/demo/classifier-world.js';
import { DEMO_SHAPE, REFERENCE_WINDOWS, demoPhases, demoWindows, demoWorld, phaseOfWindow, type DemoWindow } from '../../../src/demo/scenario.js';

const phases = demoPhases();
const windows: DemoWindow[] = [...demoWindows(demoWorld(), phases)];
const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;

function accuracyOf(ws: readonly DemoWindow[]): number {
  return mean(ws.flatMap((w) => w.events.map((e) => {
    const top = Object.entries(e.probs).reduce((a, b) => (b[1] > a[1] ? b : a));
    return top[0] === e.label ? 1 : 0;
  })));
}
const ofKind = (kind: string) => windows.filter((w) => phases[w.phase]!.expect.kind === kind);

describe('the demo scenario', () => {
  it('maps windows to phases at the phases\' boundaries', () => {
    expect(phaseOfWindow(phases, 0)).toBe(0);
    expect(phaseOfWindow(phases, phases[0]!.windows - 1)).toBe(0);
    expect(phaseOfWindow(phases, phases[0]!.windows)).toBe(1);
    const total = phases.reduce((s, p) => s + p.windows, 0);
    expect(phaseOfWindow(phases, total - 1)).toBe(phases.length - 1);
    expect(phaseOfWindow(phases, total + 5)).toBe(phases.length - 1);
  });

  it('gives every phase its windows of whole, well-formed events after the reference\'s days', () => {
    expect(windows.map((w) => w.index)).toEqual(windows.map((_, i) => i));
    expect(windows.map((w) => w.phase)).toEqual(phases.flatMap((p, i) => new Array<number>(p.windows).fill(i)));
    const events = windows.flatMap((w) => w.events);
    expect(windows.every((w) => w.events.length === DEMO_SHAPE.windowSize)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[0]!.ts).toBeGreaterThanOrEqual(START_MS + (REFERENCE_WINDOWS / DEMO_SHAPE.windowsPerDay) * DAY_MS - 1);
    expect(events.every((e, i) => i === 0 || e.ts > events[i - 1]!.ts)).toBe(true);
    for (const e of events.slice(0, 2000)) {
      expect(Object.keys(e.probs)).toEqual([...CLASS_NAMES]);
      expect(Math.abs(Object.values(e.probs).reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-4);
      expect(CLASS_NAMES).toContain(e.label);
      expect(Object.keys(e.features).sort()).toEqual(['channel', 'hour', 'x0', 'x1', 'x2', 'x3']);
    }
  });

  it('costs the model accuracy in the covariate phases and not in the label-shift phase', () => {
    const clean = accuracyOf(ofKind('quiet'));
    for (const kind of ['features', 'joint']) expect(accuracyOf(ofKind(kind))).toBeLessThan(clean - 0.05);
    expect(Math.abs(accuracyOf(ofKind('label')) - clean)).toBeLessThan(0.04);
  });

  it('moves the class mix in the label-shift phase toward the mix it names', () => {
    const label = phases.find((p) => p.expect.kind === 'label')!;
    const share = (ws: readonly DemoWindow[], c: string) => mean(ws.flatMap((w) => w.events.map((e) => (e.label === c ? 1 : 0))));
    CLASS_NAMES.forEach((c, k) => expect(share(ofKind('label'), c)).toBeCloseTo(label.conditions.mix![k]!, 1));
    expect(share(ofKind('quiet'), 'high')).toBeLessThan(0.35);
  });

  it('expects of each covariate phase the features its conditions change', () => {
    for (const p of phases) {
      if (p.expect.kind === 'features') expect([...p.expect.features].sort()).toEqual([...(p.conditions.squeeze?.features ?? [])].sort());
      if (p.expect.kind === 'joint') expect(p.conditions.detach).toBe(p.expect.feature);
      if (p.expect.kind === 'quiet') expect(p.conditions).toEqual({});
    }
  });
});
