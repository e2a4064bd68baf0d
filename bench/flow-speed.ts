/**
 * `npm run bench -- flow`: rows/s of the benchmark flow (d = 32, 6 affine couplings, hidden 128)
 * for log p and for log p + score, one core each: the ONNX Runtime scorer (production), the tfjs
 * scorer (reference; score by tf.grad), and PyTorch CPU on the same weights in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ARCHITECTURE, initFlow } from '../src/core/flow/init-flow.js';
import type { Activation, FlowModel } from '../src/core/flow/flow-spec.js';
import { gaussian, seededRandom } from '../src/core/random.js';
import { OnnxFlowScorer } from '../src/flow/onnx/onnx-scorer.js';
import { TfFlow } from '../src/flow/tf/tf-flow.js';
import { selectBackend } from '../src/flow/tf/backend.js';
import { intFlag, parseFlags } from './args.js';
import { machineInfo, rssMiB } from './machine.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The benchmark architecture with seeded non-zero output layers (speed does not depend on training). */
export function benchFlow(dim: number, activation: Activation, seed: number): FlowModel {
  const features = Array.from({ length: dim }, (_, j) => `f${j}`);
  const model = initFlow({ features, mean: features.map(() => 0), scale: features.map(() => 1) }, { ...DEFAULT_ARCHITECTURE, activation }, { kind: 'normal' }, seed);
  const normal = gaussian(seededRandom(seed + 1));
  for (const layer of model.layers) layer.conditioner.output.weights = layer.conditioner.output.weights.map(() => Math.fround(0.02 * normal()));
  return model;
}

async function rate(run: () => Promise<unknown>, rows: number, seconds: number): Promise<number> {
  await run();
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await run();
    done += rows;
  }
  return done / ((performance.now() - start) / 1000);
}

function torchPython(explicit: string | undefined): string | undefined {
  const candidates = [explicit, process.env.SHIFTWATCH_TORCH_PYTHON, 'bench/.venv/bin/python', 'python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    if (python.includes('/') && !existsSync(python)) continue;
    try {
      execFileSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
      return python;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export async function runFlowSpeed(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['dim', 'batch', 'seconds', 'activation', 'python', 'seed']);
  const dim = intFlag(flags, 'dim', 32);
  const batch = intFlag(flags, 'batch', 4096);
  const seconds = intFlag(flags, 'seconds', 3);
  const activation = (flags.get('activation') ?? 'tanh') as Activation;
  const model = benchFlow(dim, activation, intFlag(flags, 'seed', 1));
  const normal = gaussian(seededRandom(7));
  const rows = Float32Array.from({ length: batch * dim }, () => normal());
  const figures: Record<string, unknown> = { scenario: 'flow', machine: machineInfo(), dim, batch, layers: model.layers.length, hidden: DEFAULT_ARCHITECTURE.hidden, activation };

  log('onnx: log p, then log p + score (1 intra-op thread)...');
  // The production micro-batch (the scorer's default) inside each call of `batch` rows.
  const onnx = await OnnxFlowScorer.create(model, { outputs: 'logp', threads: 1 });
  const onnxScore = await OnnxFlowScorer.create(model, { outputs: 'logp+score', threads: 1 });
  const onnxLogp = await rate(() => onnx.logProb(rows, batch), batch, seconds);
  const onnxBoth = await rate(() => onnxScore.logProbAndScore(rows, batch), batch, seconds);
  const onnxFirst = Array.from((await onnx.logProb(rows, batch)).subarray(0, 8));
  await onnx.release();
  await onnxScore.release();

  const backend = await selectBackend();
  log(`tfjs (${backend.name}): log p, then log p + score by tf.grad...`);
  const flow = new TfFlow(model);
  const x = tf.tensor2d(rows, [batch, dim]);
  const tfLogp = await rate(async () => { const t = tf.tidy(() => flow.logProb(x)); await t.data(); t.dispose(); }, batch, seconds);
  const tfBoth = await rate(async () => {
    const [a, b] = tf.tidy(() => [flow.logProb(x), flow.score(x)]);
    await Promise.all([a!.data(), b!.data()]);
    tf.dispose([a!, b!]);
  }, batch, seconds);
  x.dispose();
  flow.dispose();
  figures.onnx = { logpRowsPerSecond: Math.round(onnxLogp), logpScoreRowsPerSecond: Math.round(onnxBoth) };
  figures.tfjs = { backend: backend.name, logpRowsPerSecond: Math.round(tfLogp), logpScoreRowsPerSecond: Math.round(tfBoth) };

  const python = torchPython(flags.get('python'));
  if (python === undefined) {
    log('pytorch: no python with torch and numpy found (pass --python or create bench/.venv); skipped');
    figures.pytorch = null;
  } else {
    log(`pytorch (${python}, 1 thread): log p, then log p + score by autograd...`);
    const dir = await mkdtemp(join(tmpdir(), 'shiftwatch-bench-flow-'));
    try {
      await writeFile(join(dir, 'model.json'), JSON.stringify(model));
      await writeFile(join(dir, 'rows.f32'), Buffer.from(rows.buffer));
      const out = execFileSync(python, ['bench/torch_flow.py', join(dir, 'model.json'), join(dir, 'rows.f32'), String(batch), String(seconds)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 600_000 });
      const torch = JSON.parse(out.trim().split('\n').pop()!) as { torch: string; logpRowsPerSecond: number; logpScoreRowsPerSecond: number; logpFirstRows: number[] };
      const agreement = Math.max(...torch.logpFirstRows.map((v, i) => Math.abs(v - onnxFirst[i]!) / Math.max(1, Math.abs(v))));
      figures.pytorch = { version: torch.torch, logpRowsPerSecond: Math.round(torch.logpRowsPerSecond), logpScoreRowsPerSecond: Math.round(torch.logpScoreRowsPerSecond), maxRelativeDifferenceFromOnnx: agreement };
      figures.onnxOverPytorch = { logp: round2(onnxLogp / torch.logpRowsPerSecond), logpScore: round2(onnxBoth / torch.logpScoreRowsPerSecond) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  figures.rssMiB = rssMiB();
  log(JSON.stringify({ onnx: figures.onnx, tfjs: figures.tfjs, pytorch: figures.pytorch, onnxOverPytorch: figures.onnxOverPytorch }, null, 1));
  return figures;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
