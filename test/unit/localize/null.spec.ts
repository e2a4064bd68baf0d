/** The fit-time null: replicate windows, compact storage, p-values and z-scores. */
import {
  calibrateNull,
  nullPValue,
  nullZScore,
  recommendedReplicates,
  referenceSampler,
  summarizeNull,
  windowSampler,
} from '../../../src/core/localize/null.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

const rng = (seed: number) => seededRandom(seed);

const bruteP = (values: number[], s: number): number => (1 + values.filter((v) => v >= s).length) / (values.length + 1);

describe('p-values from the stored null', () => {
  const normal = gaussian(seededRandom(3));
  const values = Array.from({ length: 2000 }, () => Math.exp(normal())); // skewed, like S_j
  const summary = summarizeNull(values, 0.1);

  it('keeps mean, sd, the exact upper 10% and a 101-point quantile grid', () => {
    expect(summary.tail).toHaveLength(200);
    expect(summary.quantiles).toHaveLength(101);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(summary.mean).toBeCloseTo(mean, 6);
    expect(summary.tail[0]).toBeCloseTo(Math.max(...values), 6);
    expect(summary.quantiles[0]).toBeCloseTo(Math.min(...values), 6);
  });

  it('is exactly (1 + #{S_b ≥ S})/(B + 1) in the kept tail, and close to it below', () => {
    const sorted = [...values].sort((a, b) => b - a);
    for (const k of [0, 1, 5, 50, 150, 199]) {
      const s = sorted[k]! * (1 - 1e-7); // below the stored (9-digit) value and above the next replicate
      expect(nullPValue(summary, 2000, s)).toBeCloseTo(bruteP(values, s), 12);
    }
    expect(nullPValue(summary, 2000, sorted[0]! * 2)).toBe(1 / 2001); // beyond every replicate: the floor
    for (const q of [0.05, 0.3, 0.5, 0.8]) {
      const s = sorted[Math.round((1 - q) * 2000)]! * 0.999;
      expect(Math.abs(nullPValue(summary, 2000, s) - bruteP(values, s))).toBeLessThan(0.01);
    }
    expect(nullPValue(summary, 2000, -1)).toBe(1);
    expect(nullPValue(summary, 2000, NaN)).toBe(1);
  });

  it('z = (S − mean)/sd', () => {
    expect(nullZScore(summary, summary.mean + 3 * summary.sd)).toBeCloseTo(3, 9);
  });

  it('recommends B ≥ 20·d/α (docs/algorithms.md#conditional-shift)', () => {
    expect(recommendedReplicates(0.05, 25)).toBe(10_000);
    expect(recommendedReplicates(0.1, 2)).toBe(1000);
  });
});

describe('replicate windows', () => {
  it("'subsample' draws W distinct rows, 'bootstrap' any rows, 'blocks' contiguous ones", () => {
    const out = new Int32Array(40);
    const sub = windowSampler(100, 40, 'subsample', rng(1));
    for (let b = 0; b < 50; b++) {
      const w = sub(out);
      expect(new Set(w).size).toBe(40);
      expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...w)).toBeLessThan(100);
    }
    const boot = windowSampler(100, 40, 'bootstrap', rng(1));
    const seen = new Set<number>();
    let duplicates = 0;
    for (let b = 0; b < 20; b++) {
      const w = boot(out);
      duplicates += 40 - new Set(w).size;
      w.forEach((i) => seen.add(i));
    }
    expect(duplicates).toBeGreaterThan(0);
    const blocks = windowSampler(100, 40, 'blocks', rng(1));
    for (let b = 0; b < 20; b++) {
      const w = blocks(out);
      for (let k = 1; k < 40; k++) expect(w[k]).toBe(w[0]! + k);
      expect(w[39]).toBeLessThan(100);
    }
  });

  it('reference resamples: iid with replacement, or moving blocks of W rows for the time bootstrap', () => {
    const iid = referenceSampler(100, 250, 'bootstrap', 40, rng(2))(new Int32Array(250));
    expect(Math.max(...iid)).toBeLessThan(100);
    expect(new Set(iid).size).toBeLessThan(100);
    const blocks = referenceSampler(100, 250, 'blocks', 40, rng(2))(new Int32Array(250));
    for (let k = 0; k < 250; k++) if (k % 40 !== 0) expect(blocks[k]).toBe(blocks[k - 1]! + 1);
    expect(() => windowSampler(100, 200, 'blocks', rng(1))).toThrow(RangeError);
  });

  it('calibrateNull runs B replicates of the callback (with a reference resample when asked) and summarises each statistic', async () => {
    const calls: number[] = [];
    const result = await calibrateNull(500, { windowSize: 50, replicates: 300, referenceSize: 500, seed: 9 }, (window, reference, b) => {
      calls.push(b);
      expect(reference).toHaveLength(500);
      let sum = 0;
      for (const i of window) sum += i;
      return Float64Array.from([sum / window.length, 1]);
    });
    expect(calls).toHaveLength(300);
    expect(result.sampling).toBe('bootstrap');
    expect(result.referenceSize).toBe(500);
    expect(result.statistics).toHaveLength(2);
    expect(result.statistics[0]!.mean).toBeGreaterThan(230);
    expect(result.statistics[0]!.mean).toBeLessThan(270);
    expect(result.statistics[1]!.sd).toBe(0);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const oneSample = await calibrateNull(500, { windowSize: 50, replicates: 20 }, (_w, reference) => {
      expect(reference).toBeNull();
      return Float64Array.from([0]);
    });
    expect(oneSample.referenceSize).toBe(0);
  });
});
