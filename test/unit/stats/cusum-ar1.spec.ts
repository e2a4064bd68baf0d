import { cusumThresholdForAr1 } from '../../../src/core/stats/cusum-ar1.js';
import { cusumThresholdForArl0 } from '../../../src/core/stats/cusum.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

/** Mean run length of the CUSUM on AR(1) N(0,1) evidence, by simulation with another seed. */
function runLength(k: number, h: number, rho: number, runs: number): number {
  const normal = gaussian(seededRandom(777));
  let total = 0;
  for (let r = 0; r < runs; r++) {
    let x = normal();
    let s = 0;
    let t = 0;
    while (s <= h) {
      x = rho * x + Math.sqrt(1 - rho * rho) * normal();
      s = Math.max(0, s + x - k);
      t++;
    }
    total += t;
  }
  return total / runs;
}

describe('CUSUM threshold for correlated windows', () => {
  it('is Siegmund\'s for independent windows', () => {
    expect(cusumThresholdForAr1(0.5, 1000, 0)).toBe(cusumThresholdForArl0(0.5, 1000));
  });
  it('grows with the correlation, and its simulated run length meets the target', () => {
    const hs = [0.3, 0.6, 0.85].map((rho) => cusumThresholdForAr1(0.5, 200, rho));
    expect(hs[0]!).toBeGreaterThan(cusumThresholdForArl0(0.5, 200));
    expect(hs[1]!).toBeGreaterThan(hs[0]!);
    expect(hs[2]!).toBeGreaterThan(hs[1]!);
    const arl = runLength(0.5, hs[1]!, 0.6, 400);
    expect(arl).toBeGreaterThan(200 * 0.8);
    expect(arl).toBeLessThan(200 * 1.25);
  });
  it('is deterministic', () => {
    expect(cusumThresholdForAr1(0.5, 300, 0.47)).toBe(cusumThresholdForAr1(0.5, 300, 0.47));
  });
});
