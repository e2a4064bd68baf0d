import { randomSubsample, stratifiedSubsample } from '../../../src/core/regression/subsample.js';
import { seededRandom } from '../../../src/core/random.js';

describe('seeded subsampling', () => {
  it('returns everything when under the cap', () => {
    expect(randomSubsample(4, 10, seededRandom(1))).toEqual([0, 1, 2, 3]);
    expect(stratifiedSubsample([3, 1, 2], 3, seededRandom(1))).toEqual([0, 1, 2]);
  });

  it('random: distinct, ascending, reproducible for a seed, different across seeds', () => {
    const a = randomSubsample(1000, 50, seededRandom(9));
    expect(a).toHaveLength(50);
    expect(new Set(a).size).toBe(50);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(randomSubsample(1000, 50, seededRandom(9))).toEqual(a);
    expect(randomSubsample(1000, 50, seededRandom(10))).not.toEqual(a);
  });

  it('stratified: exactly one index per equal-count quantile group', () => {
    const r = seededRandom(3);
    const values = Array.from({ length: 1000 }, () => r() * 10 - 5);
    const picked = stratifiedSubsample(values, 100, seededRandom(4));
    expect(new Set(picked).size).toBe(100);
    const rank = new Map([...values.keys()].sort((a, b) => values[a]! - values[b]!).map((idx, k) => [idx, k]));
    const groups = picked.map((idx) => Math.floor(rank.get(idx)! / 10)).sort((a, b) => a - b);
    expect(groups).toEqual(Array.from({ length: 100 }, (_, g) => g));
  });
});
