import { gaussian, seededRandom } from '../../../src/core/random.js';
import { gammaDraw, symmetricDirichlet, weightedIndices } from '../../../src/core/accuracy/shift-sampling.js';
import { buildShiftedSet, logitAccuracy, shiftRecipes } from '../../../src/core/accuracy/synthetic-shifts.js';

describe('sampling primitives', () => {
  it('Gamma draws have mean ≈ shape, for shapes below and above 1', () => {
    const random = seededRandom(3);
    const normal = gaussian(random);
    for (const shape of [0.3, 2.5]) {
      const draws = Array.from({ length: 20000 }, () => gammaDraw(shape, random, normal));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      // sd of the mean is √(shape/20000) ≤ 0.012; allow 4 of them.
      expect(Math.abs(mean - shape)).toBeLessThan(4 * Math.sqrt(shape / 20000));
    }
  });

  it('Dirichlet draws lie on the simplex and are peaked for small α', () => {
    const random = seededRandom(4);
    const top = (alpha: number) => {
      let sum = 0;
      for (let i = 0; i < 500; i++) {
        const p = symmetricDirichlet(4, alpha, random);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        sum += Math.max(...p);
      }
      return sum / 500;
    };
    expect(top(0.3)).toBeGreaterThan(top(10) + 0.2);
  });

  it('weighted draws follow the weights', () => {
    const counts = [0, 0, 0];
    for (const i of weightedIndices([1, 0, 3], 8000, seededRandom(5))) counts[i]!++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[2]! / 8000 - 0.75)).toBeLessThan(0.02); // sd ≈ 0.005
  });
});

describe('synthetic shifted sets', () => {
  // Two classes; class 1 rows are always misclassified, so accuracy equals the share of class 0.
  const logits = Array.from({ length: 200 }, (_, i) => (i < 100 ? [2 + (i % 7) / 10, 0] : [1 + (i % 5) / 10, 0]));
  const labels = logits.map((_, i) => (i < 100 ? 0 : 1));

  it('default recipes: 4 families, 10 shifted sets per severity, 100 in all', () => {
    const recipes = shiftRecipes();
    expect(recipes).toHaveLength(100);
    expect(new Set(recipes.map((r) => r.family))).toEqual(new Set(['none', 'prior', 'tilt', 'mix']));
  });

  const labelOf = new Map(logits.map((row, i) => [row.join(), labels[i]!]));

  it('prior shift keeps rows intact and moves the class mix (hence the accuracy)', () => {
    const random = seededRandom(6);
    const accuracies = Array.from({ length: 20 }, () => {
      const set = buildShiftedSet(logits, labels, { family: 'prior', severity: 0.3 }, 300, random);
      set.logits.forEach((row, i) => expect(labelOf.get(row.join())).toBe(set.labels[i]));
      return logitAccuracy(set.logits, set.labels);
    });
    expect(Math.max(...accuracies) - Math.min(...accuracies)).toBeGreaterThan(0.3);
  });

  it('mix interpolates towards another row and keeps the original label', () => {
    const set = buildShiftedSet([[4, 0], [0, 4]], [0, 1], { family: 'mix', severity: 0.25 }, 50, seededRandom(7));
    // 0.75·own + 0.25·partner: the row itself, or [3, 1] for label 0 and [1, 3] for label 1.
    const seen = new Set<string>();
    set.logits.forEach((row, i) => {
      const allowed = set.labels[i] === 0 ? ['4,0', '3,1'] : ['0,4', '1,3'];
      expect(allowed).toContain(row.join());
      seen.add(row.join());
    });
    expect(seen.has('3,1') || seen.has('1,3')).toBe(true);
  });

  it('tilt favours rows along a direction, so the class mix differs from the source', () => {
    const random = seededRandom(8);
    const shares = Array.from({ length: 10 }, () => {
      const set = buildShiftedSet(logits, labels, { family: 'tilt', severity: 2 }, 400, random);
      return set.labels.filter((y) => y === 0).length / 400;
    });
    expect(Math.max(...shares.map((s) => Math.abs(s - 0.5)))).toBeGreaterThan(0.15);
  });
});
