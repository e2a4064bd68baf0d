/**
 * End to end: `shiftwatch fit` on the reference formats users have (class-named probability
 * columns, class-name labels, other column names declared with --classes/--prob-prefix, a label
 * without outputs, --no-predictions), on a small reference fitted knowingly, with --time-column and
 * --context, and the summary of what will be monitored. Each run is the built CLI as a child process.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { createTask, sample } from '../../src/demo/classification.js';
import { assertBuilt, runCli, scratchDir, type CliResult } from './cli-process.js';

const NAMES = ['fraud', 'legit', 'review'];
const FAST = ['--replicates', '100'];
/** What a 220-row reference needs, as the refusal below suggests it. */
const SMALL = ['--window-size', '110', '--min-rows', '220', '--atc-min-rows', '220'];
const tmp = scratchDir('cli-formats');
const task = createTask({ classes: 3, dims: 4, seed: 5, separation: 0.9 });
const reference = sample(task, 220, [0.3, 0.5, 0.2], 0, 11);

/** A 220-row reference: time (newest first), 4 inputs, an hour-of-day feature, the outputs under `prefix`, labels by name. */
function referenceCsv(prefix: string | null, label = true): string {
  const header = ['event_time', 'x0', 'x1', 'x2', 'x3', 'hour', ...(prefix === null ? [] : NAMES.map((n) => `${prefix}${n}`)), ...(label ? ['label'] : [])];
  const lines = reference.x.map((x, i) => {
    const t = 1_764_331_200_000 + (reference.x.length - i) * 600_000;
    return [t, ...x, Math.floor(t / 3_600_000) % 24, ...(prefix === null ? [] : reference.probs[i]!), ...(label ? [NAMES[reference.labels[i]!]] : [])].join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

beforeAll(() => {
  assertBuilt();
  tmp.write('named.csv', referenceCsv('prob_'));
  tmp.write('scores.csv', referenceCsv('p_'));
  tmp.write('unlabelled-outputs.csv', referenceCsv(null));
});
afterAll(() => tmp.cleanup());

function runFit(file: string, ...args: string[]): Promise<CliResult & { out: string }> {
  const out = tmp.path(`bundle-${file}-${args.join('_').replace(/\W/g, '')}`);
  return runCli(['fit', '--input', tmp.path(file), '--model', 'm', '--out', out, ...FAST, ...args]).then((r) => ({ ...r, out }));
}

function bundleAt(dir: string): ReferenceBundle {
  return JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as ReferenceBundle;
}

/** The one `shiftwatch: ` error line, asserted to be a clean exit 1 that wrote no bundle. */
function refusal(result: CliResult & { out: string }): string {
  const message = result.stderr.split('\n').find((l) => l.startsWith('shiftwatch: ')) ?? result.stderr;
  expect({ code: result.code, message }).toEqual({ code: 1, message: expect.stringContaining('. Fix: ') });
  expect(result.stderr).not.toContain('unexpected error');
  expect(existsSync(join(result.out, 'bundle.json'))).toBe(false);
  return message;
}

describe('shiftwatch fit: a 220-row reference with prob_<class name> columns and class-name labels', () => {
  it('is refused at the recommended sizes, with the options that accept it; with them it fits, warns, and says what it will monitor', async () => {
    const refused = refusal(await runFit('named.csv', '--flow', 'none'));
    expect(refused).toContain('--window-size 110 (and window.size 110 in the service config) --min-rows 220 --atc-min-rows 220');

    const result = await runFit('named.csv', ...SMALL, '--time-column', 'event_time', '--context', 'hour');
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('fewer than the recommended 500 non-null reference values (fewest: x0, 220)');
    expect(warnings[1]).toContain('220 labelled rows (recommended 2,000)');

    const summary = result.stdout;
    expect(summary).toContain('220 rows sorted by event_time');
    expect(summary).toContain('features (5): 5 numeric: x0, x1, x2, x3, hour');
    expect(summary).toContain('context features: hour');
    expect(summary).toContain('not features: event_time (the time column); prob_fraud, prob_legit, prob_review (a model output); label (true label, not a feature by its name)');
    expect(summary).toMatch(/classes \(3\): fraud, legit, review, from probs; source accuracy 0\.\d{4} on 220 labelled rows/);
    expect(summary).toMatch(/estimators fitted: BCTS calibration .*ATC-NE .*; DoC; AC; label-shift accuracy and class proportions/);
    expect(summary).toMatch(/detectors enabled: feature-shift \(per-feature tests; time-ordered null from 2 contiguous chunks of 110 rows\); label-shift \(time-ordered null from 2 chunks\); accuracy-floor/);
    // The flow was tried and declined for the size, naming the option that would change that.
    expect(summary).toContain('skipped: covariate-shift (density flow): 220 rows have every numeric feature; a flow needs at least 1000 (--flow-min-rows, which accepts down to 500)');
    expect(summary).toContain('reference: 220 rows, below the recommended size: 2 warnings');

    const bundle = bundleAt(result.out);
    expect(bundle.predictions!.classNames).toEqual(NAMES);
    expect(bundle.reference).toEqual({ rows: 220, small: true, warnings: warnings.map((w) => w.slice('warning: '.length)), minimums: { columnRows: 220, nullRowsPerWindow: 2, atcRows: 220, atcErrors: 20, flowRows: 1000 } });
    expect(bundle.order).toEqual({ timeColumn: 'event_time' });
    expect(bundle.contextFeatures).toEqual(['hour']);
    expect(bundle.flow).toBeUndefined();
  });

  it('refuses a reference row whose probabilities do not sum to 1, naming it', async () => {
    const [header, ...lines] = referenceCsv('prob_').trimEnd().split('\n');
    const cells = lines[9]!.split(',');
    cells.splice(6, 3, '0.9', '0.9', '0');
    lines[9] = cells.join(',');
    tmp.write('bad-sum.csv', `${[header, ...lines].join('\n')}\n`);
    expect(refusal(await runFit('bad-sum.csv', ...SMALL, '--flow', 'none'))).toContain('row 10: the probabilities sum to 1.8, not 1 (tolerance ±0.01) over prob_fraud, prob_legit, prob_review');
  });
});

describe('shiftwatch fit: model outputs under other names', () => {
  it('stops on unrecognised probability-looking columns with the exact flags, which then work', async () => {
    const message = refusal(await runFit('scores.csv', ...SMALL, '--flow', 'none'));
    expect(message).toContain('the columns p_fraud, p_legit, p_review look like the model\'s class probabilities');
    expect(message).toContain('declare them: --prob-prefix p_ --classes fraud,legit,review');

    const declared = await runFit('scores.csv', ...SMALL, '--flow', 'none', '--prob-prefix', 'p_', '--classes', 'review,legit,fraud');
    expect(declared.code).toBe(0);
    expect(bundleAt(declared.out).predictions!.classNames).toEqual(['review', 'legit', 'fraud']);
    expect(declared.stdout).toContain('classes (3): review, legit, fraud, from probs');
  });

  it('takes columns named by the classes themselves with an empty --prob-prefix', async () => {
    tmp.write('bare.csv', referenceCsv(''));
    const result = await runFit('bare.csv', ...SMALL, '--flow', 'none', '--prob-prefix', '', '--classes', NAMES.join(','));
    expect(result.code).toBe(0);
    expect(bundleAt(result.out).features.map((f) => f.name)).toEqual(['event_time', 'x0', 'x1', 'x2', 'x3', 'hour']);
  });

  it('stops on labels without model outputs; --no-predictions monitors the inputs only and says so', async () => {
    const message = refusal(await runFit('unlabelled-outputs.csv', ...SMALL, '--flow', 'none'));
    expect(message).toContain('reference column "label": the reference has true labels but no model outputs');
    expect(message).toContain('--no-predictions');

    const inputs = await runFit('unlabelled-outputs.csv', '--window-size', '110', '--min-rows', '220', '--flow', 'none', '--no-predictions');
    expect(inputs.code).toBe(0);
    expect(bundleAt(inputs.out).predictions).toBeUndefined();
    expect(inputs.stdout).toContain('estimators fitted: none');
    expect(inputs.stdout).toContain('skipped: covariate-shift (density flow): turned off with --flow none; accuracy and label-shift estimators: model outputs and labels ignored (--no-predictions)');
    expect(inputs.stdout).toContain('label (true label, not a feature by its name)');
  });
});

describe('shiftwatch fit: option mistakes', () => {
  it('a minimum below its floor, a context feature that is not a feature, and contradicting options', async () => {
    const low = await runFit('named.csv', '--min-rows', '50');
    expect({ code: low.code, stderr: low.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--min-rows must be at least 100 (recommended 500), got 50') });
    const ratio = await runFit('named.csv', '--null-rows-per-window', 'two');
    expect(ratio.stderr).toContain('--null-rows-per-window must be a number, got "two"');
    const clash = await runFit('named.csv', '--no-predictions', '--classes', 'a,b');
    expect({ code: clash.code, stderr: clash.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--no-predictions ignores model outputs; drop --classes') });
    const context = refusal(await runFit('named.csv', ...SMALL, '--flow', 'none', '--context', 'weekday'));
    expect(context).toContain('reference column "weekday": is declared a context feature (--context) but there is no such column');
  });

  it('reads timeColumn and context from the model\'s schema in --config', async () => {
    mkdirSync(tmp.path('cfg'), { recursive: true });
    const config = tmp.write('cfg/shiftwatch.yaml', [
      'kafka: { brokers: [127.0.0.1:1] }',
      'models:',
      '  - name: m',
      '    bundle: bundles/m',
      '    schema: { timeColumn: event_time, context: [hour] }',
      'window: { size: 110, minEvents: 50 }',
    ].join('\n'));
    const result = await runFit('named.csv', '--config', config, '--min-rows', '220', '--atc-min-rows', '220', '--flow', 'none');
    expect(result.code).toBe(0);
    const bundle = bundleAt(result.out);
    expect([bundle.order.timeColumn, bundle.contextFeatures, bundle.featureNulls!.windowSize]).toEqual(['event_time', ['hour'], 110]);
  });
});

describe('shiftwatch serve: a bundle of the previous format', () => {
  it('is refused at startup with a message that says to refit it', async () => {
    const dir = tmp.path('old/bundles/m');
    mkdirSync(dir, { recursive: true });
    const fitted = await runFit('named.csv', ...SMALL, '--flow', 'none');
    const old = { ...bundleAt(fitted.out), formatVersion: 1 };
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify(old));
    const config = tmp.write('old/shiftwatch.yaml', 'kafka: { brokers: [127.0.0.1:1], connectionTimeoutMs: 500 }\nhttp: { host: 127.0.0.1, port: 0 }\nmodels: [{ name: m, bundle: bundles/m }]\nwindow: { size: 110, minEvents: 50 }\n');
    const result = await runCli(['serve', '--config', config], { timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has format 1, this shiftwatch reads format 2 only (format 2 added the class names, the reference size and its time order); refit it from its reference data with `shiftwatch fit`');
    expect(result.stderr).not.toContain('loaded 1 model');
  });
});
