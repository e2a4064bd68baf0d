/**
 * `shiftwatch replay`: the monitor's pipeline in batch, without Kafka, for evaluation before
 * deployment and for backtests. The same Monitor, detectors and bundles as `serve`; the input's
 * rows are the events and, when they carry labels, delayed labels that arrive `labelDelay` windows
 * later. Writes, into the output directory:
 *  - windows.jsonl: one record per closed window (core/pipeline/window-record.ts), with its realized
 *    accuracy and class shares filled in once its labels have arrived;
 *  - alerts.jsonl: the alerts, exactly as the service publishes them;
 *  - rejected.jsonl: the rows the service would dead-letter, with the same reasons;
 *  - summary.json: errors, coverage and widths, alert episodes, flag rates (core/replay/replay-summary.ts).
 * Everything but summary.json's `throughput` is a function of the input alone: the clock is the
 * events' own time, and every random draw is seeded by its window.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { Monitor, emptyOutput, type MonitoredModel, type MonitorOptions, type RawMessage } from '../core/pipeline/monitor.js';
import type { DeadLetter } from '../core/contract/dead-letter.js';
import { windowRecord, type WindowRecord } from '../core/pipeline/window-record.js';
import { LabelDelay } from '../core/replay/label-delay.js';
import { ReplaySummaryBuilder, type ReplaySummary } from '../core/replay/replay-summary.js';
import { openReplayInput } from './replay-input.js';
import type { OutputDeclaration } from '../core/reference/output-columns.js';
import { ReplayInputError } from '../core/errors.js';
import { at } from '../core/indexing.js';

export interface ReplayOptions {
  models: readonly MonitoredModel[];
  monitor: MonitorOptions;
  input: string;
  /** JSON Lines of label messages `{model, id, label}`, joined to the events by id. */
  labels?: string;
  outDir: string;
  /** Model of a reference-shaped input (default: the only configured model). */
  model?: string;
  timeColumn?: string;
  outputs?: OutputDeclaration;
  /** Windows of the label's model that close between an event and its label (default 1). */
  labelDelay?: number;
  /** After each batch: events read so far, and bytes of the input read of its size. */
  onProgress?: (events: number, bytes: { read: number; total: number }) => void;
  /**
   * The topics the events and labels are attributed to (default: replay.events, replay.labels).
   * With the service's topic names, a replay of what a fresh topic holds gets the same window and
   * alert ids as `serve`.
   */
  topics?: { events: string; labels: string };
  /** Warnings for the user (unknown columns). */
  warn?: (message: string) => void;
}

const DEFAULT_TOPICS = { events: 'replay.events', labels: 'replay.labels' };

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const { events: EVENTS_TOPIC, labels: LABELS_TOPIC } = options.topics ?? DEFAULT_TOPICS;
  const [onlyModel, otherModel] = options.models;
  const modelName = options.model ?? (otherModel === undefined ? onlyModel?.name : undefined);
  const model = options.models.find((m) => m.name === modelName);
  if (model === undefined) {
    throw new ReplayInputError(options.model === undefined
      ? `the config has ${options.models.length} models; say which one the input belongs to with --model`
      : `--model ${options.model} is not in the config (models: ${options.models.map((m) => m.name).join(', ')})`);
  }
  const input = await openReplayInput(options.input, { model: model.name, bundle: model.bundle, ...(options.outputs ? { outputs: options.outputs } : {}), ...(options.timeColumn ? { timeColumn: options.timeColumn } : {}) });
  if (input.unknownColumns.length > 0) options.warn?.(`the input's columns ${input.unknownColumns.join(', ')} are not features of model ${model.name}: they are passed on and counted as unknown features`);
  const fileLabels = options.labels === undefined ? undefined : await readLabelFile(options.labels);
  await mkdir(options.outDir, { recursive: true });
  const files = {
    windows: createWriteStream(join(options.outDir, 'windows.jsonl')),
    alerts: createWriteStream(join(options.outDir, 'alerts.jsonl')),
    rejected: createWriteStream(join(options.outDir, 'rejected.jsonl')),
  };
  let clock = 0;
  const monitor = new Monitor(options.models, options.monitor, {}, () => clock);
  const summary = new ReplaySummaryBuilder(monitor.detectorNames(model.name));
  const delay = new LabelDelay(options.labelDelay ?? 1);
  const closed = new Map<string, number>();
  const pending = new Map<string, Map<number, WindowRecord>>();
  const out = emptyOutput();
  let labelOffset = 0;
  const usedLabels = new Set<string>();
  let rejected = 0;

  /** The input row of each dead letter in `out.deadLetters` (none for a rejected label). */
  const rejectedRows = new Map<DeadLetter, unknown>();
  const flushOutput = (final: boolean) => {
    for (const d of out.deadLetters) {
      rejected += 1;
      const source = rejectedRows.get(d);
      files.rejected.write(`${JSON.stringify({ ...d, ...(source === undefined ? {} : { row: source }) })}\n`);
    }
    rejectedRows.clear();
    for (const a of out.alerts) {
      summary.alert(a);
      files.alerts.write(`${JSON.stringify(a)}\n`);
    }
    for (const r of out.realized) {
      const record = pending.get(r.model)?.get(r.serial);
      if (record !== undefined) record.realized = { accuracy: r.accuracy, classShares: r.classProportions, n: r.labeled };
    }
    out.deadLetters.length = 0;
    out.alerts.length = 0;
    out.windows.length = 0;
    out.realized.length = 0;
    // A window's labels are all released once `delay` more windows have closed: its record is final.
    for (const [name, byModel] of pending) {
      const upTo = final ? Infinity : (closed.get(name) ?? 0) - (options.labelDelay ?? 1);
      for (const serial of [...byModel.keys()].sort((a, b) => a - b)) {
        if (serial > upTo) break;
        const record = byModel.get(serial)!;
        summary.window(record);
        files.windows.write(`${JSON.stringify(record)}\n`);
        byModel.delete(serial);
      }
    }
  };
  /** Windows just closed: counted (labels wait on the counts) and kept until their labels are in. */
  const noteWindows = () => {
    for (const w of out.windows) {
      closed.set(w.model, (closed.get(w.model) ?? 0) + 1);
      const byModel = pending.get(w.model) ?? new Map<number, WindowRecord>();
      byModel.set(w.window.serial, windowRecord(w));
      pending.set(w.model, byModel);
    }
  };
  const feedLabels = (labels: { model: string; id: string; label: number | string }[]) => {
    for (const l of labels) monitor.handleLabelParsed(message(LABELS_TOPIC, labelOffset++, clock), l, out);
  };

  let total = 0;
  for await (const batch of input.batches) {
    for (const e of batch) {
      const i = total++;
      if (Number.isFinite(e.ts)) clock = Math.max(clock, e.ts);
      const before = out.deadLetters.length;
      monitor.handleParsed(message(EVENTS_TOPIC, i, Number.isFinite(e.ts) ? e.ts : clock), e.event, out);
      const accepted = out.deadLetters.length === before;
      if (!accepted) rejectedRows.set(at(out.deadLetters, before, 'dead letters'), e.source);
      let label = e.label;
      if (fileLabels !== undefined) {
        const key = `${String(e.event.model)}\u0000${String(e.event.id)}`;
        label ??= fileLabels.get(key);
        if (fileLabels.has(key)) usedLabels.add(key);
      }
      if (label !== undefined && accepted) delay.hold(label, closed.get(label.model) ?? 0);
      if (!monitor.hasPending()) continue;
      await monitor.complete(out);
      noteWindows();
      for (const [name, count] of closed) feedLabels(delay.release(name, count));
      if (monitor.hasPending()) await monitor.complete(out);
      flushOutput(false);
    }
    options.onProgress?.(total, input.progress);
  }
  monitor.flush(out);
  await monitor.complete(out);
  noteWindows();
  feedLabels(delay.drain());
  // Labels of ids the input never had: they wait for their event, as on the labels topic.
  if (fileLabels) feedLabels([...fileLabels.entries()].filter(([key]) => !usedLabels.has(key)).map(([, l]) => l));
  await monitor.complete(out);
  flushOutput(true);
  await Promise.all(Object.values(files).map(closeStream));
  return summary.build({ events: total, rejected, seconds: (performance.now() - started) / 1000 });
}

function message(topic: string, offset: number, timestamp: number): RawMessage {
  return { topic, partition: 0, offset: String(offset), timestamp: String(timestamp), key: null, value: null };
}

async function readLabelFile(path: string): Promise<Map<string, { model: string; id: string; label: number | string }>> {
  const { readFile } = await import('node:fs/promises');
  const labels = new Map<string, { model: string; id: string; label: number | string }>();
  for (const [n, line] of (await readFile(path, 'utf8')).split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: { model?: unknown; id?: unknown; label?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch (error) {
      throw new ReplayInputError(`${path} line ${n + 1} is not JSON (${(error as Error).message}): write one label message per line, {"model": ..., "id": ..., "label": ...}`);
    }
    labels.set(`${String(parsed.model)}\u0000${String(parsed.id)}`, parsed as { model: string; id: string; label: number | string });
  }
  return labels;
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}
