import { EVIDENCE_P_CEILING, cusumThresholdForArl0, pValueToEvidence, siegmundArl0 } from '../../../src/core/stats/cusum.js';
import { expectClose } from './close.js';

// Siegmund values from plain Python: f = lambda k, h: (math.exp(2*k*(h+1.166)) - 2*k*(h+1.166) - 1) / (2*k*k)

describe('siegmundArl0', () => {
  it.each([
    [0.5, 5, 938.2223641163949], // spec check: ≈ 938
    [0.5, 4, 338.09316715655797], // spec check: ≈ 338
    [0.25, 8, 737.7950131487456],
    [1, 3, 2072.6933428677744],
  ])('ARL0(k=%p, h=%p) = %p', (k, h, expected) => expectClose(siegmundArl0(k, h), expected, 1e-13));
  it('tends to (h + 1.166)² as k → 0 and grows with h for negative k too', () => {
    expectClose(siegmundArl0(0, 5), 38.019556, 1e-14); // 6.166²
    expectClose(siegmundArl0(1e-9, 5), 38.019556, 1e-7);
    expect(siegmundArl0(-0.3, 5)).toBeGreaterThan(siegmundArl0(-0.3, 4));
  });
});

describe('cusumThresholdForArl0', () => {
  it('inverts siegmundArl0', () => {
    expectClose(cusumThresholdForArl0(0.5, 938.2223641163949), 5, 1e-10);
    expectClose(cusumThresholdForArl0(0.5, 338.09316715655797), 4, 1e-10);
    // scipy.optimize.brentq(lambda h: f(0.5, h) - 500, 0, 50, xtol=1e-14)
    expectClose(cusumThresholdForArl0(0.5, 500), 4.38131310414719, 1e-10);
    // scipy.optimize.brentq(lambda h: f(0.25, h) - 10000, 0, 100, xtol=1e-14)
    expectClose(cusumThresholdForArl0(0.25, 10000), 13.108775284919618, 1e-10);
  });
  it('rejects targets not reachable with h > 0', () => {
    expect(() => cusumThresholdForArl0(0.5, 2)).toThrow(RangeError); // ARL0 at h = 0 is ≈ 2.09
    expect(() => cusumThresholdForArl0(0.5, Infinity)).toThrow(RangeError);
  });
});

describe('pValueToEvidence', () => {
  it('is the upper-tail normal score, accurate for tiny p', () => {
    expect(pValueToEvidence(0.5)).toBe(0);
    expectClose(pValueToEvidence(0.01), 2.3263478740408408, 1e-14); // -scipy.special.ndtri(0.01)
    expectClose(pValueToEvidence(1e-200), 30.20559417957964, 1e-14); // -scipy.special.ndtri(1e-200)
    expectClose(pValueToEvidence(1e-300), 37.0470962993612, 1e-14); // -scipy.special.ndtri(1e-300)
  });
  it('clamps p to [floor, 1 − 1e-12] so p = 0 and p = 1 stay finite', () => {
    expect(pValueToEvidence(0)).toBe(pValueToEvidence(1e-300));
    expectClose(pValueToEvidence(0, 1e-10), 6.361340902404056, 1e-14); // -scipy.special.ndtri(1e-10)
    expect(EVIDENCE_P_CEILING).toBe(1 - 1e-12);
    // scipy.special.ndtri(1 - 1e-12) = 7.0344869100478356, but 1 − (1 − 1e-12) is not exactly 1e-12 in
    // floating point, hence the looser tolerance
    expectClose(pValueToEvidence(1), -7.0344869100478356, 1e-10);
    expect(pValueToEvidence(1)).toBe(pValueToEvidence(1 - 1e-13));
    expect(() => pValueToEvidence(NaN)).toThrow(RangeError);
  });
});
