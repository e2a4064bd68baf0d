import {
  evaluateMap,
  fitIsotonicMap,
  fitLinearMap,
  mapIncreases,
  spearmanCorrelation,
} from '../../../src/core/accuracy/monotone-map.js';

describe('fitLinearMap', () => {
  it('recovers an exact line and clips predictions to [0, 1]', () => {
    const map = fitLinearMap([0.1, 0.2, 0.4], [0.3, 0.5, 0.9]);
    expect(map.kind).toBe('linear');
    if (map.kind !== 'linear') return;
    expect(map.slope).toBeCloseTo(2, 14);
    expect(map.intercept).toBeCloseTo(0.1, 14);
    expect(evaluateMap(map, 0.3)).toBeCloseTo(0.7, 14);
    expect(evaluateMap(map, 0.9)).toBe(1);
    expect(evaluateMap(map, -0.5)).toBe(0);
    expect(mapIncreases(map)).toBe(true);
    expect(mapIncreases(fitLinearMap([0.1, 0.2], [0.5, 0.4]))).toBe(false);
  });
});

describe('fitIsotonicMap (pool-adjacent-violators)', () => {
  it('pools violators into their mean and interpolates between blocks', () => {
    // y = 1, 3, 2, 4 at x = 1..4: the middle pair pools to 2.5 at x = 2.5.
    const map = fitIsotonicMap([3, 1, 4, 2], [0.2, 0.1, 0.4, 0.3]);
    expect(map).toEqual({ kind: 'isotonic', scores: [1, 2.5, 4], accuracies: [0.1, 0.25, 0.4] });
    expect(evaluateMap(map, 1.75)).toBeCloseTo(0.175, 15);
    expect(evaluateMap(map, 0)).toBe(0.1); // flat beyond the fitted points
    expect(evaluateMap(map, 9)).toBe(0.4);
  });

  it('pools equal scores and returns a non-decreasing fit', () => {
    const map = fitIsotonicMap([1, 1, 2, 3, 3], [0.5, 0.3, 0.2, 0.9, 0.7]);
    if (map.kind !== 'isotonic') throw new Error('expected isotonic');
    // (1, 0.5) and (1, 0.3) pool to 0.4, which then pools with (2, 0.2): mean score 4/3, accuracy 1/3.
    expect(map.scores[0]).toBeCloseTo(4 / 3, 15);
    expect(map.scores[1]).toBe(3);
    expect(map.accuracies[0]).toBeCloseTo(1 / 3, 15);
    expect(map.accuracies[1]).toBeCloseTo(0.8, 15);
    for (let i = 1; i < map.accuracies.length; i++) expect(map.accuracies[i]).toBeGreaterThanOrEqual(map.accuracies[i - 1]!);
  });

  it('reports a flat fit as not increasing', () => {
    expect(mapIncreases(fitIsotonicMap([1, 2, 3], [0.9, 0.5, 0.1]))).toBe(false);
  });
});

describe('spearmanCorrelation', () => {
  it('is ±1 for monotone relations and averages tied ranks', () => {
    expect(spearmanCorrelation([1, 2, 3, 4], [10, 20, 25, 100])).toBeCloseTo(1, 15);
    expect(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 15);
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
    expect(spearmanCorrelation([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 14);
  });
});

describe('maps with mismatched or missing points', () => {
  it('refuses scores and accuracies of different lengths, and an isotonic map with no points', () => {
    expect(() => fitLinearMap([0.1, 0.2, 0.3], [0.5, 0.6])).toThrow(new RangeError('fitLinearMap: 3 scores vs 2 accuracies'));
    expect(() => fitIsotonicMap([0.1], [0.5, 0.6])).toThrow(RangeError);
    const empty = { kind: 'isotonic' as const, scores: [], accuracies: [] };
    expect(() => evaluateMap(empty, 0.5)).toThrow('evaluateMap: the isotonic map has no fitted points');
    expect(() => mapIncreases(empty)).toThrow(RangeError);
    expect(() => evaluateMap({ kind: 'isotonic', scores: [0.1, 0.2], accuracies: [0.5] }, 0.15)).toThrow(/2 scores vs 1 accuracies/);
    expect(() => spearmanCorrelation([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});
