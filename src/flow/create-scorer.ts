/**
 * Picks the scorer for a model's flow: ONNX Runtime (one single-threaded session, CUDA execution
 * provider when one is available) for what the export covers, tfjs otherwise, with a warning.
 * With `latent`, the ONNX session also returns the latent point z of every row from the same pass
 * (`logProbAndLatent`), for models whose windows run the conditional feature test.
 */
import type { FlowModel } from '../core/flow/flow-spec.js';
import type { LogLikelihoodScorer } from '../core/flow/scorer.js';
import type { FlowScorerChoice } from '../config/types.js';
import type { Logger } from '../logging.js';
import { OnnxFlowScorer, OnnxFlowUnsupportedError } from './onnx/onnx-scorer.js';
import { TfFlowScorer } from './tf-scorer.js';
import { nvidiaGpuVisible } from './tf/backend.js';

export async function createFlowScorer(
  model: FlowModel,
  choice: Exclude<FlowScorerChoice, 'off'>,
  batchSize: number,
  logger: Logger,
  name: string,
  options: { latent?: boolean } = {},
): Promise<LogLikelihoodScorer> {
  if (choice !== 'tfjs') {
    try {
      const outputs = options.latent ? 'logp+latent' : 'logp';
      return await OnnxFlowScorer.create(model, { outputs, batchSize, executionProviders: nvidiaGpuVisible() ? ['cuda', 'cpu'] : ['cpu'] });
    } catch (error) {
      if (choice === 'onnx' || !(error instanceof OnnxFlowUnsupportedError)) throw error;
      logger.warn(`model ${name}: ${error.message}; scoring its flow with tfjs instead (slower)`);
    }
  }
  return TfFlowScorer.create(model, batchSize);
}
