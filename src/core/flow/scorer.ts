/**
 * What the monitor needs from a flow scorer: log p(x) for a batch of rows in original units,
 * row-major float32. Implementations: ONNX Runtime (production), tfjs (fallback and reference).
 */
export interface LogLikelihoodScorer {
  /** For logs and the `shiftwatch_flow_info` metric, e.g. "onnx" / "tfjs". */
  readonly scorer: string;
  /** The execution provider or tfjs backend, e.g. "cpu", "cuda", "wasm". */
  readonly backend: string;
  logProb(rows: Float32Array, n: number): Promise<Float64Array>;
  /**
   * log p(x) and the latent point z = f(x) (row-major, the flow's dimension per row) from one pass,
   * for a window that also runs the conditional feature test; `latent` is null when this scorer was
   * not created to compute it.
   */
  logProbAndLatent?(rows: Float32Array, n: number): Promise<{ logp: Float64Array; latent: Float32Array | null }>;
}
