import {
  baseLogProb,
  baseScore,
  digamma,
  normalLogPdf,
  studentTDofDerivative,
  studentTLogPdf,
  studentTScore,
  tailIndex,
} from '../../../src/core/flow/base-density.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';
import { expectClose } from '../stats/close.js';

describe('Student-t', () => {
  // scipy 1.17.1: scipy.stats.t.logpdf(x, nu) (computed independently of the spec's Appendix A.7)
  const logPdf: Array<[number, number[]]> = [
    [1, [-1.1447298858494, -1.8378770664093453, -3.1257313547159833, -5.139069933766759, -8.523113598846114]],
    [3, [-1.0008888496235098, -1.5762529945270716, -3.252911375335958, -6.864698071239161, -13.562928577506396]],
    [30, [-0.9272703253788479, -1.4355125791352066, -3.8605213197760384, -16.7548025657978, -62.851907963527964]],
    [2.9, [-1.003624219830185, -1.5813425613093712, -3.244258347305438, -6.783478952686957, -13.317599329577028]],
    [0.7, [-1.2220135816234485, -1.976221297374216, -3.173117694611567, -4.915666301567038, -7.7966541496411255]],
    [250, [-0.9199385305381127, -1.420937199865063, -4.018861410629736, -25.170118497433037, -252.1056785569087]],
  ];
  const xs = [0, 1, -2.5, 7.3, -40];
  it.each(logPdf)('log pdf with ν = %p matches scipy', (nu, expected) => {
    xs.forEach((x, i) => expectClose(studentTLogPdf(x, nu), expected[i]!, 1e-12, `ν=${nu} x=${x}`));
  });

  it('matches the spec Appendix A.7 values', () => {
    expectClose(studentTLogPdf(-2.5, 3), -3.2529113753, 1e-10);
    expectClose(studentTScore(2, 1), -0.8, 1e-15);
    expectClose(studentTScore(2, 3), -1.1428571, 1e-7);
    expectClose(studentTScore(2, 30), -1.8235294, 1e-7);
    for (const nu of [1, 3, 30]) expectClose(studentTScore(1, nu), -1, 1e-15);
  });

  it('has the score of its log pdf', () => {
    for (const nu of [0.8, 2.9, 12]) {
      for (const x of [-6, -0.3, 0.9, 4]) {
        const fd = (studentTLogPdf(x + 1e-6, nu) - studentTLogPdf(x - 1e-6, nu)) / 2e-6;
        expectClose(studentTScore(x, nu), fd, 1e-7);
      }
    }
  });

  it('has ∂/∂ν log t_ν(1.7) = 0.0162667522 at ν = 3 (mpmath: 0.01626675220826267)', () => {
    expectClose(studentTDofDerivative(1.7, 3), 0.01626675220826267, 1e-10);
    // mpmath, ν = 0.8, x = −4.2
    expectClose(studentTDofDerivative(-4.2, 0.8), -0.21441102883396667, 1e-10);
  });

  it('digamma matches scipy', () => {
    const cases: Array<[number, number]> = [
      [0.1, -10.423754940411076],
      [0.5, -1.9635100260214235],
      [1, -0.5772156649015329],
      [1.5, 0.03648997397857652],
      [3.7, 1.1671535393615113],
      [12, 2.4426616799758123],
      [1e-5, -100000.57719921567],
      [-0.5, 0.03648997397857651],
      [-2.7, -1.1153471291406887],
      [100, 4.600161852738088],
    ];
    for (const [x, expected] of cases) expectClose(digamma(x), expected, 1e-13, `ψ(${x})`);
  });
});

describe('base densities', () => {
  const z = [0.3, -1.2, 2.5];

  it('standard normal: −½ Σ z² − (D/2) log 2π and score −z', () => {
    expectClose(baseLogProb({ kind: 'normal' }, z), -0.5 * (0.09 + 1.44 + 6.25) - 1.5 * Math.log(2 * Math.PI), 1e-15);
    expect(Array.from(baseScore({ kind: 'normal' }, z))).toEqual([-0.3, 1.2, -2.5]);
  });

  it('Student-t per dimension, null meaning normal', () => {
    const base = { kind: 'student-t' as const, dof: [null, 3, 2.2] };
    expectClose(baseLogProb(base, z), normalLogPdf(0.3) + studentTLogPdf(-1.2, 3) + studentTLogPdf(2.5, 2.2), 1e-15);
    expect(Array.from(baseScore(base, z))).toEqual([-0.3, studentTScore(-1.2, 3), studentTScore(2.5, 2.2)]);
    expect(() => baseLogProb({ kind: 'student-t', dof: [3] }, z)).toThrow(RangeError);
  });
});

describe('tailIndex', () => {
  const n = 20000;

  it('classifies a Gaussian sample as light', () => {
    const normal = gaussian(seededRandom(7));
    const result = tailIndex(Array.from({ length: n }, normal));
    expect(result.heavy).toBe(false);
    expect(result.nu).toBeNull();
    expect(result.k).toBe(141);
    expect(result.xi).toBeGreaterThan(-0.3);
    expect(result.xi).toBeLessThan(0.05);
    // Hill alone would call it heavy with ν ≈ 8–10 (docs/algorithms.md#flow-model).
    expect(result.hill).toBeGreaterThan(6);
  });

  it('classifies a t₃ sample as heavy with ν ≈ 3', () => {
    const normal = gaussian(seededRandom(8));
    const t3 = Array.from({ length: n }, () => {
      let chi = 0;
      for (let i = 0; i < 3; i++) chi += normal() ** 2;
      return normal() / Math.sqrt(chi / 3);
    });
    const result = tailIndex(t3);
    expect(result.heavy).toBe(true);
    expect(result.xi).toBeGreaterThan(0.15);
    expect(result.xi).toBeLessThan(0.5);
    expect(result.nu).toBe(result.hill);
    expect(result.nu!).toBeGreaterThan(2.2);
    expect(result.nu!).toBeLessThan(3.8);
  });

  it('is scale invariant and ignores non-finite values', () => {
    const normal = gaussian(seededRandom(9));
    const x = Array.from({ length: 5000 }, normal);
    const a = tailIndex(x);
    const b = tailIndex([...x.map((v) => 3.5 * v), NaN, Infinity]);
    expectClose(b.xi, a.xi, 1e-10);
  });

  it('reports degenerate input as light with ξ̂ = NaN', () => {
    expect(tailIndex([1, 2])).toMatchObject({ heavy: false, nu: null });
    expect(Number.isNaN(tailIndex(new Array(100).fill(0)).xi)).toBe(true);
    expect(tailIndex(new Array(100).fill(2)).heavy).toBe(false);
  });
});
