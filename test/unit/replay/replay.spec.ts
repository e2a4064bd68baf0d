/**
 * `shiftwatch replay` end to end on files: the monitor's pipeline in batch. Outputs are a function of
 * the input alone, delayed labels fill each window's realized accuracy, bad rows land in
 * rejected.jsonl with the dead-letter reasons, and contract-v1 events give the same windows as the
 * reference-shaped rows they came from.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitBundle } from '../../../src/core/fit/fit-bundle.js';
import { replay, type ReplayOptions } from '../../../src/replay/replay.js';
import { createTask, sample } from '../../../src/demo/classification.js';
import { DEFAULT_PREDICTION_OPTIONS } from '../../../src/core/predictions/prediction-options.js';
import type { WindowRecord } from '../../../src/core/pipeline/window-record.js';
import type { MonitoredModel } from '../../../src/core/detectors/model.js';
import { TEST_OPTIONS, TEST_SEQUENTIAL } from '../../support/fixtures.js';

const NAMES = ['cat', 'dog', 'eel'];
const WINDOW = 200;
const task = createTask({ classes: 3, dims: 3, seed: 4, separation: 1 });
const T0 = Date.UTC(2026, 2, 1);

function csv(n: number, prior: number[], seed: number, from = 0): string {
  const s = sample(task, n, prior, 0, seed);
  const header = ['ts', 'x0', 'x1', 'x2', ...NAMES.map((c) => `prob_${c}`), 'label'].join(',');
  const lines = s.x.map((x, i) => [T0 + (from + i) * 1000, ...x.map((v) => v.toFixed(6)), ...s.probs[i]!.map((p) => p.toFixed(9)), NAMES[s.labels[i]!]].join(','));
  return `${[header, ...lines].join('\n')}\n`;
}

describe('shiftwatch replay', () => {
  const dir = (() => {
    const path = mkdtempSync(join(tmpdir(), 'shiftwatch-replay-'));
    return { path, write: (name: string, text: string) => (writeFileSync(join(path, name), text), join(path, name)) };
  })();
  afterAll(() => rmSync(dir.path, { recursive: true, force: true }));
  let models: MonitoredModel[];
  let base: Omit<ReplayOptions, 'input' | 'outDir'>;
  let stream: string;
  const accuracyOf = (from: number, text: string) => {
    const rows = text.trim().split('\n').slice(1 + from, 1 + from + WINDOW).map((l) => l.split(','));
    return rows.filter((r) => {
      const p = r.slice(4, 7).map(Number);
      return NAMES[p.indexOf(Math.max(...p))] === r[7];
    }).length / WINDOW;
  };

  beforeAll(async () => {
    const ref = dir.write('ref.csv', csv(4000, [0.3, 0.4, 0.3], 1));
    const { bundle } = await fitBundle({ input: ref, model: 'm', outDir: join(dir.path, 'bundle'), windowSize: WINDOW, minEvents: 100, nullReplicates: 60, tests: TEST_OPTIONS, timeColumn: 'ts' });
    models = [{ name: 'm', bundle, window: { type: 'count', size: WINDOW, minEvents: 100 } }];
    base = { models, monitor: { maxMessageBytes: 100_000, tests: TEST_OPTIONS, sequential: TEST_SEQUENTIAL, predictions: DEFAULT_PREDICTION_OPTIONS } };
    // Clean, then a class-mix change; two bad rows in the middle (probabilities that do not sum to 1, text in a numeric column).
    const text = csv(6 * WINDOW, [0.3, 0.4, 0.3], 7, 4000) + csv(4 * WINDOW, [0.7, 0.15, 0.15], 8, 4000 + 6 * WINDOW).split('\n').slice(1).join('\n');
    const lines = text.trim().split('\n');
    const bad1 = lines[300]!.split(',');
    bad1[4] = '0.9';
    const bad2 = lines[500]!.split(',');
    bad2[1] = 'oops';
    stream = dir.write('stream.csv', `${[...lines.slice(0, 300), bad1.join(','), ...lines.slice(300, 500), bad2.join(','), ...lines.slice(500)].join('\n')}\n`);
  }, 120_000);

  const read = (out: string, file: string) => readFileSync(join(out, file), 'utf8');
  const records = (out: string) => read(out, 'windows.jsonl').trim().split('\n').map((l) => JSON.parse(l) as WindowRecord);

  it('writes every window with its realized accuracy, rejects the bad rows with their reasons, and is deterministic', async () => {
    const a = join(dir.path, 'out-a');
    const b = join(dir.path, 'out-b');
    const first = await replay({ ...base, input: stream, outDir: a });
    const second = await replay({ ...base, input: stream, outDir: b });
    for (const file of ['windows.jsonl', 'alerts.jsonl', 'rejected.jsonl']) expect(read(b, file)).toBe(read(a, file));
    expect({ ...second, throughput: null }).toEqual({ ...first, throughput: null });

    expect(first.events).toBe(10 * WINDOW + 2);
    expect(first.rejected).toBe(2);
    const rejected = read(a, 'rejected.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; detail: string; row: Record<string, unknown> });
    expect(rejected.map((r) => r.reason)).toEqual(['invalid_field', 'wrong_type']);
    expect(rejected[0]!.detail).toMatch(/sum to/);
    expect(rejected[1]!.row.x0).toBe('oops');

    const windows = records(a);
    expect(windows.map((w) => w.window.count)).toEqual(Array(10).fill(WINDOW));
    expect(windows.map((w) => w.window.serial)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const accepted = readFileSync(stream, 'utf8');
    // Realized accuracy from the delayed labels is exactly the file's (bad rows excluded).
    const clean = `${accepted.trim().split('\n').filter((_, i) => i !== 301 && i !== 502).join('\n')}\n`;
    windows.forEach((w, i) => expect(w.realized).toEqual({ accuracy: accuracyOf(i * WINDOW, clean), classShares: expect.any(Array), n: WINDOW }));
    expect(windows[0]!.accuracy!['no-change']!.interval).toBe('chunk');
    expect(windows[0]!.selected!.estimator).toBe('no-change');
    // The class mix changed at window 7: label-shift fires, the estimate follows the new mix.
    const alerts = read(a, 'alerts.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { detector: string; status: string; window: { serial: number } });
    expect(alerts.find((x) => x.detector === 'label-shift' && x.status === 'firing')!.window.serial).toBeGreaterThanOrEqual(7);
    expect(windows[9]!.classShares!.estimate[0]).toBeGreaterThan(0.55);
    expect(first.alertEpisodes['label-shift']).toBe(1);
    expect(first.labelledWindows).toBe(10);
    expect(first.accuracy.selected!.windows).toBe(10);
  }, 120_000);

  it('gives the same windows from contract-v1 events as from the rows they came from', async () => {
    const lines = readFileSync(stream, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const events = lines.slice(1).map((line, i) => {
      const r = Object.fromEntries(line.split(',').map((v, j) => [header[j]!, v]));
      return JSON.stringify({
        model: 'm', id: `row-${i + 1}`, ts: Number(r.ts),
        features: { x0: Number.isNaN(Number(r.x0)) ? r.x0 : Number(r.x0), x1: Number(r.x1), x2: Number(r.x2) },
        prediction: { probs: Object.fromEntries(NAMES.map((c) => [c, Number(r[`prob_${c}`])])) },
      });
    });
    const jsonl = dir.write('events.jsonl', `${events.join('\n')}\n`);
    const out = join(dir.path, 'out-events');
    await replay({ ...base, input: jsonl, outDir: out });
    const fromRows = records(join(dir.path, 'out-a'));
    const fromEvents = records(out);
    expect(fromEvents.map((w) => w.window)).toEqual(fromRows.map((w) => w.window));
    expect(fromEvents.map((w) => w.detectors)).toEqual(fromRows.map((w) => w.detectors));
    // Contract events carry no labels: no realized accuracy.
    expect(fromEvents.every((w) => w.realized === undefined)).toBe(true);
  }, 60_000);

  it('holds labels for the configured delay: a longer delay changes when the backtest learns, not what it learns', async () => {
    const out = join(dir.path, 'out-delay');
    const late = await replay({ ...base, input: stream, outDir: out, labelDelay: 3 });
    const prompt = records(join(dir.path, 'out-a'));
    const delayed = records(out);
    expect(delayed.map((w) => w.realized)).toEqual(prompt.map((w) => w.realized));
    // With labels three windows late the backtest has fewer labelled windows behind each estimate.
    const firstAci = (rs: WindowRecord[]) => rs.findIndex((w) => w.accuracy!['no-change']!.interval === 'aci');
    expect(firstAci(delayed)).toBeGreaterThan(firstAci(prompt));
    expect(late.labelledWindows).toBe(10);
  }, 60_000);

  it('refuses an input without the bundle\'s features, naming them', async () => {
    const bad = dir.write('bad.csv', 'ts,x0,prob_cat,prob_dog,prob_eel,label\n1,0.5,0.2,0.3,0.5,cat\n');
    await expect(replay({ ...base, input: bad, outDir: join(dir.path, 'out-bad') })).rejects.toThrow(/replay input: column "x1": the replay input lacks 2 features of the bundle: x1, x2/);
  });
});
