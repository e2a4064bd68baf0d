import { classIndex, valuesInClassOrder } from '../../../src/core/predictions/classes.js';
import { fitClassification, readLabelledOutputs } from '../../../src/core/predictions/classification-fit.js';
import { calibratedPrediction } from '../../../src/core/predictions/classification-reference.js';
import { recognizeOutputs } from '../../../src/core/reference/output-columns.js';
import type { Row } from '../../../src/core/reference/row.js';
import { createTask, sample } from '../../../src/demo/classification.js';
import { expectRefError } from '../reference/helpers.js';

const NAMES = ['fraud', 'legit', 'review'];

describe('classIndex: labels as class names or indices', () => {
  it('reads a name, then an index, as number or text', () => {
    expect(['legit', 'review', 2, '2', 0, ' 1 '].map((l) => classIndex(NAMES, l))).toEqual([1, 2, 2, 2, 0, 1]);
  });

  it('matches names before indices, so index-named and reordered numeric classes stay consistent', () => {
    expect([0, '0', 2].map((l) => classIndex(['0', '1', '2'], l))).toEqual([0, 0, 2]);
    // --classes 2,1,0: the label 2 means the class named "2", which is first.
    expect([2, '2', 0].map((l) => classIndex(['2', '1', '0'], l))).toEqual([0, 0, 2]);
    expect(classIndex(['no', 'yes'], true)).toMatch(/neither/);
    expect(classIndex(['false', 'true'], true)).toBe(1);
  });

  it('names the value when it is neither', () => {
    expect(classIndex(NAMES, 'frad')).toBe('label "frad" is neither a class name ("fraud", "legit", "review") nor a class index 0..2');
    expect(classIndex(NAMES, 3)).toMatch(/^label 3 is neither/);
    expect(classIndex(NAMES, -1)).toMatch(/^label -1 is neither/);
    expect(classIndex(NAMES, 1.5)).toMatch(/^label 1.5 is neither/);
    expect(classIndex(NAMES, null)).toMatch(/^label null is neither/);
  });
});

describe('valuesInClassOrder: model outputs as an array or an object', () => {
  it('keeps an array of the right length and maps an object by class name', () => {
    expect(valuesInClassOrder(NAMES, [0.2, 0.7, 0.1], 'prediction.probs')).toEqual([0.2, 0.7, 0.1]);
    expect(valuesInClassOrder(NAMES, { review: 0.1, fraud: 0.2, legit: 0.7 }, 'prediction.probs')).toEqual([0.2, 0.7, 0.1]);
  });

  it('names an unknown class, a missing one, and a wrong length', () => {
    expect(valuesInClassOrder(NAMES, { fraud: 0.2, legit: 0.7, reveiw: 0.1 }, 'prediction.probs')).toBe('prediction.probs names the class "reveiw", which is not one of the model\'s classes ("fraud", "legit", "review")');
    expect(valuesInClassOrder(NAMES, { fraud: 0.3, legit: 0.7 }, 'prediction.probs')).toBe('prediction.probs has no value for the class "review" (classes: "fraud", "legit", "review")');
    expect(valuesInClassOrder(NAMES, [0.3, 0.7], 'prediction.logits')).toMatch(/^prediction.logits has 2 values, the model has 3 classes/);
  });
});

describe('a reference with class names: labels, sums and events', () => {
  const task = createTask({ classes: 3, dims: 4, seed: 5, separation: 0.9 });
  const s = sample(task, 600, [0.3, 0.5, 0.2], 0, 3);
  // Labels by name in one half, by index in the other: both are the same classes.
  const rows: Row[] = s.probs.map((p, i) => ({ x: s.x[i]![0]!, prob_fraud: p[0]!, prob_legit: p[1]!, prob_review: p[2]!, label: i % 2 === 0 ? NAMES[s.labels[i]!]! : s.labels[i]! }));
  const columns = Object.keys(rows[0]!);
  const outputs = recognizeOutputs(rows, columns, {})!;

  it('reads names and indices to the same class indices and counts the model\'s errors', () => {
    const data = readLabelledOutputs(rows, columns, outputs);
    expect(data.labels).toEqual(s.labels);
    const errors = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) !== y).length;
    expect(data.errors).toBe(errors);
    const ref = fitClassification(data, { windowSize: 200, seed: 1, minimums: { atcRows: 100, atcErrors: 5 } });
    expect(ref.classNames).toEqual(NAMES);
    expect(ref.labelPrior[0]).toBeCloseTo(s.labels.filter((y) => y === 0).length / 600, 12);
  });

  it('refuses a label that is not a class, naming the row and the value', async () => {
    const bad = rows.map((r, i) => (i === 41 ? { ...r, label: 'frad' } : r));
    await expectRefError(() => readLabelledOutputs(bad, columns, outputs), 'reference column "label": row 42: label "frad" is neither a class name ("fraud", "legit", "review") nor a class index 0..2');
    const missing = rows.map((r, i) => (i === 7 ? { ...r, label: null } : r));
    await expectRefError(() => readLabelledOutputs(missing, columns, outputs), 'row 8: label null');
  });

  it('refuses probabilities that do not sum to 1, naming the row, without renormalising', async () => {
    const bad = rows.map((r, i) => (i === 99 ? { ...r, prob_fraud: 0.9, prob_legit: 0.9, prob_review: 0 } : r));
    await expectRefError(() => readLabelledOutputs(bad, columns, outputs), 'row 100: the probabilities sum to 1.8, not 1 (tolerance ±0.01) over prob_fraud, prob_legit, prob_review');
    const zeros = rows.map((r, i) => (i === 0 ? { ...r, prob_fraud: 0, prob_legit: 0, prob_review: 0 } : r));
    await expectRefError(() => readLabelledOutputs(zeros, columns, outputs), 'row 1: the probabilities sum to 0, not 1');
    const rounded = rows.map((r, i) => (i === 0 ? { ...r, prob_fraud: 0.333, prob_legit: 0.333, prob_review: 0.333 } : r));
    expect(readLabelledOutputs(rounded, columns, outputs).labels).toHaveLength(600);
  });

  it('calibrates an event\'s probabilities given as an array or as an object, identically', () => {
    const ref = fitClassification(readLabelledOutputs(rows, columns, outputs), { windowSize: 200, seed: 1, minimums: { atcRows: 100, atcErrors: 5 } });
    const p = s.probs[5]!;
    const fromArray = calibratedPrediction(ref, { probs: p });
    expect(Array.isArray(fromArray)).toBe(true);
    expect(calibratedPrediction(ref, { probs: { legit: p[1]!, review: p[2]!, fraud: p[0]! } })).toEqual(fromArray);
    expect(calibratedPrediction(ref, { probs: { legit: 0.5, fraud: 0.5 } })).toMatch(/no value for the class "review"/);
    expect(calibratedPrediction(ref, { probs: { legit: 0.5, fraud: 0.25, other: 0.25 } })).toMatch(/names the class "other"/);
    expect(calibratedPrediction(ref, { logits: [1, 2, 3] })).toBe('prediction.probs is required for this model (its reference was fitted on probs)');
  });
});
