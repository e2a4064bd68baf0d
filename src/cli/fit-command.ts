/** `shiftwatch fit`: reference data → reference bundle. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fitBundle, type FlowTrainerContext } from '../core/fit/fit-bundle.js';
import { DEFAULT_MIN_FEATURE_VALUES } from '../core/detect/feature-tests.js';
import { loadConfig } from '../config/index.js';
import type { FeatureKind } from '../core/reference/schema.js';
import { progressPrinter } from './progress.js';
import { fitSummary } from './fit-summary.js';
import type { OutputDeclaration } from '../core/reference/output-columns.js';
import { MINIMUM_OPTIONS, minimumProblem, type ReferenceMinimums } from '../core/reference/reference-size.js';
import { fitFlow } from '../flow/fit-flow.js';
import { outputDirProblem } from './output-dir.js';

export const FIT_USAGE = `shiftwatch fit --input <file.csv|file.jsonl> --model <name> --out <bundle dir> [options]

  --config <file>          take window size, alpha, correction and schema overrides from this
                           service config (the model's own window and schema if it is listed there)
  --window-size <n>        events per window the service will test (default 1000, or from --config)
  --min-events <n>         smallest window that is tested (default 100, or from --config)
  --categorical <a,b>      force these columns to be categorical
  --numeric <a,b>          force these columns to be numeric (also: columns named prob_*/logit_* that are inputs)
  --exclude <a,b>          columns that are not features
  --time-column <col>      the rows' time: rows are sorted by it (stable) before fitting; not a feature
                           (default: the file's order is the time order; or models[].schema.timeColumn)
  --context <a,b>          declared seasonal/context features, e.g. day_of_week,hour (or models[].schema.context)

  model outputs (classifiers; default: columns prob_<class> or logit_<class>, any class names,
  and a label column holding class names or indices):
  --classes <a,b,...>      the classes in the model's output order; the columns are <prefix><class>
  --prob-prefix <p>        prefix of the probability columns (default prob_; '' = named by the class)
  --logit-prefix <p>       prefix of the logit columns (default logit_)
  --no-predictions         ignore model outputs and labels: monitor the inputs only

  reference size (each minimum defaults to the recommended size; below it fit stops, naming the
  option; lowered knowingly, fit warns and records the small reference in the bundle):
  --min-rows <n>           non-null values every feature column needs (default 500, at least 100)
  --null-rows-per-window <x> reference rows per served window for the window null (default 2, at least 1.5)
  --atc-min-rows <n>       labelled rows for ATC's threshold (default 2000, at least 100)
  --atc-min-errors <n>     misclassified, and correctly classified, rows ATC needs (default 20, at least 5)
  --flow-min-rows <n>      rows with every numeric feature a density flow needs; fewer: no flow
                           (default 1000, at least 500)

  --bins <n>               histogram bins per numeric feature (default 512)
  --replicates <n>         iid windows measuring each test's sampling noise (default 200)
  --seed <n>               random seed for the null simulation (default 1)
  --version <text>         bundle version label (default: the fit time)

  density flow (joint covariate-shift tests on the numeric features):
  --flow <kind>            affine (RealNVP, default) | spline (rational-quadratic; scored with tfjs) | none
  --flow-layers <n>        coupling layers (default 6)
  --flow-hidden <n>        hidden units per conditioner layer (default 128)
  --flow-epochs <n>        most training epochs; early stopping on validation NLL (default 40)
  --flow-batch <n>         rows per training step (default 1024)
  --flow-lr <x>            initial Adam learning rate, cosine-decayed to 0 (default 0.004)
  --flow-trainer <t>       onnx (ONNX Runtime on one core; the default for affine flows) | tfjs
                           (the reference implementation; the only trainer for spline flows)
  --tail-adaptive          Student-t base for heavy-tailed features (tail index by the moment estimator)
  --localize-replicates <n> bootstrap windows of the conditional feature test's null (default 2000; 0: no test)
  --localize-method <m>    flow (default: score in the flow's latent space) | gaussian (closed form on the standardised features)`;

export async function runFit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' },
      'window-size': { type: 'string' }, 'min-events': { type: 'string' }, categorical: { type: 'string' },
      numeric: { type: 'string' }, exclude: { type: 'string' }, bins: { type: 'string' },
      replicates: { type: 'string' }, seed: { type: 'string' }, version: { type: 'string' },
      'time-column': { type: 'string' }, context: { type: 'string' },
      classes: { type: 'string' }, 'prob-prefix': { type: 'string' }, 'logit-prefix': { type: 'string' }, 'no-predictions': { type: 'boolean' },
      'min-rows': { type: 'string' }, 'null-rows-per-window': { type: 'string' }, 'atc-min-rows': { type: 'string' }, 'atc-min-errors': { type: 'string' }, 'flow-min-rows': { type: 'string' },
      flow: { type: 'string' }, 'flow-layers': { type: 'string' }, 'flow-hidden': { type: 'string' },
      'flow-epochs': { type: 'string' }, 'flow-batch': { type: 'string' }, 'flow-lr': { type: 'string' }, 'flow-trainer': { type: 'string' }, 'tail-adaptive': { type: 'boolean' }, 'localize-replicates': { type: 'string' }, 'localize-method': { type: 'string' },
    },
  });
  if (!values.input || !values.model || !values.out) throw new UsageError(`fit needs --input, --model and --out\n\n${FIT_USAGE}`);
  const outProblem = outputDirProblem(values.out);
  if (outProblem !== undefined) throw new UsageError(`fit --out ${values.out}: ${outProblem}. Fix: give --out a directory this user may write (it is created if missing)`);
  const config = values.config ? loadConfig({ file: values.config }) : undefined;
  const modelConfig = config?.models.find((m) => m.name === values.model);
  const window = modelConfig?.window ?? config?.window;
  const int = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const x = Number(raw);
    if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
    return x;
  };
  const list = (raw: string | undefined) => (raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const overrides: Record<string, FeatureKind> = {};
  for (const c of [...(modelConfig?.schema.categorical ?? []), ...list(values.categorical)]) overrides[c] = 'categorical';
  for (const c of [...(modelConfig?.schema.numeric ?? []), ...list(values.numeric)]) overrides[c] = 'numeric';
  const configuredSize = window?.type === 'count' ? window.size : undefined;
  const printers = { read: progressPrinter('reading   '), summarise: progressPrinter('summarising'), nulls: progressPrinter('null sims '), predictions: progressPrinter('calibration') };
  const flowKind = values.flow ?? 'affine';
  if (!['affine', 'spline', 'none'].includes(flowKind)) throw new UsageError(`--flow must be affine, spline or none, got "${flowKind}"`);
  const trainer = values['flow-trainer'];
  if (trainer !== undefined && trainer !== 'onnx' && trainer !== 'tfjs') throw new UsageError(`--flow-trainer must be onnx or tfjs, got "${trainer}"`);
  if (trainer === 'onnx' && flowKind === 'spline') throw new UsageError('--flow-trainer onnx trains affine flows only; spline flows train with tfjs');
  const seed = int('seed', values.seed, 1);
  const flowPrinter = progressPrinter('flow      ');
  const localizePrinter = progressPrinter('localize  ');
  const windowSize = int('window-size', values['window-size'], configuredSize ?? 1000);
  const alpha = config?.detection.alpha ?? 0.05;
  const rawReplicates = values['localize-replicates'];
  const replicates = rawReplicates === '0' ? 0 : int('localize-replicates', rawReplicates, 2000);
  const method = values['localize-method'] ?? 'flow';
  if (method !== 'gaussian' && method !== 'flow') throw new UsageError(`--localize-method must be gaussian or flow, got "${method}"`);
  const outputs = outputDeclaration(values, list);
  const minimums = minimumOptions(values);
  const flowTrainer = flowKind === 'none' ? undefined : (rows: Parameters<typeof fitFlow>[0], specs: Parameters<typeof fitFlow>[1], fit: FlowTrainerContext) =>
    fitFlow(rows, specs, {
      seed,
      minRows: fit.minRows,
      nulls: { windowSize: fit.windowSize, context: fit.context },
      architecture: { kind: flowKind as 'affine' | 'spline', layers: int('flow-layers', values['flow-layers'], 6), hidden: int('flow-hidden', values['flow-hidden'], 128) },
      maxEpochs: int('flow-epochs', values['flow-epochs'], 40),
      batchSize: int('flow-batch', values['flow-batch'], 1024),
      learningRate: positive('flow-lr', values['flow-lr'], 0.004),
      tailAdaptive: values['tail-adaptive'] ?? false,
      ...(trainer ? { trainer } : {}),
      ...(replicates > 0 ? { localization: { windowSize, alpha, replicates, method, onProgress: localizePrinter } } : {}),
      onEpoch: (e) => flowPrinter(e.epoch, e.maxEpochs, `epoch ${e.epoch}/${e.maxEpochs} train NLL ${e.trainNll.toFixed(3)} val NLL ${e.validationNll.toFixed(3)} ${Math.round(e.rowsPerSecond)} rows/s`),
    });
  const timeColumn = values['time-column'] ?? modelConfig?.schema.timeColumn;
  const result = await fitBundle({
    input: resolve(values.input),
    model: values.model,
    outDir: resolve(values.out),
    windowSize,
    minEvents: int('min-events', values['min-events'], window?.minEvents ?? 100),
    maxBins: int('bins', values.bins, 512),
    nullReplicates: int('replicates', values.replicates, 1000),
    seed,
    ...(flowTrainer ? { flowTrainer } : {}),
    ...(values.version ? { version: values.version } : {}),
    schema: { overrides, exclude: [...(modelConfig?.schema.exclude ?? []), ...list(values.exclude)] },
    outputs,
    minimums,
    ...(timeColumn === undefined ? {} : { timeColumn }),
    contextFeatures: [...(modelConfig?.schema.context ?? []), ...list(values.context)],
    tests: { alpha, correction: config?.detection.correction ?? 'bh', minFeatureValues: DEFAULT_MIN_FEATURE_VALUES },
    onProgress: (stage, done, total) => printers[stage](done, total),
  });
  for (const warning of result.bundle.reference.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(fitSummary(result, {
    ...(config?.accuracy.floor === undefined ? {} : { accuracyFloor: config.accuracy.floor }),
    ...(flowKind === 'none' ? { flowOff: 'turned off with --flow none' } : {}),
    ...(outputs.none ? { noPredictions: true } : {}),
  }));
}

type FitValues = Record<string, string | boolean | undefined>;

function outputDeclaration(values: FitValues, list: (raw: string | undefined) => string[]): OutputDeclaration {
  const text = (name: string) => values[name] as string | undefined;
  if (values['no-predictions']) {
    const clash = ['classes', 'prob-prefix', 'logit-prefix'].find((name) => values[name] !== undefined);
    if (clash !== undefined) throw new UsageError(`--no-predictions ignores model outputs; drop --${clash}, or drop --no-predictions to monitor the model's outputs too`);
    return { none: true };
  }
  const classes = text('classes');
  if (classes !== undefined && list(classes).length === 0) throw new UsageError('--classes needs the class names, comma-separated, e.g. --classes fraud,legit');
  return {
    ...(classes === undefined ? {} : { classes: list(classes) }),
    ...(text('prob-prefix') === undefined ? {} : { probPrefix: text('prob-prefix')! }),
    ...(text('logit-prefix') === undefined ? {} : { logitPrefix: text('logit-prefix')! }),
  };
}

function minimumOptions(values: FitValues): Partial<ReferenceMinimums> {
  const out: Partial<ReferenceMinimums> = {};
  for (const [key, option] of Object.entries(MINIMUM_OPTIONS) as [keyof ReferenceMinimums, string][]) {
    const raw = values[option.slice(2)] as string | undefined;
    if (raw === undefined) continue;
    const problem = minimumProblem(key, Number(raw));
    if (problem !== undefined) throw new UsageError(problem.replace(/got NaN$/, `got "${raw}"`));
    out[key] = Number(raw);
  }
  return out;
}

export class UsageError extends Error {}
