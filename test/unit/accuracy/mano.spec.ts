import {
  fitMano,
  manoCriterion,
  manoScore,
  manoScoreFromSummary,
  manoSummary,
  mergeManoSummaries,
  taylorNormalise,
  type ManoFit,
} from '../../../src/core/accuracy/mano.js';

// Spec Appendix A.2.
const A2_LOGITS = [
  [2.0, 0.5, -1.0],
  [0.1, 0.2, 0.0],
  [-0.5, 1.5, 0.3],
  [3.0, -2.0, 0.0],
];
const A2_TAYLOR = [
  [0.8, 0.2, 0],
  [0.32307692, 0.67692308, 0],
  [0, 0.80645161, 0.19354839],
  [1, 0, 0],
];

const withNormalisation = (fit: ManoFit, normalisation: ManoFit['normalisation']): ManoFit => ({ ...fit, normalisation });

describe('MaNo on the spec vector (A.2)', () => {
  const fit = fitMano(A2_LOGITS);

  it('computes Φ and selects Taylor normalisation below η = 5', () => {
    expect(manoCriterion(A2_LOGITS)).toBeCloseTo(1.748450711367818, 13);
    expect(fit).toMatchObject({ classes: 3, normalisation: 'taylor', eta: 5 });
    expect(fit.criterion).toBeCloseTo(1.748450711367818, 13);
  });

  it('normalises with the row-minimum subtraction', () => {
    A2_LOGITS.forEach((z, i) => taylorNormalise(z).forEach((v, k) => expect(v).toBeCloseTo(A2_TAYLOR[i]![k]!, 8)));
  });

  it('scores 0.6434040597366225 with p = 4, not the no-subtraction 0.5223 nor softmax 0.5906', () => {
    expect(manoScore(A2_LOGITS, fit)).toBeCloseTo(0.6434040597366225, 14);
    // The paper-formula variant (no row-minimum subtraction), computed here only to pin the contrast.
    const noSubtraction = A2_LOGITS.map((z) => {
      const v = z.map((x) => 1 + x + (x * x) / 2);
      const total = v.reduce((a, b) => a + b, 0);
      return v.map((x) => x / total);
    });
    const sumPower = noSubtraction.flat().reduce((a, p) => a + p ** 4, 0);
    expect((sumPower / 12) ** 0.25).toBeCloseTo(0.5223081699617412, 14);
    expect(manoScore(A2_LOGITS, fit)).not.toBeCloseTo(0.5223081699617412, 3);
    expect(manoScore(A2_LOGITS, withNormalisation(fit, 'softmax'))).toBeCloseTo(0.5905754516467534, 14);
  });
});

describe('sanity checks (docs/algorithms.md#mano)', () => {
  const ten: ManoFit = { classes: 10, normalisation: 'softmax', criterion: 0, eta: 5, notes: [] };

  it('one-hot rows give K^(−1/4) and uniform rows give 1/K, under either normalisation', () => {
    const oneHotLogits = Array.from({ length: 7 }, (_, i) => Array.from({ length: 10 }, (_, k) => (k === i % 10 ? 1000 : 0)));
    expect(manoScore(oneHotLogits, ten)).toBeCloseTo(0.5623413251903491, 14);
    const equal = Array.from({ length: 5 }, () => new Array<number>(10).fill(0.3));
    expect(manoScore(equal, ten)).toBeCloseTo(0.1, 15);
    expect(manoScore(equal, withNormalisation(ten, 'taylor'))).toBeCloseTo(0.1, 15); // the zero-sum guard
  });

  it('is invariant to permuting rows and columns', () => {
    const fit = fitMano(A2_LOGITS);
    const rowsPermuted = [A2_LOGITS[2]!, A2_LOGITS[0]!, A2_LOGITS[3]!, A2_LOGITS[1]!];
    const columnsPermuted = A2_LOGITS.map(([a, b, c]) => [c!, a!, b!]);
    expect(manoScore(rowsPermuted, fit)).toBeCloseTo(0.6434040597366225, 14);
    expect(manoScore(columnsPermuted, fit)).toBeCloseTo(0.6434040597366225, 14);
  });

  it('stays within [1/K, K^(−1/4)]', () => {
    const fit = fitMano(A2_LOGITS);
    const s = manoScore(A2_LOGITS, fit);
    expect(s).toBeGreaterThanOrEqual(1 / 3);
    expect(s).toBeLessThanOrEqual(3 ** -0.25);
  });
});

describe('choice of normalisation (docs/algorithms.md#mano)', () => {
  it('selects softmax when Φ > η', () => {
    const peaked = [
      [12, 0, 0],
      [0, 11, 1],
    ];
    expect(manoCriterion(peaked)).toBeGreaterThan(5);
    expect(fitMano(peaked).normalisation).toBe('softmax');
    expect(fitMano(peaked, { eta: 100 }).normalisation).toBe('taylor');
  });

  it('always selects softmax for K ≥ 149, since Φ ≥ log K > 5', () => {
    const flat = [new Array<number>(149).fill(0)];
    expect(manoCriterion(flat)).toBeCloseTo(Math.log(149), 12);
    expect(fitMano(flat).normalisation).toBe('softmax');
    expect(fitMano([new Array<number>(148).fill(0)]).normalisation).toBe('taylor'); // log 148 < 5
  });

  it('forces softmax for binary models, where Taylor rows are always one-hot', () => {
    const binary = [
      [0.3, -0.2],
      [1.0, 0.4],
      [-0.5, 0.1],
    ];
    expect(manoCriterion(binary)).toBeLessThan(5);
    expect(taylorNormalise([0.3, -0.2])).toEqual([1, 0]);
    const fit = fitMano(binary);
    expect(fit.normalisation).toBe('softmax');
    expect(fit.notes.join(' ')).toContain('K = 2');
  });

  it('warns when Φ lies within 0.1 of η', () => {
    const fit = fitMano([[0, 0, 0]], { eta: Math.log(3) + 0.05 });
    expect(fit.notes.some((n) => n.startsWith('warning: Φ is within 0.1 of η'))).toBe(true);
    expect(fitMano(A2_LOGITS).notes.some((n) => n.startsWith('warning'))).toBe(false);
  });

  it('treats rows whose Taylor terms are all equal as uniform (not only equal logits)', () => {
    // 1 + z + z²/2 is symmetric about z = −1, so logits 0 and −2 give the same term.
    expect(taylorNormalise([0, -2, 0])).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('refuses ragged, non-finite or single-class logits', () => {
    expect(() => fitMano([[1, 2, 3], [1, 2]])).toThrow('row 1 has 2 logits, row 0 has 3');
    expect(() => fitMano([[1, NaN]])).toThrow('non-finite logit');
    expect(() => fitMano([[1], [2]])).toThrow('at least 2 classes');
    expect(() => fitMano([])).toThrow('no held-out rows');
  });
});

describe('window summaries merge', () => {
  const fit = fitMano(A2_LOGITS);

  it('summing two halves equals the whole window', () => {
    const whole = manoSummary(A2_LOGITS, fit);
    const merged = mergeManoSummaries(manoSummary(A2_LOGITS.slice(0, 1), fit), manoSummary(A2_LOGITS.slice(1), fit));
    expect(merged.n).toBe(4);
    expect(merged.sumPower).toBeCloseTo(whole.sumPower, 13);
    expect(manoScoreFromSummary(merged)).toBeCloseTo(0.6434040597366225, 14);
  });

  it('refuses mismatched class counts and empty windows', () => {
    expect(() => manoSummary([[1, 2]], fit)).toThrow('row 0 has 2 logits, the fit has 3 classes');
    expect(() => mergeManoSummaries({ n: 1, classes: 3, sumPower: 1 }, { n: 1, classes: 4, sumPower: 1 })).toThrow('3 vs 4 classes');
    expect(() => manoScoreFromSummary(manoSummary([], fit))).toThrow('the window is empty');
  });
});
