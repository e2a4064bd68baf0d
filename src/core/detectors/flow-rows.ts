/**
 * A window's flow rows as the flow's detectors score them (dequantised with the window's own seed),
 * and the one flow pass per window that they share.
 */
import type { FlowBundle } from '../flow/flow-bundle.js';
import type { LogLikelihoodScorer } from '../flow/scorer.js';
import { dequantizeRows, windowSeed } from '../flow/dequantize.js';
import type { WindowView } from './contract.js';

/** Windows with fewer complete flow rows get no flow test. */
export const MIN_FLOW_ROWS = 50;

export interface FlowRows {
  x: Float32Array;
  n: number;
  skipped: number;
}

export function flowRows(bundle: FlowBundle, window: WindowView): FlowRows | undefined {
  const f = window.summary.flow;
  if (f === undefined || f.n < MIN_FLOW_ROWS) return undefined;
  return { x: dequantizeRows(Float32Array.from(f.rows), f.dim, bundle.dequantize, windowSeed(window.id)), n: f.n, skipped: f.skipped };
}

/** One window's pass through the flow: its rows, their log p and, when the scorer gives them, their latent points. */
export interface FlowPass {
  rows: FlowRows;
  logp: Float64Array;
  latent: Float32Array | null;
  /** Seconds the scorer took. */
  seconds: number;
}

const passes = new WeakMap<LogLikelihoodScorer, WeakMap<WindowView, Promise<FlowPass | undefined>>>();

/**
 * The window's flow pass, run once per (scorer, window) however many detectors ask: covariate-shift
 * needs log p, conditional-shift the latent points, and a scorer created for both gives them from one
 * ONNX run. Undefined when the window has too few complete rows. Kept only as long as the window object.
 */
export function flowPass(bundle: FlowBundle, scorer: LogLikelihoodScorer, window: WindowView): Promise<FlowPass | undefined> {
  let byWindow = passes.get(scorer);
  if (byWindow === undefined) passes.set(scorer, (byWindow = new WeakMap()));
  let pass = byWindow.get(window);
  if (pass === undefined) {
    pass = (async () => {
      const rows = flowRows(bundle, window);
      if (rows === undefined) return undefined;
      const started = performance.now();
      const { logp, latent } = scorer.logProbAndLatent ? await scorer.logProbAndLatent(rows.x, rows.n) : { logp: await scorer.logProb(rows.x, rows.n), latent: null };
      return { rows, logp, latent, seconds: (performance.now() - started) / 1000 };
    })();
    byWindow.set(window, pass);
  }
  return pass;
}
