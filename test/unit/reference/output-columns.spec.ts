import type { Row } from '../../../src/core/reference/row.js';
import { probabilityLookalikes, recognizeOutputs } from '../../../src/core/reference/output-columns.js';
import { expectRefError } from './helpers.js';

/** n rows: an input x, three class probabilities that sum to 1, and a label. */
function rowsWith(columns: (i: number) => Row, n = 30): { rows: Row[]; columns: string[] } {
  const rows = Array.from({ length: n }, (_, i) => columns(i));
  return { rows, columns: Object.keys(rows[0]!) };
}
const probs = (i: number): [number, number, number] => {
  const a = 0.1 + (i % 7) / 10;
  const b = (1 - a) * 0.75;
  return [a, b, 1 - a - b];
};

describe('recognizeOutputs: the model outputs users have', () => {
  it('takes prob_<class name> in file order as the class list', () => {
    const t = rowsWith((i) => ({ x: i, prob_fraud: probs(i)[0], prob_legit: probs(i)[1], prob_review: probs(i)[2], label: 'fraud' }));
    expect(recognizeOutputs(t.rows, t.columns, {})).toEqual({ input: 'probs', classNames: ['fraud', 'legit', 'review'], columns: ['prob_fraud', 'prob_legit', 'prob_review'] });
  });

  it('orders index-named columns by index, whatever their file order, and names the classes "0".."K-1"', () => {
    const t = rowsWith((i) => ({ logit_2: 0.5, x: i, logit_0: 1, logit_1: -1, label: 0 }));
    expect(recognizeOutputs(t.rows, t.columns, {})).toEqual({ input: 'logits', classNames: ['0', '1', '2'], columns: ['logit_0', 'logit_1', 'logit_2'] });
  });

  it('takes --classes with --prob-prefix (or an empty prefix) in the declared order', () => {
    const t = rowsWith((i) => ({ x: i, score_b: probs(i)[1], score_a: probs(i)[0], score_c: probs(i)[2], a: probs(i)[0], b: probs(i)[1], c: probs(i)[2], label: 'a' }));
    expect(recognizeOutputs(t.rows, t.columns, { classes: ['a', 'b', 'c'], probPrefix: 'score_' })).toEqual({ input: 'probs', classNames: ['a', 'b', 'c'], columns: ['score_a', 'score_b', 'score_c'] });
    expect(recognizeOutputs(t.rows, t.columns, { classes: ['c', 'b', 'a'], probPrefix: '' })!.columns).toEqual(['c', 'b', 'a']);
  });

  it('finds --logit-prefix columns, and discovers a custom prefix without --classes', () => {
    const t = rowsWith((i) => ({ x: i, z_yes: 1.5, z_no: -0.5, label: 'yes' }));
    expect(recognizeOutputs(t.rows, t.columns, { logitPrefix: 'z_' })).toEqual({ input: 'logits', classNames: ['yes', 'no'], columns: ['z_yes', 'z_no'] });
    expect(recognizeOutputs(t.rows, t.columns, { classes: ['no', 'yes'], logitPrefix: 'z_' })!.columns).toEqual(['z_no', 'z_yes']);
  });

  it('never takes a column the user declared a feature or excluded', () => {
    const t = rowsWith((i) => ({ prob_default_90d: (i % 10) / 10, x: i }));
    expect(recognizeOutputs(t.rows, t.columns, {}, new Set(['prob_default_90d']))).toBeUndefined();
  });

  it('returns nothing for inputs only, and with --no-predictions even when outputs and labels exist', () => {
    const inputs = rowsWith((i) => ({ x: i, y: i % 3 }));
    expect(recognizeOutputs(inputs.rows, inputs.columns, {})).toBeUndefined();
    const t = rowsWith((i) => ({ x: i, prob_a: probs(i)[0], prob_b: 1 - probs(i)[0], label: 'a' }));
    expect(recognizeOutputs(t.rows, t.columns, { none: true })).toBeUndefined();
  });

  it('accepts a regression reference (prediction + label) as it is', () => {
    const t = rowsWith((i) => ({ x: i, prediction: i * 0.5, label: i * 0.4 }));
    expect(recognizeOutputs(t.rows, t.columns, {})).toBeUndefined();
  });
});

describe('recognizeOutputs: ambiguous and wrong declarations are errors naming the columns', () => {
  it('refuses both prob_* and logit_* columns', async () => {
    const t = rowsWith(() => ({ prob_a: 0.5, prob_b: 0.5, logit_a: 0, logit_b: 0, label: 'a' }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, {}), 'both prob_* (prob_a, prob_b) and logit_* (logit_a, logit_b)');
  });

  it('refuses a single prob_ column, saying how to keep it as a feature', async () => {
    const t = rowsWith((i) => ({ x: i, prob_churn: (i % 10) / 10 }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, {}), 'reference column "prob_churn"', 'only prob_* column', '--numeric prob_churn', '--no-predictions');
  });

  it('refuses index-named outputs with a gap', async () => {
    const t = rowsWith(() => ({ prob_0: 0.5, prob_2: 0.5, label: 0 }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, {}), 'prob_0 .. prob_1 for 2 classes; prob_1 is missing');
  });

  it('names the missing column of --classes and refuses duplicates and a single class', async () => {
    const t = rowsWith((i) => ({ score_a: probs(i)[0], score_b: 1 - probs(i)[0], label: 'a' }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, { classes: ['a', 'b', 'c'], probPrefix: 'score_' }), 'needs the columns score_a, score_b, score_c, but score_c is not in the reference');
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, { classes: ['a', 'a'], probPrefix: 'score_' }), 'names the class "a" twice');
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, { classes: ['a'], probPrefix: 'score_' }), 'at least two');
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, { classes: ['a', 'b'], probPrefix: 'score_' }, new Set(['score_b'])), 'reference column "score_b"', 'declared a feature');
  });

  it('refuses an empty prefix without --classes', async () => {
    const t = rowsWith((i) => ({ a: probs(i)[0], b: 1 - probs(i)[0] }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, { probPrefix: '' }), 'empty --prob-prefix', '--classes');
  });
});

describe('recognizeOutputs: nothing silently monitored as the wrong thing', () => {
  it('stops on columns that look like class probabilities, with the exact flags to declare them', async () => {
    const t = rowsWith((i) => ({ x: i, p_fraud: probs(i)[0], p_legit: probs(i)[1], p_review: probs(i)[2], label: 'fraud' }));
    const err = await expectRefError(
      () => recognizeOutputs(t.rows, t.columns, {}),
      'the columns p_fraud, p_legit, p_review look like the model\'s class probabilities',
      '--prob-prefix p_ --classes fraud,legit,review',
      '--numeric p_fraud,p_legit,p_review',
      '--no-predictions',
    );
    expect(err.column).toBeUndefined();
    // Declared, the same file is fine.
    expect(recognizeOutputs(t.rows, t.columns, { probPrefix: 'p_', classes: ['fraud', 'legit', 'review'] })!.classNames).toEqual(['fraud', 'legit', 'review']);
  });

  it('finds a binary classifier exported as two unprefixed columns among other [0, 1] features', async () => {
    const t = rowsWith((i) => ({ risk: ((i * 7) % 10) / 10 + 0.05, fraud: probs(i)[0], legit: 1 - probs(i)[0] }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, {}), 'the columns fraud, legit look like', "--prob-prefix '' --classes fraud,legit");
  });

  it('does not take one-hot flags, or [0, 1] features that do not sum to 1, for probabilities', () => {
    const oneHot = rowsWith((i) => ({ is_mobile: i % 2, is_desktop: 1 - (i % 2), x: i }));
    expect(probabilityLookalikes(oneHot.rows, oneHot.columns)).toBeUndefined();
    const shares = rowsWith((i) => ({ share_a: (i % 5) / 10, share_b: (i % 3) / 10, x: i }));
    expect(recognizeOutputs(shares.rows, shares.columns, {})).toBeUndefined();
  });

  it('stops on a label column without model outputs, unless --no-predictions', async () => {
    const t = rowsWith((i) => ({ x: i, y: i % 4, label: i % 2 === 0 ? 'fraud' : 'legit' }));
    await expectRefError(() => recognizeOutputs(t.rows, t.columns, {}), 'reference column "label"', 'true labels but no model outputs', '--classes', '--no-predictions');
    expect(recognizeOutputs(t.rows, t.columns, { none: true })).toBeUndefined();
  });

  it('lets the user keep probability-looking columns as features by declaring them', () => {
    const t = rowsWith((i) => ({ x: i, p_a: probs(i)[0], p_b: 1 - probs(i)[0] }));
    expect(recognizeOutputs(t.rows, t.columns, {}, new Set(['p_a', 'p_b']))).toBeUndefined();
  });
});
