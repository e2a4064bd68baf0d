/**
 * `npm run bench -- flow-fit`: the whole flow fit of `shiftwatch fit` (`fitFlow`: calibration split,
 * standardisation, training with early stopping, calibration log-likelihoods; the conditional
 * feature test's null is not part of it) on N rows × D correlated features, with the fit command's
 * defaults, once per trainer in the same run: wall time, train rows/s, best validation NLL and
 * peak RSS, and the speed ratio of the trainers. `measureFlowFit` is reusable (the scale scenario
 * reports `fitSeconds50kx32` from it).
 */
import { loadavg } from 'node:os';
import { DEFAULT_ARCHITECTURE } from '../src/core/flow/init-flow.js';
import type { FeatureSpec } from '../src/core/reference/schema.js';
import type { Row } from '../src/core/reference/row.js';
import { gaussian, seededRandom } from '../src/core/random.js';
import { fitFlow } from '../src/flow/fit-flow.js';
import type { FlowTrainerName } from '../src/flow/training-engine.js';
import { intFlag, parseFlags, UsageError } from './args.js';
import { machineInfo, RssSampler } from './machine.js';
import { round } from './stats.js';

/** The fit command's flow defaults (src/cli/fit-command.ts) and the benchmark's data size. */
export const FLOW_FIT_DEFAULTS = { rows: 50_000, dim: 32, epochs: 40, batchSize: 1024, learningRate: 0.004, seed: 1 } as const;

export interface FlowFitSettings {
  rows: number;
  dim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface FlowFitMeasurement {
  trainer: FlowTrainerName;
  backend: string;
  /** Wall time of the whole `fitFlow` call. */
  seconds: number;
  /**
   * CPU time of the process (user + system) during it: one core's work, far less sensitive than the
   * wall time to other jobs on a shared machine (both trainers run on one thread).
   */
  cpuSeconds: number;
  /** The machine's 1-minute load average when the fit started and when it ended. */
  loadAverage: [number, number];
  /** Of which training (trainFlow). */
  trainingSeconds: number;
  epochs: number;
  bestEpoch: number;
  bestValidationNll: number;
  rows: { train: number; validation: number; calibration: number };
  trainRowsPerSecond: number;
  peakRssMiB: number;
}

/**
 * A chain of correlated features, every fourth one log-normal, so training has structure to learn
 * (the data of the earlier tfjs-only measurement, as reference rows).
 */
export function flowFitRows(rows: number, dim: number, seed: number): { rows: Row[]; specs: FeatureSpec[] } {
  const normal = gaussian(seededRandom(seed));
  const names = Array.from({ length: dim }, (_, j) => `f${String(j).padStart(2, '0')}`);
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    const row: Row = {};
    let prev = normal();
    for (let j = 0; j < dim; j++) {
      prev = 0.7 * prev + Math.sqrt(1 - 0.49) * normal();
      row[names[j]!] = j % 4 === 3 ? Math.exp(0.5 * prev) : prev;
    }
    out.push(row);
  }
  return { rows: out, specs: names.map((name) => ({ name, kind: 'numeric' })) };
}

/** One `fitFlow` on the benchmark data with the given trainer; progress per epoch on stderr. */
export async function measureFlowFit(trainer: FlowTrainerName, settings: Partial<FlowFitSettings> = {}): Promise<FlowFitMeasurement> {
  const s = { ...FLOW_FIT_DEFAULTS, ...settings };
  const { rows, specs } = flowFitRows(s.rows, s.dim, s.seed);
  const rss = new RssSampler();
  rss.phase('fit');
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const loadStart = loadavg()[0]!;
  const flow = await fitFlow(rows, specs, {
    seed: s.seed,
    architecture: { kind: 'affine', layers: DEFAULT_ARCHITECTURE.layers, hidden: DEFAULT_ARCHITECTURE.hidden },
    maxEpochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    trainer,
    onEpoch: (e) => process.stderr.write(`${trainer} epoch ${e.epoch}/${e.maxEpochs} train NLL ${e.trainNll.toFixed(3)} val NLL ${e.validationNll.toFixed(3)} ${Math.round(e.rowsPerSecond)} rows/s\n`),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const peakRssMiB = rss.peak('fit');
  rss.stop();
  if ('skipped' in flow) throw new Error(`flow fit skipped: ${flow.skipped}`);
  const t = flow.training;
  return {
    trainer,
    backend: t.backend,
    seconds: round(seconds, 2)!,
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2)!,
    loadAverage: [round(loadStart, 2)!, round(loadavg()[0]!, 2)!],
    trainingSeconds: round(t.seconds, 2)!,
    epochs: t.epochs.length,
    bestEpoch: t.bestEpoch,
    bestValidationNll: t.epochs[t.bestEpoch - 1]?.validationNll ?? NaN,
    rows: t.rows,
    trainRowsPerSecond: Math.round((t.rows.train * t.epochs.length) / t.seconds),
    peakRssMiB,
  };
}

/** `fitSeconds50kx32`: the whole flow fit of 50,000 × 32 rows with the defaults, one core (ONNX trainer). */
export async function fitSeconds50kx32(): Promise<number> {
  return (await measureFlowFit('onnx')).seconds;
}

export async function runFlowFit(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['rows', 'dim', 'epochs', 'batch', 'lr', 'seed', 'trainers']);
  const settings: FlowFitSettings = {
    rows: intFlag(flags, 'rows', FLOW_FIT_DEFAULTS.rows),
    dim: intFlag(flags, 'dim', FLOW_FIT_DEFAULTS.dim),
    epochs: intFlag(flags, 'epochs', FLOW_FIT_DEFAULTS.epochs),
    batchSize: intFlag(flags, 'batch', FLOW_FIT_DEFAULTS.batchSize),
    learningRate: Number(flags.get('lr') ?? FLOW_FIT_DEFAULTS.learningRate),
    seed: intFlag(flags, 'seed', FLOW_FIT_DEFAULTS.seed),
  };
  const trainers = (flags.get('trainers') ?? 'onnx,tfjs').split(',').map((t) => t.trim());
  if (trainers.length === 0 || trainers.some((t) => t !== 'onnx' && t !== 'tfjs')) throw new UsageError(`--trainers takes onnx and/or tfjs, got "${trainers.join(',')}"`);
  const results: Partial<Record<FlowTrainerName, FlowFitMeasurement>> = {};
  for (const trainer of trainers as FlowTrainerName[]) results[trainer] = await measureFlowFit(trainer, settings);
  const { onnx, tfjs } = results;
  const defaults = (Object.keys(FLOW_FIT_DEFAULTS) as (keyof FlowFitSettings)[]).every((k) => settings[k] === FLOW_FIT_DEFAULTS[k]);
  return {
    scenario: 'flow-fit',
    machine: machineInfo(),
    ...settings,
    architecture: { kind: 'affine', layers: DEFAULT_ARCHITECTURE.layers, hidden: DEFAULT_ARCHITECTURE.hidden, depth: DEFAULT_ARCHITECTURE.depth },
    // The figure: only for the default data size and settings, ONNX trainer.
    ...(defaults && onnx ? { fitSeconds50kx32: onnx.seconds } : {}),
    ...(onnx ? { fitSecondsOnnx: onnx.seconds, validationNllOnnx: onnx.bestValidationNll } : {}),
    ...(tfjs ? { fitSecondsTfjs: tfjs.seconds, validationNllTfjs: tfjs.bestValidationNll } : {}),
    // The speed ratio from CPU seconds (the wall-time ratio moves with other jobs' load between the two fits).
    ...(onnx && tfjs
      ? {
          speedRatioOnnxOverTfjs: round(tfjs.cpuSeconds / onnx.cpuSeconds, 2),
          wallSpeedRatioOnnxOverTfjs: round(tfjs.seconds / onnx.seconds, 2),
          validationNllOnnxMinusTfjs: onnx.bestValidationNll - tfjs.bestValidationNll,
        }
      : {}),
    trainers: results,
  };
}
