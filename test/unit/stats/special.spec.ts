import {
  logGamma,
  normalCdf,
  normalQuantile,
  normalSurvival,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../src/core/stats/special.js';
import { expectClose } from './close.js';

// Reference values: scipy 1.17.1 (scipy.special.*), mpmath 1.3 at 40 digits where noted.

describe('logGamma', () => {
  // scipy.special.gammaln(x)
  const cases: Array<[number, number]> = [
    [0.5, 0.5723649429247],
    [1.5, -0.12078223763524526],
    [3.7, 1.428072326665388],
    [9.99, 12.779315214350195],
    [10, 12.801827480081469],
    [25.3, 55.746181183584596],
    [100.5, 361.43554046777757],
    [1e5, 1051287.7089736569],
    [1e-8, 18.42068073818021],
    [1e10, 220258509288.81058],
    [-2.5, -0.05624371649767401], // ln|Γ(−2.5)|
  ];
  it.each(cases)('gammaln(%p) = %p', (x, expected) => expectClose(logGamma(x), expected, 1e-13));
  it('is exactly 0 at 1 and 2 (to rounding) and infinite at poles', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-15);
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
  });
});

describe('regularized incomplete gamma', () => {
  // scipy.special.gammainc(a, x)
  const lower: Array<[number, number, number]> = [
    [0.5, 0.1, 0.34527915398142317],
    [3, 2.5, 0.45618688411667035],
    [10, 3, 0.0011024881301154815],
    [50, 48, 0.40540439500476144],
    [500, 480, 0.18628197319032458],
    [1e4, 1e4 + 50, 0.6923424407025657],
    [150, 1, 6.4818304762487295e-264], // mpmath: 6.4818304762487116e-264
  ];
  it.each(lower)('P(%p, %p) = %p', (a, x, expected) => expectClose(regularizedGammaP(a, x), expected, 1e-12));

  // scipy.special.gammaincc(a, x)
  const upper: Array<[number, number, number]> = [
    [0.5, 0.1, 0.6547208460185768],
    [1, 1, 0.36787944117144245],
    [10, 25, 0.0002214766382487835],
    [50, 80, 0.0001307839765914092],
    [500, 560, 0.004693165999294767],
    // far tail: 1 − P would be exactly 0 here
    [1, 690, 2.1717382813899402e-300], // = exp(−690)
    [5, 700, 9.92039147980046e-295],
    [50, 800, 1.145859576908415e-268], // mpmath: 1.1458595769084505e-268
    [0.5, 690, 4.661158455674e-302],
  ];
  it.each(upper)('Q(%p, %p) = %p', (a, x, expected) => expectClose(regularizedGammaQ(a, x), expected, 1e-12));

  it('P + Q = 1 and the edge values hold', () => {
    for (const [a, x] of [[2.5, 1], [2.5, 7], [80, 79], [80, 95]] as const) {
      expectClose(regularizedGammaP(a, x) + regularizedGammaQ(a, x), 1, 1e-14);
    }
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaQ(3, 0)).toBe(1);
    expect(regularizedGammaQ(3, Infinity)).toBe(0);
    expect(() => regularizedGammaP(0, 1)).toThrow(RangeError);
    expect(() => regularizedGammaQ(1, -1)).toThrow(RangeError);
  });
});

describe('normal distribution', () => {
  // scipy.special.ndtr(x)
  const cdf: Array<[number, number]> = [
    [-37, 5.7255712225239266e-300], // mpmath: 5.7255712225245768e-300 (scipy is off by 1.1e-13 here)
    [-20, 2.7536241186061556e-89],
    [-8, 6.22096057427174e-16],
    [-3, 0.0013498980316300933],
    [-1, 0.15865525393145707],
    [0.5, 0.6914624612740131],
    [2, 0.9772498680518208],
    [5, 0.9999997133484281],
  ];
  it.each(cdf)('normalCdf(%p) = %p', (x, expected) => expectClose(normalCdf(x), expected, 1e-12));

  it('survival is accurate in the upper tail', () => {
    expectClose(normalSurvival(10), 7.61985302416047e-24, 1e-12); // scipy.special.ndtr(-10)
    expectClose(normalSurvival(37), 5.7255712225245768e-300, 1e-12); // mpmath.ncdf(-37)
    expectClose(normalSurvival(-2), 0.9772498680518208, 1e-14); // scipy.special.ndtr(2)
    expect(normalCdf(0)).toBe(0.5);
  });

  // scipy.special.ndtri(p)
  const quantiles: Array<[number, number]> = [
    [1e-300, -37.0470962993612],
    [1e-100, -21.273453560965322],
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.9, 1.2815515655446004],
    [0.975, 1.959963984540054],
    [1 - 1e-10, 6.361340889697422],
  ];
  it.each(quantiles)('normalQuantile(%p) = %p', (p, expected) => expectClose(normalQuantile(p), expected, 1e-14));

  it('quantile inverts the cdf and rejects p outside (0, 1)', () => {
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [1e-250, 1e-20, 0.01, 0.4, 0.77, 0.999]) expectClose(normalCdf(normalQuantile(p)), p, 1e-12);
    for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});
