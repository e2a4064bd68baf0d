/**
 * `label-join`: heap bytes per entry of the label join (src/core/labels/label-join.ts), the figure
 * behind its byte budget. Each case runs in a child process with --expose-gc: 10^6 predictions or
 * waiting labels whose ids come from JSON.parse (as from a Kafka message), V8's used heap after GC
 * before and after, divided by the entries.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { intFlag, parseFlags } from './args.js';
import { LabelJoiner, PREDICTION_ENTRY_BYTES, LABEL_ENTRY_BYTES } from '../src/core/labels/label-join.js';

const SELF = fileURLToPath(import.meta.url);

/** In the child: fill a join and print the used-heap growth per entry. */
function measure(kind: 'prediction' | 'label', idLength: number, entries: number): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const join = new LabelJoiner(4, { ttlMs: 1e12, maxEntries: 1e9, maxBytes: 1e12 });
  // Events of one window share its id string, as in the service.
  const windowIds = Array.from({ length: Math.ceil(entries / 1000) }, (_, w) => `c-events/0@${w * 1000}`);
  for (let i = 0; i < entries; i++) {
    const id = (JSON.parse(`{"id":"${String(i).padStart(idLength, 'x')}"}`) as { id: string }).id;
    if (kind === 'prediction') join.addPrediction(id, windowIds[Math.floor(i / 1000)] ?? 'w', i % 4, 0);
    else join.addLabel(id, i % 4, 0);
  }
  gc();
  gc();
  const perEntry = (process.memoryUsage().heapUsed - before) / entries;
  if (join.size() !== entries) throw new Error(`the join holds ${join.size()} entries, not ${entries}`);
  return perEntry;
}

export async function runLabelJoinMemory(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['entries']);
  const entries = intFlag(flags, 'entries', 1_000_000);
  const cases: Array<{ kind: 'prediction' | 'label'; idLength: number; bytesPerEntry: number; minusId: number }> = [];
  for (const kind of ['prediction', 'label'] as const) {
    for (const idLength of [8, 16, 36, 64]) {
      const child = spawnSync(process.execPath, ['--expose-gc', SELF, 'child', kind, String(idLength), String(entries)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`measuring ${kind} entries failed: ${child.stderr}`);
      const bytesPerEntry = Math.round(Number(child.stdout.trim()) * 10) / 10;
      cases.push({ kind, idLength, bytesPerEntry, minusId: Math.round((bytesPerEntry - idLength) * 10) / 10 });
      process.stderr.write(`[bench label-join] ${kind}, ${idLength}-character ids: ${bytesPerEntry} bytes per entry\n`);
    }
  }
  return { scenario: 'label-join', entries, cases, budgetCounts: { prediction: PREDICTION_ENTRY_BYTES, label: LABEL_ENTRY_BYTES } };
}

if (process.argv[2] === 'child' && process.argv[1] === SELF) {
  process.stdout.write(`${measure(process.argv[3] as 'prediction' | 'label', Number(process.argv[4]), Number(process.argv[5]))}\n`);
}
