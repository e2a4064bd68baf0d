import { rqDerivatives, rqForward, rqInverse, splineKnots, splineParameterCount } from '../../../src/core/flow/rq-spline.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { expectClose } from '../stats/close.js';

// Spec Appendix A.6 (K = 4, B = 3, minimums 1e-3).
const A6_THETA = [0.5, -0.3, 1.2, 0.0, -0.4, 0.9, 0.1, 0.3, 0.2, -1.0, 0.7];

function randomTheta(bins: number, seed: number, spread = 1.5): number[] {
  const normal = gaussian(seededRandom(seed));
  return Array.from({ length: splineParameterCount(bins) }, () => spread * normal());
}

describe('splineKnots', () => {
  it('reproduces the knots of Appendix A.6', () => {
    const knots = splineKnots(A6_THETA, 0, 4, 3);
    const expected = {
      x: [-3, -1.5255554619, -0.8597407988, 2.1033433656, 3],
      y: [-3, -2.2767454986, 0.361074053, 1.5496268059, 3],
      d: [1, 0.7991388694, 0.3142616875, 1.1041860489, 1],
    };
    for (const key of ['x', 'y', 'd'] as const) {
      expected[key].forEach((v, k) => expect(Math.abs(knots[key][k]! - v)).toBeLessThan(1e-9));
    }
    expect(knots.x[4]).toBe(3);
    expect(knots.y[0]).toBe(-3);
    expect(knots.d[0]).toBe(1);
    expect(knots.d[4]).toBe(1);
  });

  it('reads its parameters at an offset', () => {
    const padded = [9, 9, 9, ...A6_THETA, 9];
    expect(Array.from(splineKnots(padded, 3, 4, 3).y)).toEqual(Array.from(splineKnots(A6_THETA, 0, 4, 3).y));
    expect(() => splineKnots(A6_THETA, 1, 4, 3)).toThrow(RangeError);
  });

  it('gives interior derivatives 1e-3 + log 2 for zero parameters', () => {
    const knots = splineKnots(new Array(11).fill(0), 0, 4, 3);
    expectClose(knots.d[2]!, 0.6941471806, 1e-10);
    expect(Array.from(knots.x)).toEqual([-3, -1.5, 0, 1.5, 3]);
  });
});

describe('rqForward', () => {
  it('matches the all-zero test vector (docs/algorithms.md#flow-training)', () => {
    const knots = splineKnots(new Array(11).fill(0), 0, 4, 3);
    const at07 = rqForward(0.7, knots);
    expectClose(at07.y, 0.691020575, 1e-9);
    expectClose(at07.logDeriv, 0.163560893, 1e-9);
    expectClose(rqForward(1.0, knots).y, 1.0393299466, 1e-9);
  });

  it('matches the table of Appendix A.6', () => {
    const knots = splineKnots(A6_THETA, 0, 4, 3);
    const table: Array<[number, number, number]> = [
      [-3.5, -3.5, 0],
      [-3.0, -3.0, 0],
      [-2.0, -2.520176590814, -0.998791068693],
      [-0.5, 0.461469147633, -1.369342234015],
      [0.0, 0.58277709885, -1.42557419823],
      [1.3, 0.986627314624, -0.793857967996],
      [2.9, 2.885157055097, 0.26019034231],
      [3.0, 3.0, 0],
      [4.2, 4.2, 0],
    ];
    for (const [x, y, logDeriv] of table) {
      const out = rqForward(x, knots);
      expect(Math.abs(out.y - y)).toBeLessThan(1e-11);
      expect(Math.abs(out.logDeriv - logDeriv)).toBeLessThan(1e-11);
    }
  });

  it('passes through every knot with the knot derivative', () => {
    const knots = splineKnots(randomTheta(8, 3), 0, 8, 2.5);
    for (let k = 0; k <= 8; k++) {
      const out = rqForward(knots.x[k]!, knots);
      expect(Math.abs(out.y - knots.y[k]!)).toBeLessThan(1e-13);
      expect(Math.abs(Math.exp(out.logDeriv) - knots.d[k]!)).toBeLessThan(1e-12);
    }
  });

  it('is C¹ at ±B: value continuous and log-derivative → 0 (derivative → 1) from inside', () => {
    for (let seed = 0; seed < 20; seed++) {
      const theta = randomTheta(8, seed, 3);
      const knots = splineKnots(theta, 0, 8, 3);
      for (const edge of [-3, 3]) {
        expect(rqForward(edge, knots)).toEqual({ y: edge, logDeriv: 0 });
        for (const h of [1e-9, 1e-12]) {
          const inward = edge - Math.sign(edge) * h;
          const out = rqDerivatives(inward, theta, 0, 8, 3);
          expect(Math.abs(out.y - inward)).toBeLessThan(2 * h);
          // log g' vanishes linearly: |log g'(B − h)| ≈ h·|d log g'/dx|.
          expect(Math.abs(out.logDeriv)).toBeLessThan(1.1 * h * Math.abs(out.dLogDerivDx) + 1e-13);
        }
      }
    }
  });

  it('is strictly increasing', () => {
    const knots = splineKnots(randomTheta(8, 11, 4), 0, 8, 3);
    let previous = -Infinity;
    for (let x = -4; x <= 4; x += 1e-3) {
      const { y } = rqForward(x, knots);
      expect(y).toBeGreaterThan(previous);
      previous = y;
    }
  });
});

describe('rqInverse', () => {
  it('inverts the forward map to 1e-10, inside and outside ±B, with the opposite log-derivative', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 1000; trial++) {
      const bins = 2 + (trial % 9);
      const knots = splineKnots(randomTheta(bins, 100 + trial, 2), 0, bins, 3);
      const x = -5 + 10 * random();
      const forward = rqForward(x, knots);
      const back = rqInverse(forward.y, knots);
      expect(Math.abs(back.x - x)).toBeLessThan(1e-10);
      expect(Math.abs(back.logDeriv + forward.logDeriv)).toBeLessThan(1e-10);
    }
  });

  it('maps the y-knots back to the x-knots', () => {
    const knots = splineKnots(A6_THETA, 0, 4, 3);
    for (let k = 0; k <= 4; k++) expect(Math.abs(rqInverse(knots.y[k]!, knots).x - knots.x[k]!)).toBeLessThan(1e-14);
  });
});

describe('rqDerivatives', () => {
  const eps = 1e-6;

  it('gives dy/dx = exp(logDeriv) and d logDeriv/dx matching central differences', () => {
    const theta = randomTheta(6, 21);
    const knots = splineKnots(theta, 0, 6, 3);
    for (let x = -2.95; x < 3; x += 0.37) {
      const g = rqDerivatives(x, theta, 0, 6, 3);
      expectClose(g.dydx, Math.exp(g.logDeriv), 1e-12);
      expect(g.y).toBe(rqForward(x, knots).y);
      const fd = (rqForward(x + eps, knots).logDeriv - rqForward(x - eps, knots).logDeriv) / (2 * eps);
      expect(Math.abs(g.dLogDerivDx - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    }
  });

  it('gives exact θ-gradients of y and log g′ (checked against central differences)', () => {
    const bins = 5;
    const random = seededRandom(31);
    for (let trial = 0; trial < 40; trial++) {
      const theta = [0.1, ...randomTheta(bins, 200 + trial), -0.4]; // offset 1 inside a longer vector
      const x = -2.9 + 5.8 * random();
      const g = rqDerivatives(x, theta, 1, bins, 3);
      for (let p = 0; p < splineParameterCount(bins); p++) {
        const plus = theta.slice();
        const minus = theta.slice();
        plus[1 + p]! += eps;
        minus[1 + p]! -= eps;
        const fPlus = rqForward(x, splineKnots(plus, 1, bins, 3));
        const fMinus = rqForward(x, splineKnots(minus, 1, bins, 3));
        const dy = (fPlus.y - fMinus.y) / (2 * eps);
        const dl = (fPlus.logDeriv - fMinus.logDeriv) / (2 * eps);
        expect(Math.abs(g.dyDtheta[p]! - dy)).toBeLessThan(1e-7 * (1 + Math.abs(dy)));
        expect(Math.abs(g.dLogDerivDtheta[p]! - dl)).toBeLessThan(1e-7 * (1 + Math.abs(dl)));
      }
    }
  });

  it('is the identity with zero θ-gradients in the tails', () => {
    const g = rqDerivatives(-3.2, A6_THETA, 0, 4, 3);
    expect(g.y).toBe(-3.2);
    expect(g.dydx).toBe(1);
    expect(g.dLogDerivDx).toBe(0);
    expect(Array.from(g.dyDtheta).every((v) => v === 0)).toBe(true);
  });
});
