/** `shiftwatch replay` as a user runs it: fit a reference, replay a stream, read the output directory. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTask, sample } from '../../src/demo/classification.js';
import { assertBuilt, runCli, scratchDir } from './cli-process.js';

const NAMES = ['fraud', 'legit'];
const task = createTask({ classes: 2, dims: 3, seed: 9, separation: 1 });
const tmp = scratchDir('cli-replay');

function csv(n: number, prior: number[], seed: number, from: number): string {
  const s = sample(task, n, prior, 0, seed);
  const lines = s.x.map((x, i) => [1_764_331_200_000 + (from + i) * 1000, ...x, ...s.probs[i]!, NAMES[s.labels[i]!]].join(','));
  return `${['ts', 'x0', 'x1', 'x2', 'prob_fraud', 'prob_legit', 'label'].join(',')}\n${lines.join('\n')}\n`;
}

beforeAll(() => {
  assertBuilt();
  tmp.write('ref.csv', csv(3000, [0.3, 0.7], 1, 0));
  tmp.write('stream.csv', csv(1000, [0.3, 0.7], 2, 3000));
  tmp.write('config.yaml', [
    'kafka: { brokers: [unused:9092] }',
    `models: [{ name: m, bundle: ${tmp.path('bundle')} }]`,
    'window: { size: 200, minEvents: 100 }',
  ].join('\n'));
});
afterAll(() => tmp.cleanup());

describe('shiftwatch replay', () => {
  it('prints its usage with --help', async () => {
    const r = await runCli(['replay', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^shiftwatch replay --config <file> --input/);
    expect(r.stdout).toContain('--label-delay <n>');
  });

  it('says what is missing and exits 2', async () => {
    const r = await runCli(['replay', '--config', tmp.path('config.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('replay needs --input and --out');
  });

  it('replays a stream into the four files and prints the summary', async () => {
    const fit = await runCli(['fit', '--input', tmp.path('ref.csv'), '--model', 'm', '--out', tmp.path('bundle'), '--window-size', '200', '--min-events', '100', '--flow', 'none', '--replicates', '60', '--time-column', 'ts'], { timeoutMs: 120_000 });
    expect(fit.code).toBe(0);
    const out = tmp.path('out');
    const r = await runCli(['replay', '--config', tmp.path('config.yaml'), '--input', tmp.path('stream.csv'), '--out', out, '--label-delay', '2'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replayed 1000 events \(0 rejected\) into 5 windows at \d+ events\/s; wrote /);
    expect(r.stdout).toMatch(/accuracy on 5 labelled windows: selected MAE 0\.\d{4}/);
    for (const file of ['windows.jsonl', 'alerts.jsonl', 'rejected.jsonl', 'summary.json']) expect(existsSync(join(out, file))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { windows: number; accuracy: Record<string, { windows: number }> };
    expect(summary.windows).toBe(5);
    expect(summary.accuracy['no-change']!.windows).toBe(5);
  }, 240_000);
});
