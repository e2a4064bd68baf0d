/**
 * The tfjs training engine (float32, the fastest tfjs backend this process can load): the
 * reference implementation of flow training, and the one for spline couplings.
 */
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexing.js';
import type { Logger } from '../../logging.js';
import type { TrainingEngine, TrainingEngineInput } from '../training-engine.js';
import { ClippedAdam } from './adam.js';
import { selectBackend } from './backend.js';
import { TfFlow } from './tf-flow.js';

const VALIDATION_BATCH = 4096;

/** Mean u-space NLL of row-major standardised rows. */
async function meanNll(flow: TfFlow, rows: tf.Tensor2D): Promise<number> {
  const n = rows.shape[0];
  const parts: tf.Scalar[] = [];
  for (let start = 0; start < n; start += VALIDATION_BATCH) {
    const size = Math.min(VALIDATION_BATCH, n - start);
    parts.push(tf.tidy(() => tf.sum(flow.logProbStandardized(tf.slice(rows, [start, 0], [size, rows.shape[1]])))));
  }
  const total = tf.addN(parts);
  const value = at(await total.data(), 0, 'validation log-likelihood sum');
  tf.dispose([...parts, total]);
  return -value / n;
}

export async function createTfTrainingEngine({ initial, data, adam }: TrainingEngineInput, logger?: Logger): Promise<TrainingEngine> {
  const backend = await selectBackend(logger);
  const dim = initial.dim;
  const flow = new TfFlow(initial);
  const optimizer = new ClippedAdam(flow.variables, adam);
  const train = tf.tensor2d(data.train, [data.rows.train, dim]);
  const validation = tf.tensor2d(data.validation, [data.rows.validation, dim]);
  let best = flow.snapshot();
  return {
    backend: backend.name,
    async epoch(order, batchSize, nextRate) {
      const n = order.length;
      const losses: tf.Scalar[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const indices = tf.tensor1d(order.subarray(start, Math.min(start + batchSize, n)), 'int32');
        const rate = nextRate();
        losses.push(
          tf.tidy(() => {
            const batch = tf.gather(train, indices);
            const loss = optimizer.step(() => tf.neg(tf.mean(flow.logProbStandardized(batch))) as tf.Scalar, rate);
            return tf.mul(loss, indices.shape[0]) as tf.Scalar;
          }),
        );
        indices.dispose();
      }
      const lossSum = tf.addN(losses);
      const total = at(await lossSum.data(), 0, 'training loss sum');
      tf.dispose([...losses, lossSum]);
      return total;
    },
    validationNll: () => meanNll(flow, validation),
    keepBest() {
      tf.dispose(best);
      best = flow.snapshot();
    },
    restoreBest: () => flow.restore(best),
    model: () => flow.toModel(),
    async dispose() {
      tf.dispose([...best, train, validation]);
      optimizer.dispose();
      flow.dispose();
    },
  };
}
