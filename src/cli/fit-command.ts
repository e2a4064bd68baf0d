/** `shiftwatch fit`: reference data → reference bundle. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fitBundle } from '../core/fit/fit-bundle.js';
import { DEFAULT_MIN_FEATURE_VALUES } from '../core/detect/feature-tests.js';
import { loadConfig } from '../config/index.js';
import type { FeatureKind } from '../core/reference/schema.js';
import { progressPrinter } from './progress.js';
import { fitFlow } from '../flow/fit-flow.js';

export const FIT_USAGE = `shiftwatch fit --input <file.csv|file.jsonl> --model <name> --out <bundle dir> [options]

  --config <file>          take window size, alpha, correction and schema overrides from this
                           service config (the model's own window and schema if it is listed there)
  --window-size <n>        events per window the service will test (default 1000, or from --config)
  --min-events <n>         smallest window that is tested (default 100, or from --config)
  --categorical <a,b>      force these columns to be categorical
  --numeric <a,b>          force these columns to be numeric
  --exclude <a,b>          columns that are not features
  --bins <n>               histogram bins per numeric feature (default 512)
  --replicates <n>         simulated null windows (default 1000)
  --seed <n>               random seed for the null simulation (default 1)
  --version <text>         bundle version label (default: the fit time)

  density flow (joint covariate-shift tests on the numeric features):
  --flow <kind>            affine (RealNVP, default) | spline (rational-quadratic; scored with tfjs) | none
  --flow-layers <n>        coupling layers (default 6)
  --flow-hidden <n>        hidden units per conditioner layer (default 128)
  --flow-epochs <n>        most training epochs; early stopping on validation NLL (default 40)
  --flow-batch <n>         rows per training step (default 1024)
  --flow-lr <x>            initial Adam learning rate, cosine-decayed to 0 (default 0.004)
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
      flow: { type: 'string' }, 'flow-layers': { type: 'string' }, 'flow-hidden': { type: 'string' },
      'flow-epochs': { type: 'string' }, 'flow-batch': { type: 'string' }, 'flow-lr': { type: 'string' }, 'tail-adaptive': { type: 'boolean' }, 'localize-replicates': { type: 'string' }, 'localize-method': { type: 'string' },
    },
  });
  if (!values.input || !values.model || !values.out) throw new UsageError(`fit needs --input, --model and --out\n\n${FIT_USAGE}`);
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
  const seed = int('seed', values.seed, 1);
  const flowPrinter = progressPrinter('flow      ');
  const localizePrinter = progressPrinter('localize  ');
  const windowSize = int('window-size', values['window-size'], configuredSize ?? 1000);
  const alpha = config?.detection.alpha ?? 0.05;
  const rawReplicates = values['localize-replicates'];
  const replicates = rawReplicates === '0' ? 0 : int('localize-replicates', rawReplicates, 2000);
  const method = values['localize-method'] ?? 'flow';
  if (method !== 'gaussian' && method !== 'flow') throw new UsageError(`--localize-method must be gaussian or flow, got "${method}"`);
  const flowTrainer = flowKind === 'none' ? undefined : (rows: Parameters<typeof fitFlow>[0], specs: Parameters<typeof fitFlow>[1]) =>
    fitFlow(rows, specs, {
      seed,
      architecture: { kind: flowKind as 'affine' | 'spline', layers: int('flow-layers', values['flow-layers'], 6), hidden: int('flow-hidden', values['flow-hidden'], 128) },
      maxEpochs: int('flow-epochs', values['flow-epochs'], 40),
      batchSize: int('flow-batch', values['flow-batch'], 1024),
      learningRate: positive('flow-lr', values['flow-lr'], 0.004),
      tailAdaptive: values['tail-adaptive'] ?? false,
      ...(replicates > 0 ? { localization: { windowSize, alpha, replicates, method, onProgress: localizePrinter } } : {}),
      onEpoch: (e) => flowPrinter(e.epoch, e.maxEpochs, `epoch ${e.epoch}/${e.maxEpochs} train NLL ${e.trainNll.toFixed(3)} val NLL ${e.validationNll.toFixed(3)} ${Math.round(e.rowsPerSecond)} rows/s`),
    });
  const { bundle, path } = await fitBundle({
    input: resolve(values.input),
    model: values.model,
    outDir: resolve(values.out),
    windowSize,
    minEvents: int('min-events', values['min-events'], window?.minEvents ?? 100),
    maxBins: int('bins', values.bins, 512),
    nullReplicates: int('replicates', values.replicates, 1000),
    seed,
    ...(flowTrainer ? { flowTrainer } : {}),
    onFlowSkipped: (reason) => process.stderr.write(`no density flow: ${reason}\n`),
    ...(values.version ? { version: values.version } : {}),
    schema: { overrides, exclude: [...(modelConfig?.schema.exclude ?? []), ...list(values.exclude)] },
    tests: { alpha, correction: config?.detection.correction ?? 'bh', minFeatureValues: DEFAULT_MIN_FEATURE_VALUES },
    onProgress: (stage, done, total) => printers[stage](done, total),
  });
  const kinds = bundle.features.map((f) => `${f.name}:${f.kind}`).join(', ');
  process.stdout.write(`wrote ${path}\n  model ${bundle.model}, version ${bundle.version}, ${bundle.source.rows} rows\n  features ${kinds}\n  null: ${bundle.nulls.blocks} simulated windows of ${bundle.nulls.windowSize}\n`);
  const f = bundle.flow;
  if (f !== undefined) {
    const best = f.training.epochs[f.training.bestEpoch - 1];
    process.stdout.write(`  flow: ${f.model.layers.length} ${f.model.layers[0]?.kind} couplings on ${f.model.dim} numeric features, ${f.training.epochs.length} epochs in ${f.training.seconds.toFixed(1)} s (${f.training.backend}), best validation NLL ${best?.validationNll.toFixed(3) ?? 'n/a'}, calibration split ${f.training.rows.calibration} rows\n`);
    const loc = f.localization;
    if (loc) process.stdout.write(`  conditional feature test (${loc.method}): ${loc.features.length} numeric + ${loc.categorical.length} categorical features, null of ${loc.nulls[0]?.replicates ?? 0} windows of ${loc.nulls[0]?.windowSize ?? 0} in ${loc.fit.seconds.toFixed(1)} s\n`);
  }
  const p = bundle.predictions;
  if (p !== undefined) {
    const mano = 'fit' in p.mano ? `MaNo calibrated (${p.mano.fit.normalisation})` : `MaNo refused: ${p.mano.refused}`;
    process.stdout.write(`  predictions: ${p.classes} classes from ${p.input}, source accuracy ${p.sourceAccuracy.toFixed(4)}, BCTS T=${p.calibration.T.toFixed(3)}, ATC-NE threshold ${p.atc.ne.threshold.toFixed(4)}, ${mano}\n`);
  }
}

export class UsageError extends Error {}
