/** Scores rows with the tfjs flow: the reference implementation, and the fallback when ONNX export is not possible. */
import * as tf from '@tensorflow/tfjs';
import type { FlowModel } from '../core/flow/flow-spec.js';
import type { LogLikelihoodScorer } from '../core/flow/scorer.js';
import { selectBackend } from './tf/backend.js';
import { TfFlow } from './tf/tf-flow.js';

export class TfFlowScorer implements LogLikelihoodScorer {
  readonly scorer = 'tfjs';

  private constructor(
    private readonly flow: TfFlow,
    readonly backend: string,
    private readonly batchSize: number,
  ) {}

  static async create(model: FlowModel, batchSize = 4096): Promise<TfFlowScorer> {
    const backend = await selectBackend();
    return new TfFlowScorer(new TfFlow(model), backend.name, batchSize);
  }

  async logProb(rows: Float32Array, n: number): Promise<Float64Array> {
    const dim = this.flow.dim;
    if (rows.length !== n * dim) throw new RangeError(`expected ${n}×${dim} values, got ${rows.length}`);
    const out = new Float64Array(n);
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      const logp = tf.tidy(() => this.flow.logProb(tf.tensor2d(rows.subarray(start * dim, (start + size) * dim), [size, dim])));
      out.set(await logp.data(), start);
      logp.dispose();
    }
    return out;
  }

  release(): void {
    this.flow.dispose();
  }
}
