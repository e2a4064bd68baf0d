/**
 * The classifier world shared by the demo and the trust benchmark: each window condition changes
 * what it says it changes and nothing else (measured on a few thousand rows per condition).
 */
import { createWorld, worldRows, NUMERIC, type WindowConditions, type WorldRow } from '../../../src/demo/classifier-world.js';

const world = createWorld({ windowSize: 500, windowsPerDay: 8 }, 3, false);
const WINDOWS = 8;

function draw(conditions: WindowConditions, seed = 11): WorldRow[] {
  return [...worldRows(world, { offsetWindows: 0, windows: WINDOWS, seed, conditions: () => conditions })];
}

const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: readonly number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));
const accuracy = (rows: readonly WorldRow[]) => mean(rows.map((r) => (argmax(r.probs) === r.label ? 1 : 0)));
const confidence = (rows: readonly WorldRow[]) => mean(rows.map((r) => Math.max(...r.probs)));
const overconfidence = (rows: readonly WorldRow[]) => confidence(rows) - accuracy(rows);
const shares = (rows: readonly WorldRow[]) => [0, 1, 2].map((k) => mean(rows.map((r) => (r.label === k ? 1 : 0))));
const input = (rows: readonly WorldRow[], j: number) => rows.map((r) => r.x[j]!);

/** Largest gap between the two samples' empirical CDFs (two-sample KS statistic). */
function ks(a: readonly number[], b: readonly number[]): number {
  const all = [...a, ...b].sort((x, y) => x - y);
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  let ia = 0;
  let ib = 0;
  let d = 0;
  for (const v of all) {
    while (ia < sa.length && sa[ia]! <= v) ia++;
    while (ib < sb.length && sb[ib]! <= v) ib++;
    d = Math.max(d, Math.abs(ia / sa.length - ib / sb.length));
  }
  return d;
}

describe('the classifier world', () => {
  const clean = draw({});

  it('is a function of its seed, with rows one step apart in time', () => {
    expect(draw({})).toEqual(clean);
    expect(draw({}, 12)[0]!.x).not.toEqual(clean[0]!.x);
    const steps = new Set(clean.slice(1).map((r, i) => r.ts - clean[i]!.ts));
    expect([...steps].every((s) => Math.abs(s - 21_600) <= 1)).toBe(true);
  });

  it('squeeze: the squeezed inputs narrow, the others keep their spread, and accuracy falls with the model\'s confidence', () => {
    const squeezed = draw({ squeeze: { factor: 0.25, features: ['x0', 'x1'] } });
    for (const j of [0, 1]) expect(sd(input(squeezed, j))).toBeLessThan(0.5 * sd(input(clean, j)));
    for (const j of [2, 3]) expect(ks(input(squeezed, j), input(clean, j))).toBeLessThan(0.1);
    expect(accuracy(squeezed)).toBeLessThan(accuracy(clean) - 0.05);
    expect(confidence(squeezed)).toBeLessThan(confidence(clean) - 0.05);
    // p(y | x) is the world's own: the model is as over-confident as on clean rows.
    expect(Math.abs(overconfidence(squeezed) - overconfidence(clean))).toBeLessThan(0.03);
  });

  it('detach: the detached input keeps its marginal while accuracy falls', () => {
    const detached = draw({ detach: 'x3' });
    for (let j = 0; j < NUMERIC.length; j++) expect(ks(input(detached, j), input(clean, j))).toBeLessThan(0.05);
    expect(accuracy(detached)).toBeLessThan(accuracy(clean) - 0.05);
    // The link between x3 and the class broke, so p(y | x) did change: the model's confidence overstates its accuracy more.
    expect(overconfidence(detached)).toBeGreaterThan(overconfidence(clean) + 0.03);
  });

  it('mix: the class shares move to the new mix while each class\'s inputs stay where they were', () => {
    const shifted = draw({ mix: [0.15, 0.25, 0.6] });
    const s = shares(shifted);
    expect(s[2]!).toBeGreaterThan(0.5);
    expect(s[1]!).toBeLessThan(0.32);
    expect(shares(clean)[2]!).toBeLessThan(0.4);
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < NUMERIC.length; j++) {
        const before = clean.filter((r) => r.label === k).map((r) => r.x[j]!);
        const after = shifted.filter((r) => r.label === k).map((r) => r.x[j]!);
        expect(Math.abs(mean(after) - mean(before))).toBeLessThan(0.15);
      }
    }
  });
});
