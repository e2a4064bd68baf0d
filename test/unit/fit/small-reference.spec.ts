/**
 * A 220-row labelled reference with class names, as a user has it: fitted with the minimums
 * lowered knowingly (with warnings recorded in the bundle), then served by the monitor with events
 * whose probabilities are keyed by class name and labels sent by name and by index.
 */
import { readFileSync } from 'node:fs';
import { fitBundle, type FitOptions } from '../../../src/core/fit/fit-bundle.js';
import { BUNDLE_FILE } from '../../../src/core/fit/bundle-io.js';
import { Monitor, emptyOutput, type RawMessage } from '../../../src/core/pipeline/monitor.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../../../src/core/predictions/prediction-options.js';
import type { AccuracyDetails } from '../../../src/core/detectors/prediction-details.js';
import { RECOMMENDED_MINIMUMS } from '../../../src/core/reference/reference-size.js';
import { createTask, sample, type LabelledSample } from '../../../src/demo/classification.js';
import { TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';
import { expectRefError, scratch } from '../reference/helpers.js';

const NAMES = ['fraud', 'legit', 'review'];
const task = createTask({ classes: 3, dims: 4, seed: 5, separation: 0.9 });
const PRIOR = [0.3, 0.5, 0.2];
const T0 = 1_764_331_200_000;

/** Rows written newest first, with a shuffled hour-of-day context feature, so that time order matters. */
function csv(s: LabelledSample): string {
  const header = ['event_time', 'x0', 'x1', 'x2', 'x3', 'hour', ...NAMES.map((n) => `prob_${n}`), 'label'];
  const lines = s.x.map((x, i) => {
    const t = T0 + (s.x.length - i) * 60_000;
    return [new Date(t).toISOString(), ...x, Math.floor(t / 3_600_000) % 24, ...s.probs[i]!, NAMES[s.labels[i]!]].join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

describe('a 220-row labelled reference', () => {
  const dir = scratch();
  const reference = sample(task, 220, PRIOR, 0, 11);
  const input = dir.write('ref220.csv', csv(reference));
  const base: FitOptions = { input, model: 'small', outDir: '', windowSize: 110, minEvents: 50, nullReplicates: 100, tests: TEST_OPTIONS };
  afterAll(() => dir.cleanup());

  it('is refused at the recommended minimums, with every shortfall and the options that accept it', async () => {
    const err = await expectRefError(
      () => fitBundle({ ...base, outDir: `${input}.refused`, windowSize: 1000 }),
      '220 rows cannot calibrate windows of 1,000 events',
      'x0 has 220',
      'fewer than 500 (--min-rows)',
      'ATC needs 2,000 labelled rows, the reference has 220 (--atc-min-rows)',
      '--window-size 110 (and window.size 110 in the service config) --min-rows 220 --atc-min-rows 220',
    );
    expect(err.message).not.toContain('minRows');
  });

  it('fits with warnings, in time order, and records size, minimums, order, context and classes in the bundle', async () => {
    const out = `${input}.bundle`;
    const { bundle, unmonitored } = await fitBundle({
      ...base, outDir: out, minimums: { columnRows: 220, atcRows: 220 }, timeColumn: 'event_time', contextFeatures: ['hour'],
    });
    const written = JSON.parse(readFileSync(`${out}/${BUNDLE_FILE}`, 'utf8')) as typeof bundle;
    expect(written.reference).toEqual(bundle.reference);
    expect(bundle.reference.rows).toBe(220);
    expect(bundle.reference.small).toBe(true);
    expect(bundle.reference.minimums).toEqual({ ...RECOMMENDED_MINIMUMS, columnRows: 220, atcRows: 220 });
    expect(bundle.reference.warnings.join('\n')).toMatch(/fewer than the recommended 500 non-null reference values \(fewest: x0, 220\)/);
    expect(bundle.reference.warnings.join('\n')).toMatch(/220 labelled rows \(recommended 2,000\)/);
    expect(bundle.order).toEqual({ timeColumn: 'event_time' });
    expect(bundle.contextFeatures).toEqual(['hour']);
    expect(bundle.features.map((f) => f.name)).toEqual(['x0', 'x1', 'x2', 'x3', 'hour']);
    expect(unmonitored).toEqual([
      { column: 'event_time', reason: 'the time column' },
      ...NAMES.map((n) => ({ column: `prob_${n}`, reason: 'a model output' })),
      { column: 'label', reason: 'true label, not a feature by its name' },
    ]);
    expect(bundle.predictions!.classNames).toEqual(NAMES);
    expect(bundle.predictions!.n).toBe(220);
  });

  it('sorts rows by the time column before fitting: a contiguous null block is a stretch of time', async () => {
    const sorted = await fitBundle({ ...base, outDir: `${input}.sorted`, minimums: { columnRows: 220, atcRows: 220 }, timeColumn: 'event_time' });
    const reversed = dir.write('reversed.csv', (() => {
      const [header, ...lines] = csv(reference).trim().split('\n');
      return `${[header, ...lines.reverse()].join('\n')}\n`;
    })());
    const inFileOrder = await fitBundle({ ...base, input: reversed, outDir: `${input}.reversed`, minimums: { columnRows: 220, atcRows: 220 }, schema: { exclude: ['event_time'] } });
    const unsorted = await fitBundle({ ...base, outDir: `${input}.unsorted`, minimums: { columnRows: 220, atcRows: 220 }, schema: { exclude: ['event_time'] } });
    // The reversed file is already in time order: both fits see the same rows in the same order.
    expect(inFileOrder.bundle.features).toEqual(sorted.bundle.features);
    expect(inFileOrder.bundle.featureNulls).toEqual(sorted.bundle.featureNulls);
    expect(inFileOrder.bundle.predictions!.atc.bootstrap).toEqual(sorted.bundle.predictions!.atc.bootstrap);
    expect(unsorted.bundle.featureNulls).not.toEqual(sorted.bundle.featureNulls);
    expect(inFileOrder.bundle.order).toEqual({ timeColumn: null });
    expect(inFileOrder.bundle.contextFeatures).toEqual([]);
  });

  it('refuses a context feature that is not a feature, and a time column that is not a column', async () => {
    const small = { ...base, minimums: { columnRows: 220, atcRows: 220 } };
    await expectRefError(() => fitBundle({ ...small, outDir: `${input}.c1`, contextFeatures: ['weekday'] }), 'reference column "weekday"', 'there is no such column', 'x0, x1, x2, x3, hour');
    await expectRefError(() => fitBundle({ ...small, outDir: `${input}.c2`, contextFeatures: ['prob_fraud'] }), 'reference column "prob_fraud"', 'not a feature');
    await expectRefError(() => fitBundle({ ...small, outDir: `${input}.c3`, timeColumn: 'event_time', contextFeatures: ['event_time'] }), 'it is the time column');
    await expectRefError(() => fitBundle({ ...small, outDir: `${input}.c4`, timeColumn: 'when' }), 'reference column "when"', 'not in the reference data');
  });

  it('serves: class-named probabilities, labels by name and by index, and a DLQ reason naming every bad value', async () => {
    const { bundle } = await fitBundle({ ...base, outDir: `${input}.serve`, minimums: { columnRows: 220, atcRows: 220 } });
    const monitor = new Monitor([{ name: 'small', bundle, window: { type: 'count', size: 110, minEvents: 50 } }], {
      maxMessageBytes: 10_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL,
      predictions: { ...DEFAULT_PREDICTION_OPTIONS, headline: 'atc-ne', labels: { ttlMs: 1e12, maxEntries: 100_000, minLabeled: 50 } },
    }, {}, () => 0);
    const stream = sample(task, 220, PRIOR, 0, 12);
    let offset = 0;
    const message = (topic: string, value: unknown): RawMessage => ({ topic, partition: 0, offset: String(offset++), timestamp: String(T0), key: null, value: Buffer.from(JSON.stringify(value)) });
    const out = emptyOutput();
    stream.x.forEach((x, i) => {
      const probs = Object.fromEntries(NAMES.map((n, k) => [n, stream.probs[i]![k]!]));
      monitor.handle(message('events', { model: 'small', id: `e${i}`, ts: T0 + i, features: { x0: x[0], x1: x[1], x2: x[2], x3: x[3], hour: 5 }, prediction: { probs } }), out);
    });
    await monitor.complete(out);
    expect(out.deadLetters).toEqual([]);
    expect(out.windows.filter((w) => w.tested)).toHaveLength(2);
    for (const w of out.windows) {
      // Two chunks cannot resolve a 90% error quantile: the sampling interval (ATC's bootstrap) stands in.
      const atc = (w.detectors['accuracy-floor']!.result.details as AccuracyDetails).accuracy['atc-ne']!;
      expect(atc.interval).toBe('bootstrap');
      expect(atc.upper - atc.lower).toBeGreaterThan(0);
    }
    stream.labels.forEach((y, i) => monitor.handleLabel(message('labels', { model: 'small', id: `e${i}`, label: i % 2 === 0 ? NAMES[y] : y }), out));
    await monitor.complete(out);
    expect(out.deadLetters).toEqual([]);
    const truth = (from: number) => stream.labels.slice(from, from + 110).filter((y, i) => stream.probs[from + i]!.indexOf(Math.max(...stream.probs[from + i]!)) === y).length / 110;
    expect(out.realized.map((r) => [r.labeled, r.accuracy])).toEqual([[110, truth(0)], [110, truth(110)]]);

    const bad = [
      message('labels', { model: 'small', id: 'e1', label: 'frad' }),
      message('labels', { model: 'small', id: 'e1', label: 3 }),
      message('events', { model: 'small', features: { x0: 1, x1: 1, x2: 1, x3: 1, hour: 5 }, prediction: { probs: { fraud: 0.5, legit: 0.5 } } }),
      message('events', { model: 'small', features: { x0: 1, x1: 1, x2: 1, x3: 1, hour: 5 }, prediction: { probs: { fraud: 0.5, legit: 0.25, reveiw: 0.25 } } }),
      message('events', { model: 'small', features: { x0: 1, x1: 1, x2: 1, x3: 1, hour: 5 }, prediction: { probs: [0.9, 0.9, 0] } }),
    ];
    const letters = emptyOutput();
    for (const m of bad) (m.topic === 'labels' ? monitor.handleLabel(m, letters) : monitor.handle(m, letters));
    expect(letters.deadLetters.map((d) => [d.reason, d.detail])).toEqual([
      ['invalid_field', 'label "frad" is neither a class name ("fraud", "legit", "review") nor a class index 0..2 of model "small"'],
      ['invalid_field', 'label 3 is neither a class name ("fraud", "legit", "review") nor a class index 0..2 of model "small"'],
      ['invalid_field', 'prediction.probs has no value for the class "review" (classes: "fraud", "legit", "review")'],
      ['invalid_field', 'prediction.probs names the class "reveiw", which is not one of the model\'s classes ("fraud", "legit", "review")'],
      ['invalid_field', '"prediction.probs": the probabilities sum to 1.8, not 1 (tolerance ±0.01)'],
    ]);
  });
});
