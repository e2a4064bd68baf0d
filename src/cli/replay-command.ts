/** `shiftwatch replay`: the monitor's pipeline in batch over a file, for evaluation and backtests. */
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { loadModels, monitorOptions } from '../service/models.js';
import { createLogger } from '../logging.js';
import { replay } from '../replay/replay.js';
import { UsageError } from './fit-command.js';
import { progressPrinter } from './progress.js';

export const REPLAY_USAGE = `shiftwatch replay --config <file> --input <stream.csv|stream.jsonl> --out <dir> [options]

  --config <file>          the service config: models, bundles, detection settings (Kafka is not used)
  --input <file>           the stream, in time order or with a time column: CSV or JSON Lines with the
                           reference's columns (features, model outputs, optional label and id), or
                           JSON Lines of contract-v1 events
  --out <dir>              writes windows.jsonl, alerts.jsonl, rejected.jsonl and summary.json there
  --labels <file>          JSON Lines of label messages {"model", "id", "label"}, joined by id
  --label-delay <n>        windows that close between an event and its label (default 1)
  --time-column <col>      the input's time column (default: the bundle's, when the input has it)
  --model <name>           the model of a reference-shaped input (default: the config's only model)
  --classes <a,b>, --prob-prefix <p>, --logit-prefix <p>
                           how the input names the model outputs, when fit needed them too`;

export async function runReplay(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, input: { type: 'string' }, out: { type: 'string' }, labels: { type: 'string' },
      'label-delay': { type: 'string' }, 'time-column': { type: 'string' }, model: { type: 'string' },
      classes: { type: 'string' }, 'prob-prefix': { type: 'string' }, 'logit-prefix': { type: 'string' },
    },
  });
  if (!values.input || !values.out) throw new UsageError(`replay needs --input and --out\n\n${REPLAY_USAGE}`);
  const delay = values['label-delay'] === undefined ? 1 : Number(values['label-delay']);
  if (!Number.isInteger(delay) || delay < 0) throw new UsageError(`--label-delay must be a whole number of windows >= 0, got "${values['label-delay']}"`);
  const config = loadConfig(values.config ? { file: values.config } : {});
  const logger = createLogger(config.logLevel);
  const models = await loadModels(config, logger);
  const outputs = {
    ...(values.classes ? { classes: values.classes.split(',').map((c) => c.trim()) } : {}),
    ...(values['prob-prefix'] !== undefined ? { probPrefix: values['prob-prefix'] } : {}),
    ...(values['logit-prefix'] !== undefined ? { logitPrefix: values['logit-prefix'] } : {}),
  };
  const out = resolve(values.out);
  const bar = progressPrinter('replaying');
  const summary = await replay({
    models, monitor: monitorOptions(config), input: resolve(values.input), outDir: out, labelDelay: delay, outputs,
    topics: { events: config.kafka.topics.events, labels: config.kafka.topics.labels },
    ...(values.labels ? { labels: resolve(values.labels) } : {}),
    ...(values.model ? { model: values.model } : {}),
    ...(values['time-column'] ? { timeColumn: values['time-column'] } : {}),
    ...(process.stderr.isTTY ? { onProgress: (events: number, bytes: { read: number; total: number }) => bar(bytes.read, bytes.total, `${events} events`) } : {}),
    warn: (m) => logger.warn(m),
  });
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const selected = summary.accuracy.selected;
  const noChange = summary.accuracy['no-change'];
  const fmt = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
  process.stdout.write([
    `replayed ${summary.events} events (${summary.rejected} rejected) into ${summary.windows} windows at ${Math.round(summary.throughput.eventsPerSecond)} events/s; wrote ${out}`,
    `  alert episodes: ${Object.entries(summary.alertEpisodes).map(([d, n]) => `${d} ${n}`).join(', ')}`,
    ...(selected ? [`  accuracy on ${summary.labelledWindows} labelled windows: selected MAE ${fmt(selected.mae)} (coverage ${fmt(selected.coverage, 2)}, width ${fmt(selected.meanWidth, 3)}) vs no-change MAE ${fmt(noChange?.mae)}`] : []),
    ...(summary.classShares.windows > 0 ? [`  class shares: MAE ${fmt(summary.classShares.mae)} vs no-change ${fmt(summary.classShares.noChangeMae)}; ${summary.classShares.degenerateWindows} window(s) with a share below 0.01 or above 0.99`] : []),
  ].join('\n') + '\n');
}
