/** A window's flow rows as the flow's detectors score them: dequantised with the window's own seed. */
import type { FlowBundle } from '../flow/flow-spec.js';
import { dequantizeRows, windowSeed } from '../flow/dequantize.js';
import type { WindowView } from './contract.js';

/** Windows with fewer complete flow rows get no flow test. */
export const MIN_FLOW_ROWS = 50;

export function flowRows(bundle: FlowBundle, window: WindowView): { x: Float32Array; n: number; skipped: number } | undefined {
  const f = window.summary.flow;
  if (f === undefined || f.n < MIN_FLOW_ROWS) return undefined;
  return { x: dequantizeRows(Float32Array.from(f.rows), f.dim, bundle.dequantize, windowSeed(window.id)), n: f.n, skipped: f.skipped };
}
