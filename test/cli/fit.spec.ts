/**
 * End to end: `shiftwatch fit` as a real child process (the built dist/cli/main.js) on real files
 * under os.tmpdir(). Successful fits are checked through the bundle.json they write; bad reference
 * data must stop the command with exit code 1 and a message naming the column and the fix; usage
 * mistakes exit 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FORMAT_VERSION, type ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import { syntheticRows, toCsv, type SyntheticRow } from '../support/synthetic.js';
import { assertBuilt, runCli, scratchDir, type CliResult } from './cli-process.js';

const ROWS = 3000;
/** Small window and few replicates keep one fit well under a second. */
const FAST = ['--window-size', '500', '--min-events', '100', '--replicates', '200', '--flow', 'none'];
const EXPECTED_FEATURES: [string, 'numeric' | 'categorical'][] = [
  ['amount', 'numeric'],
  ['age_days', 'numeric'],
  ['session_s', 'numeric'],
  ['clicks', 'numeric'],
  ['latency_ms', 'numeric'],
  ['risk_score', 'numeric'],
  ['country', 'categorical'],
  ['device', 'categorical'],
];

const tmp = scratchDir('cli-fit');
let rows: SyntheticRow[];
let csv: string;

beforeAll(() => {
  assertBuilt();
  rows = syntheticRows(ROWS, 11);
  csv = tmp.write('ref.csv', toCsv(rows));
});
afterAll(() => tmp.cleanup());

function readBundleJson(dir: string): ReferenceBundle {
  return JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as ReferenceBundle;
}

function kinds(bundle: ReferenceBundle): [string, string][] {
  return bundle.features.map((f) => [f.name, f.kind]);
}

/** Exit status plus output, so a failed expectation shows what the CLI printed. */
function outcome(result: CliResult): { code: number | null; stderr: string } {
  return { code: result.code, stderr: result.stderr };
}

/** Asserts the common shape of every bundle fitted with FAST from the synthetic rows. */
function expectFittedBundle(bundle: ReferenceBundle, model: string): void {
  expect(bundle.model).toBe(model);
  expect(bundle.formatVersion).toBe(BUNDLE_FORMAT_VERSION);
  expect(bundle.source.rows).toBe(ROWS);
  expect(bundle.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  for (const f of bundle.features) {
    // Every reference row lands in some bin / category: nothing lost on the way from the file.
    expect(f.counts.reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(f.n).toBe(ROWS);
    expect(f.missing).toBe(0);
  }
  // The time-ordered nulls: one per feature, from the file's contiguous chunks of the window size.
  const nulls = bundle.featureNulls!;
  expect(nulls.windowSize).toBe(500);
  expect(nulls.chunks).toBe(Math.floor(ROWS / 500));
  expect(nulls.features).toHaveLength(bundle.features.length);
  for (const n of nulls.features) {
    expect(n.score.iidWindows).toBe(200);
    expect(n.score.iidVar).toBeGreaterThan(0);
    expect(n.score.excessVar).toBeGreaterThanOrEqual(0);
  }
  // A real calibration, not a constant fill: the features' centers differ.
  expect(new Set(nulls.features.map((n) => n.score.center)).size).toBeGreaterThan(1);
}

describe('shiftwatch fit: reference data in, bundle out', () => {
  // The plain CSV fit, run once and shared with the JSON Lines test (which compares against it).
  let csvFit: Promise<{ result: CliResult; out: string }> | undefined;
  const fitCsv = (): Promise<{ result: CliResult; out: string }> => {
    const out = tmp.path('bundle-csv');
    csvFit ??= runCli(['fit', '--input', csv, '--model', 'fraud-v3', '--out', out, ...FAST]).then((result) => ({ result, out }));
    return csvFit;
  };

  it('fits a 3,000-row CSV: exit 0, bundle.json with the model, format, 8 typed features and a sorted null; progress on stderr', async () => {
    const { result, out } = await fitCsv();
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.any(String) });

    const csvBundle = readBundleJson(out);
    expectFittedBundle(csvBundle, 'fraud-v3');
    expect(kinds(csvBundle)).toEqual(EXPECTED_FEATURES);
    expect(csvBundle.source.path).toBe(csv);

    // Progress goes to stderr, one line per step when stderr is not a terminal, each stage finishing.
    const progress = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(result.stderr).toMatch(/^reading\s+100%/m);
    expect(result.stderr).toMatch(/^summarising\s+\d+%/m);
    expect(result.stderr).toMatch(/^null sims\s+100%/m);
    for (const line of progress) expect(line).toMatch(/^(reading|summarising|null sims)\s+\d{1,3}% .*\(elapsed [\d.]+ s, eta [\d.?]+ s\)$/);

    // The summary goes to stdout.
    expect(result.stdout).toContain(`wrote ${join(out, 'bundle.json')}`);
    expect(result.stdout).toContain(`model fraud-v3, version ${csvBundle.version}, ${ROWS} rows`);
    expect(result.stdout).toContain('time-ordered null from 6 contiguous chunks of 500 rows');
  });

  it('fits JSON Lines in the inference-event shape to the same features and null as the CSV', async () => {
    const jsonl = tmp.write(
      'ref.jsonl',
      rows.map((features, i) => JSON.stringify({ v: 1, model: 'fraud-v3', id: `e${i}`, ts: 1_764_000_000_000 + i, features })).join('\n') + '\n',
    );
    const out = tmp.path('bundle-jsonl');
    const result = await runCli(['fit', '--input', jsonl, '--model', 'fraud-v3', '--out', out, ...FAST]);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.any(String) });

    const bundle = readBundleJson(out);
    expectFittedBundle(bundle, 'fraud-v3');
    // Only the `features` object counts: v, model, id and ts do not become columns.
    expect(kinds(bundle)).toEqual(EXPECTED_FEATURES);
    // Same rows, same seed: the same summaries and the same simulated null as the CSV fit.
    const csvRun = await fitCsv();
    expect(csvRun.result.code).toBe(0);
    const csvBundle = readBundleJson(csvRun.out);
    expect(bundle.features).toEqual(csvBundle.features);
    expect(bundle.featureNulls).toEqual(csvBundle.featureNulls);
    expect(bundle.source.sha256).not.toBe(csvBundle.source.sha256);
  });

  it('applies --categorical and --exclude', async () => {
    const out = tmp.path('bundle-overrides');
    const result = await runCli([
      'fit', '--input', csv, '--model', 'fraud-v3', '--out', out, ...FAST,
      '--categorical', 'clicks', '--exclude', 'latency_ms,risk_score',
    ]);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.any(String) });

    const bundle = readBundleJson(out);
    expect(kinds(bundle)).toEqual([
      ['amount', 'numeric'],
      ['age_days', 'numeric'],
      ['session_s', 'numeric'],
      ['clicks', 'categorical'],
      ['country', 'categorical'],
      ['device', 'categorical'],
    ]);
    const clicks = bundle.features.find((f) => f.name === 'clicks');
    expect(clicks?.kind === 'categorical' && clicks.categories.every((c) => /^\d+$/.test(c))).toBe(true);
    expect(result.stdout).toContain('features (6): 3 numeric: amount, age_days, session_s; 3 categorical: clicks, country, device');
    expect(result.stdout).toContain('not features: latency_ms, risk_score (excluded)');
  });

  it('writes the bundle with the version label given by --version', async () => {
    const out = tmp.path('bundle-version');
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', out, ...FAST, '--version', 'v2026.11']);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.any(String) });
    expect(readBundleJson(out).version).toBe('v2026.11');
  });

  it('trains a density flow on the numeric features: epochs on stderr, the flow and its calibration split in the bundle', async () => {
    const out = tmp.path('bundle-flow');
    const fast = FAST.filter((a) => a !== '--flow' && a !== 'none');
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', out, ...fast, '--flow-layers', '2', '--flow-hidden', '16', '--flow-epochs', '3']);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.stringMatching(/flow .*epoch 3\/3 train NLL -?\d+\.\d+ val NLL -?\d+\.\d+/) });
    expect(result.stdout).toMatch(/detectors enabled: feature-shift .*; covariate-shift \(2 affine couplings on 6 numeric features, 3 epochs/);
    const flow = readBundleJson(out).flow!;
    expect(flow.model.layers).toHaveLength(2);
    expect(flow.model.standardization.features).toEqual(['amount', 'age_days', 'session_s', 'clicks', 'latency_ms', 'risk_score']);
    expect(flow.excluded.map((e) => e.feature)).toEqual(['country', 'device']);
    expect(flow.training.epochs).toHaveLength(3);
    expect(flow.training.rows.calibration).toBe(600);
    expect(flow.calibration).toHaveLength(600);
    expect(flow.training.backend).toBe('onnxruntime-cpu');
  });

  it('--flow-trainer tfjs trains the same flow with the tfjs reference implementation', async () => {
    const out = tmp.path('bundle-flow-tfjs');
    const fast = FAST.filter((a) => a !== '--flow' && a !== 'none');
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', out, ...fast, '--flow-layers', '2', '--flow-hidden', '16', '--flow-epochs', '3', '--flow-trainer', 'tfjs']);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.stringMatching(/flow .*epoch 3\/3 train NLL/) });
    const flow = readBundleJson(out).flow!;
    expect(flow.training.backend).toBe('wasm');
    expect(flow.training.epochs).toHaveLength(3);
  });
});

describe('shiftwatch fit: bad reference data stops it with exit code 1, the column and the fix', () => {
  /** Header plus the synthetic rows, with one column appended by `extra(row index)`. */
  function csvWithColumn(name: string, extra: (i: number) => string): string {
    const [header, ...lines] = toCsv(rows).trimEnd().split('\n');
    return [`${header},${name}`, ...lines.map((l, i) => `${l},${extra(i)}`)].join('\n') + '\n';
  }

  async function expectFitFails(file: string, args: string[], ...fragments: string[]): Promise<string> {
    const out = tmp.path(`no-bundle-${file.replace(/\W/g, '_')}`);
    const result = await runCli(['fit', '--input', tmp.path(file), '--model', 'm', '--out', out, ...args]);
    // The whole of stderr when there is no `shiftwatch: ` line, so a failure shows what was printed instead.
    const message = result.stderr.split('\n').find((l) => l.startsWith('shiftwatch: ')) ?? result.stderr;
    expect({ code: result.code, message }).toEqual({ code: 1, message: expect.stringContaining('. Fix: ') });
    for (const f of fragments) expect(message).toContain(f);
    expect(result.stderr).not.toContain('unexpected error');
    expect(existsSync(join(out, 'bundle.json'))).toBe(false);
    return message;
  }

  it('an empty file', async () => {
    tmp.write('empty.csv', '');
    await expectFitFails('empty.csv', FAST, 'no rows', tmp.path('empty.csv'), 'has no data', 'Fix: export the reference data with a header row');
  });

  it('a file with only the header row', async () => {
    tmp.write('header-only.csv', toCsv(rows).split('\n')[0] + '\n');
    await expectFitFails('header-only.csv', FAST, 'no rows', 'only a header row', 'Fix:');
  });

  it('a constant column', async () => {
    tmp.write('constant.csv', csvWithColumn('region', () => 'EU'));
    await expectFitFails('constant.csv', FAST, 'reference column "region"', 'constant column', '"EU"', 'Fix: drop it with --exclude region');
  });

  beforeAll(() => {
    tmp.write('mixed.csv', csvWithColumn('tenure', (i) => (i === 56 ? 'n/a' : String(i % 40))));
  });

  it('a column with mixed types', async () => {
    await expectFitFails(
      'mixed.csv', FAST,
      'reference column "tenure"', 'mixed types', '2,999 numbers and 1 string', '"n/a" on row 57',
      'Fix: clean the column, or force its type with --categorical tenure',
    );
  });

  it('...which --categorical fixes, as the message says', async () => {
    const out = tmp.path('bundle-mixed-fixed');
    const result = await runCli(['fit', '--input', tmp.path('mixed.csv'), '--model', 'm', '--out', out, ...FAST, '--categorical', 'tenure']);
    expect(outcome(result)).toEqual({ code: 0, stderr: expect.any(String) });
    expect(kinds(readBundleJson(out))).toContainEqual(['tenure', 'categorical']);
  });

  it('too few rows for the window size', async () => {
    await expectFitFails('ref.csv', ['--window-size', '2000', '--replicates', '50'],
      '3,000 rows cannot calibrate windows of 2,000 events: the window null needs 2 × 2,000 = 4,000 rows (--null-rows-per-window)',
      'Fix: add reference rows; or fit it anyway, knowingly, with --window-size 1500 (and window.size 1500 in the service config)');
  });

  it('a column with too few non-null rows for the window', async () => {
    tmp.write('sparse.csv', csvWithColumn('coupon', (i) => (i < 400 ? String(i % 7) : '')));
    await expectFitFails('sparse.csv', FAST, 'coupon has 400 non-null values, fewer than 500 (--min-rows)', 'Fix: add reference rows; or fit it anyway, knowingly, with --min-rows 400');
  });

  it('an --categorical column that is not in the data', async () => {
    await expectFitFails('ref.csv', [...FAST, '--categorical', 'contry'], 'reference column "contry"', 'not in the reference data', 'Fix: check the spelling', 'country');
  });
});

describe('shiftwatch fit: usage errors exit 2 with the usage', () => {
  it('missing --out', async () => {
    const result = await runCli(['fit', '--input', csv, '--model', 'm']);
    expect(outcome(result)).toEqual({ code: 2, stderr: expect.stringContaining('fit needs --input, --model and --out') });
    expect(result.stderr).toContain('shiftwatch fit --input <file.csv|file.jsonl> --model <name> --out <bundle dir>');
  });

  it('a window size that is not a positive integer', async () => {
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', tmp.path('never'), '--window-size', 'abc']);
    expect(outcome(result)).toEqual({ code: 2, stderr: expect.stringContaining('--window-size must be a positive integer, got "abc"') });
    expect(existsSync(tmp.path('never'))).toBe(false);
  });

  it('an unknown option', async () => {
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', tmp.path('never'), '--windowsize', '500']);
    expect(outcome(result)).toEqual({ code: 2, stderr: expect.stringContaining("Unknown option '--windowsize'") });
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.stderr).toContain('shiftwatch fit --input <file.csv|file.jsonl>');
  });

  it('an unknown flow kind', async () => {
    const result = await runCli(['fit', '--input', csv, '--model', 'm', '--out', tmp.path('never'), '--flow', 'maf']);
    expect(outcome(result)).toEqual({ code: 2, stderr: expect.stringContaining('--flow must be affine, spline or none, got "maf"') });
  });

  it('an unknown flow trainer, or the ONNX trainer for a spline flow', async () => {
    const unknown = await runCli(['fit', '--input', csv, '--model', 'm', '--out', tmp.path('never'), '--flow-trainer', 'torch']);
    expect(outcome(unknown)).toEqual({ code: 2, stderr: expect.stringContaining('--flow-trainer must be onnx or tfjs, got "torch"') });
    const spline = await runCli(['fit', '--input', csv, '--model', 'm', '--out', tmp.path('never'), '--flow', 'spline', '--flow-trainer', 'onnx']);
    expect(outcome(spline)).toEqual({ code: 2, stderr: expect.stringContaining('--flow-trainer onnx trains affine flows only') });
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await runCli(['fit', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--replicates <n>');
  });
});
