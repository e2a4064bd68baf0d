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
}
