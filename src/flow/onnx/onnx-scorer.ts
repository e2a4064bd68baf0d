/**
 * Scores rows with an exported flow (export-flow.ts) in ONNX Runtime (onnxruntime-node).
 *
 * One InferenceSession, single-threaded by default (intra- and inter-op threads 1, sequential
 * execution, graph optimisation 'all'): the flow benchmark (docs/benchmarks.md, "flow") found one single-threaded session per worker
 * the fastest and stablest layout. Rows are fed in micro-batches (default 1024 rows, see `batchSize`).
 *
 * Execution providers: 'cpu' unless the caller asks for 'cuda', which is then tried first; if the
 * CUDA provider cannot be registered the session falls back to the next one asked for (or 'cpu').
 * `executionProvider` says which one the session was created with.
 */
import { entry } from '../../core/indexing.js';
import * as ort from 'onnxruntime-node';
import type { FlowModel } from '../../core/flow/flow-spec.js';
import type { LogLikelihoodScorer } from '../../core/flow/scorer.js';
import { exportFlow, FLOW_ONNX_NAMES, type FlowOnnxOutputs } from './export-flow.js';

export type OnnxExecutionProvider = 'cuda' | 'cpu';

export interface OnnxFlowScorerOptions {
  outputs: FlowOnnxOutputs;
  /** intra-op threads of the session; 1 unless told. */
  threads?: number;
  /** Providers to try, in order; ['cpu'] unless told. 'cpu' is always the last resort. */
  executionProviders?: OnnxExecutionProvider[];
  /**
   * Rows per session run; 1024 unless told. Measured on the flow of docs/benchmarks.md, "flow" (one thread): 1024
   * beats 4096 by ~5–10 % for log p and ~30 % for log p + score, whose [rows, 128] intermediates
   * then stay in cache; callers can still hand over 4096 rows (or any number) at a time.
   */
  batchSize?: number;
}

/** Thrown by `OnnxFlowScorer.create` for what the ONNX export does not cover (the score or VJP of spline couplings). */
export class OnnxFlowUnsupportedError extends Error {
  constructor(readonly reason: string) {
    super(`flow not exported to ONNX: ${reason}`);
    this.name = 'OnnxFlowUnsupportedError';
  }
}

export class OnnxFlowScorer implements LogLikelihoodScorer {
  readonly scorer = 'onnx';

  private constructor(
    private session: ort.InferenceSession | null,
    readonly dim: number,
    readonly outputs: FlowOnnxOutputs,
    readonly batchSize: number,
    /** The execution provider the session was created with. */
    readonly executionProvider: OnnxExecutionProvider,
    /** Why providers asked for before it were not used (empty when the first one worked). */
    readonly providerFallbacks: string[],
  ) {}

  /** The execution provider, for logs and metrics (LogLikelihoodScorer). */
  get backend(): string {
    return this.executionProvider;
  }

  static async create(model: FlowModel, options: OnnxFlowScorerOptions): Promise<OnnxFlowScorer> {
    const bytes = exportFlow(model, options.outputs);
    if (!(bytes instanceof Uint8Array)) throw new OnnxFlowUnsupportedError(bytes.unsupported);
    const threads = options.threads ?? 1;
    const batchSize = options.batchSize ?? 1024;
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

    const asked = options.executionProviders ?? ['cpu'];
    const candidates: OnnxExecutionProvider[] = [...new Set<OnnxExecutionProvider>([...asked, 'cpu'])];
    const fallbacks: string[] = [];
    for (const provider of candidates) {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: [provider],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        return new OnnxFlowScorer(session, model.dim, options.outputs, batchSize, provider, fallbacks);
      } catch (error) {
        if (provider === 'cpu') throw error;
        fallbacks.push(`${provider}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new Error('unreachable: the cpu provider is always tried');
  }

  /** log p_X for `n` rows (row-major, `dim` float32 values each). Needs outputs 'logp', 'logp+latent' or 'logp+score'. */
  async logProb(rows: Float32Array, n: number): Promise<Float64Array> {
    if (this.outputs === 'latent+vjp') throw new Error(`this scorer was exported for '${this.outputs}', not log p`);
    this.checkRows(rows, n, 'rows');
    const logp = new Float64Array(n);
    // On a 'logp+score' scorer this fetches only logp, but ORT may still run the whole graph:
    // create a 'logp' scorer when the score is not needed.
    await this.batches(n, [FLOW_ONNX_NAMES.logp], (offset, count) => ({ x: this.tensor(rows, offset, count) }), (offset, _count, out) => {
      logp.set(entry(out, FLOW_ONNX_NAMES.logp, 'ONNX outputs'), offset);
    });
    return logp;
  }

  /**
   * log p_X and the latent point z = f(x) for `n` rows, from one forward pass; `latent` is null
   * when this scorer's graph does not compute z (outputs other than 'logp+latent').
   */
  async logProbAndLatent(rows: Float32Array, n: number): Promise<{ logp: Float64Array; latent: Float32Array | null }> {
    if (this.outputs !== 'logp+latent') return { logp: await this.logProb(rows, n), latent: null };
    const { logp, perRow } = await this.logProbWith(rows, n, FLOW_ONNX_NAMES.z);
    return { logp, latent: perRow };
  }

  /** log p_X and ∇x log p_X (original units) for `n` rows. Needs outputs 'logp+score'. */
  async logProbAndScore(rows: Float32Array, n: number): Promise<{ logp: Float64Array; score: Float32Array }> {
    if (this.outputs !== 'logp+score') throw new Error(`this scorer was exported for '${this.outputs}', not 'logp+score'`);
    const { logp, perRow } = await this.logProbWith(rows, n, FLOW_ONNX_NAMES.score);
    return { logp, score: perRow };
  }

  /** log p_X and one [n, dim] output of the graph. */
  private async logProbWith(rows: Float32Array, n: number, output: string): Promise<{ logp: Float64Array; perRow: Float32Array }> {
    this.checkRows(rows, n, 'rows');
    const logp = new Float64Array(n);
    const perRow = new Float32Array(n * this.dim);
    await this.batches(
      n,
      [FLOW_ONNX_NAMES.logp, output],
      (offset, count) => ({ x: this.tensor(rows, offset, count) }),
      (offset, _count, out) => {
        logp.set(entry(out, FLOW_ONNX_NAMES.logp, 'ONNX outputs'), offset);
        perRow.set(entry(out, output, 'ONNX outputs'), offset * this.dim);
      },
    );
    return { logp, perRow };
  }

  /** The latent point z = f(x) and (∂z/∂x)ᵀ v for `n` rows. Needs outputs 'latent+vjp'. */
  async latentAndVjp(rows: Float32Array, v: Float32Array, n: number): Promise<{ z: Float32Array; vjp: Float32Array }> {
    if (this.outputs !== 'latent+vjp') throw new Error(`this scorer was exported for '${this.outputs}', not 'latent+vjp'`);
    this.checkRows(rows, n, 'rows');
    this.checkRows(v, n, 'v');
    const z = new Float32Array(n * this.dim);
    const vjp = new Float32Array(n * this.dim);
    await this.batches(
      n,
      [FLOW_ONNX_NAMES.z, FLOW_ONNX_NAMES.vjp],
      (offset, count) => ({ x: this.tensor(rows, offset, count), v: this.tensor(v, offset, count) }),
      (offset, _count, out) => {
        z.set(entry(out, FLOW_ONNX_NAMES.z, 'ONNX outputs'), offset * this.dim);
        vjp.set(entry(out, FLOW_ONNX_NAMES.vjp, 'ONNX outputs'), offset * this.dim);
      },
    );
    return { z, vjp };
  }

  /** Frees the native session; the scorer cannot be used afterwards. */
  async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    this.fetchCache.clear();
    if (session !== null) await session.release();
  }

  private checkRows(values: Float32Array, n: number, what: string): void {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`row count must be a non-negative integer, got ${n}`);
    if (values.length < n * this.dim) throw new RangeError(`${what} holds ${values.length} values, fewer than ${n} rows × ${this.dim}`);
  }

  private tensor(values: Float32Array, offset: number, count: number): ort.Tensor {
    return new ort.Tensor('float32', values.subarray(offset * this.dim, (offset + count) * this.dim), [count, this.dim]);
  }

  /**
   * Runs the session over micro-batches. ORT writes the outputs straight into pre-allocated tensors
   * (one set per batch size, reused), so a run allocates no output buffers.
   */
  private async batches(
    n: number,
    fetchNames: string[],
    feeds: (offset: number, count: number) => Record<string, ort.Tensor>,
    collect: (offset: number, count: number, out: Record<string, Float32Array>) => void,
  ): Promise<void> {
    const session = this.session;
    if (session === null) throw new Error('OnnxFlowScorer used after release()');
    for (let offset = 0; offset < n; offset += this.batchSize) {
      const count = Math.min(this.batchSize, n - offset);
      const fetches = this.outputTensors(fetchNames, count);
      await session.run(feeds(offset, count), fetches);
      const out: Record<string, Float32Array> = {};
      for (const name of fetchNames) out[name] = entry(fetches, name, 'ONNX fetches').data as Float32Array;
      collect(offset, count, out);
    }
  }

  private readonly fetchCache = new Map<string, Record<string, ort.Tensor>>();

  private outputTensors(names: string[], count: number): Record<string, ort.Tensor> {
    const key = `${names.join(',')}:${count}`;
    let tensors = this.fetchCache.get(key);
    if (tensors === undefined) {
      tensors = {};
      for (const name of names) {
        const dims = name === FLOW_ONNX_NAMES.logp ? [count] : [count, this.dim];
        tensors[name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
      }
      // Two batch sizes at most in steady state (full batches and the remainder); bound it anyway.
      if (this.fetchCache.size >= 8) this.fetchCache.clear();
      this.fetchCache.set(key, tensors);
    }
    return tensors;
  }
}
