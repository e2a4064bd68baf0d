import { assessReferenceSize, MINIMUM_FLOORS, minimumProblem, RECOMMENDED_MINIMUMS, resolveMinimums } from '../../../src/core/reference/reference-size.js';
import { ShiftwatchError } from '../../../src/core/errors.js';
import { expectRefError } from './helpers.js';

const columns = (n: number, names = ['a', 'b']) => names.map((name) => ({ name, n }));

describe('reference-size minimums', () => {
  it('default to the recommended sizes and accept any value down to the floor', () => {
    expect(resolveMinimums()).toEqual(RECOMMENDED_MINIMUMS);
    expect(resolveMinimums(MINIMUM_FLOORS)).toEqual(MINIMUM_FLOORS);
    expect(resolveMinimums({ atcRows: 5000 }).atcRows).toBe(5000);
  });

  it('refuse a value below its floor or of the wrong kind, naming the option', () => {
    expect(minimumProblem('columnRows', 99)).toBe('--min-rows must be at least 100 (recommended 500), got 99');
    expect(minimumProblem('nullRowsPerWindow', 1.4)).toBe('--null-rows-per-window must be at least 1.5 (recommended 2), got 1.4');
    expect(minimumProblem('nullRowsPerWindow', 1.75)).toBeUndefined();
    expect(minimumProblem('atcRows', 150.5)).toBe('--atc-min-rows must be an integer, got 150.5');
    expect(minimumProblem('flowRows', 499)).toMatch(/^--flow-min-rows must be at least 500/);
    expect(() => resolveMinimums({ atcErrors: 4 })).toThrow(ShiftwatchError);
  });
});

describe('assessReferenceSize', () => {
  it('passes a reference at the recommended sizes without a warning', () => {
    expect(assessReferenceSize({ rows: 2000, windowSize: 1000, minEvents: 100, columns: columns(2000), labelled: { rows: 2000, errors: 300 } }, RECOMMENDED_MINIMUMS)).toEqual([]);
  });

  it('lists every shortfall in one error, with the options that would accept the reference', async () => {
    const err = await expectRefError(
      () => assessReferenceSize({ rows: 300, windowSize: 500, minEvents: 200, columns: [{ name: 'a', n: 300 }, { name: 'b', n: 250 }], labelled: { rows: 300, errors: 12 } }, RECOMMENDED_MINIMUMS),
      '300 rows cannot calibrate windows of 500 events: the window null needs 2 × 500 = 1,000 rows (--null-rows-per-window)',
      'b has 250, a has 300 non-null values, fewer than 500 (--min-rows)',
      'ATC needs 2,000 labelled rows, the reference has 300 (--atc-min-rows)',
      'ATC needs 20 misclassified rows, the reference has 12 (--atc-min-errors)',
      'fit it anyway, knowingly, with --window-size 150 (and window.size 150 in the service config) --min-events 150 (and window.minEvents in the service config) --min-rows 250 --atc-min-rows 300 --atc-min-errors 12',
    );
    expect(err.message).not.toMatch(/minRows|knowingly\)/);
  });

  it('says what no option can fix: a column or a class count below the floor', async () => {
    const err = await expectRefError(
      () => assessReferenceSize({ rows: 1000, windowSize: 100, minEvents: 50, columns: [{ name: 'a', n: 1000 }, { name: 'sparse', n: 60 }], labelled: { rows: 1000, errors: 0 } }, { ...RECOMMENDED_MINIMUMS, atcRows: 1000 }),
      'sparse has fewer than 100 values, the floor of --min-rows: add rows, or drop it with --exclude sparse',
      'no error at all: is this the training data?',
      '--no-predictions',
    );
    expect(err.message).not.toContain('--min-rows 60');
  });

  it('warns for every size below its recommended value once the lowered minimums are met', () => {
    const warnings = assessReferenceSize(
      { rows: 220, windowSize: 140, minEvents: 50, columns: [{ name: 'a', n: 220 }, { name: 'b', n: 210 }], labelled: { rows: 220, errors: 10 } },
      { ...RECOMMENDED_MINIMUMS, columnRows: 200, atcRows: 200, atcErrors: 10, nullRowsPerWindow: 1.5 },
    );
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^the reference holds 1\.57 windows of 140 events \(recommended at least 2\)/);
    expect(warnings[1]).toMatch(/^2 features have fewer than the recommended 500 non-null reference values \(fewest: b, 210\)/);
    expect(warnings[2]).toMatch(/^220 labelled rows \(recommended 2,000\)/);
    expect(warnings[3]).toMatch(/^only 10 misclassified labelled rows \(recommended 20\)/);
  });
});
