/**
 * Pushes a clean stream through the monitor's core for the false-alarms scenario. Every window of
 * every bundle is built with SinglePartitionWindower.add and tested with evaluateWindow, which is what
 * Monitor.handle does after decoding, without paying for JSON on both sides (encoding + decoding is
 * over half the cost per event). The first `monitorWindows` windows are also sent, JSON-encoded as
 * RawMessages, through a real Monitor per bundle: its window p-values must be identical, its
 * alarms are returned for the CUSUM replay check, and the first bundle's Monitor is timed.
 */
import { Monitor, type RawMessage } from '../src/core/pipeline/monitor.js';
import { evaluateWindow, type WindowEvaluation } from '../src/core/detect/feature-tests.js';
import { SinglePartitionWindower } from '../src/core/window/single-partition.js';
import type { ReferenceBundle } from '../src/core/reference/bundle-types.js';
import { BENCH_TESTS } from './bundle.js';
import { eventJson, toFeatures, type Generator } from './synthetic.js';

export const FA_MODEL = 'fa-bench';
export const CUSUM_K = 0.5;
export const COOLDOWN_WINDOWS = 3;

export interface Variant {
  label: string;
  bundle: ReferenceBundle;
  /** How many windows of the stream this variant sees (a prefix). */
  windows: number;
}

export interface VariantRun {
  label: string;
  /** Lag-1 correlation of the bundle's window evidence (sets the CUSUM threshold). */
  lag1: number;
  windowPs: number[];
  anyFlagged: number;
  /** Windows also run through Monitor.handle, and the firing alerts it emitted on them. */
  monitorWindows: number;
  monitorFires: number;
}

export interface StreamTiming {
  /** Per window, first bundle: ms in SinglePartitionWindower.add + evaluateWindow. */
  coreWindowMs: number[];
  coreTestMs: number[];
  /** Per window on the Monitor prefix, first bundle: ms in Monitor.handle, in its closing call, and to encode the events. */
  monitorWindowMs: number[];
  monitorCloseMs: number[];
  encodeMs: number[];
  wallS: number;
}

const START_TS = Date.UTC(2026, 0, 1);
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

export function newMonitor(bundle: ReferenceBundle, windowSize: number, target: number): Monitor {
  return new Monitor([{ name: FA_MODEL, bundle, window: { type: 'count', size: windowSize, minEvents: Math.min(100, windowSize) } }], {
    maxMessageBytes: 1_048_576,
    tests: BENCH_TESTS,
    sequential: { k: CUSUM_K, expectedRunTimeWindows: target, alpha: BENCH_TESTS.alpha, cooldownWindows: COOLDOWN_WINDOWS, resolveAfterCleanWindows: 2 },
  });
}

function record(run: VariantRun, evaluation: WindowEvaluation): void {
  run.windowPs.push(evaluation.windowP);
  if (evaluation.features.some((f) => f.flagged)) run.anyFlagged += 1;
}

export async function runStream(args: {
  gen: Generator;
  variants: Variant[];
  windowSize: number;
  /** Index of the first live row: the live stream continues the reference in time. */
  firstRow: number;
  monitorTarget: number;
  monitorWindows: number;
}): Promise<{ runs: VariantRun[]; timing: StreamTiming }> {
  const { gen, variants, windowSize, firstRow } = args;
  const spec = { type: 'count', size: windowSize, minEvents: Math.min(100, windowSize) } as const;
  const windowers = variants.map((v) => new SinglePartitionWindower(v.bundle.features, spec));
  const monitors = variants.map((v) => newMonitor(v.bundle, windowSize, args.monitorTarget));
  const monitorPs = variants.map(() => [] as number[]);
  const runs: VariantRun[] = variants.map((v) => ({ label: v.label, lag1: v.bundle.featureNulls?.lag1 ?? 0, windowPs: [], anyFlagged: 0, monitorWindows: Math.min(args.monitorWindows, v.windows), monitorFires: 0 }));
  const timing: StreamTiming = { coreWindowMs: [], coreTestMs: [], monitorWindowMs: [], monitorCloseMs: [], encodeMs: [], wallS: 0 };
  const total = Math.max(...variants.map((v) => v.windows)) * windowSize;
  let coreMs = 0;
  let monitorMs = 0;
  let encodeMs = 0;
  const wall = performance.now();
  for (let e = 0; e < total; e++) {
    const i = firstRow + e;
    const values = gen.row(i);
    const ts = START_TS + i * gen.stepMs;
    let message: RawMessage | undefined;
    if (e < runs[0]!.monitorWindows * windowSize) {
      const t = process.hrtime.bigint();
      message = { topic: 'bench', partition: 0, offset: String(e), timestamp: String(ts), key: null, value: Buffer.from(eventJson(FA_MODEL, `e${e}`, ts, gen.names, values)) };
      encodeMs += since(t);
    }
    const features = toFeatures(gen.names, values);
    for (let k = 0; k < variants.length; k++) {
      if (e >= variants[k]!.windows * windowSize) continue;
      const t0 = process.hrtime.bigint();
      const closedNow = windowers[k]!.add(features, ts);
      for (const closed of closedNow) {
        const t1 = process.hrtime.bigint();
        record(runs[k]!, evaluateWindow(variants[k]!.bundle.features, closed.summary, BENCH_TESTS, variants[k]!.bundle.featureNulls?.features));
        if (k === 0) timing.coreTestMs.push(since(t1));
      }
      if (k === 0) {
        coreMs += since(t0);
        if (closedNow.length > 0) {
          timing.coreWindowMs.push(coreMs);
          coreMs = 0;
        }
      }
      if (message === undefined || e >= runs[k]!.monitorWindows * windowSize) continue;
      const t2 = process.hrtime.bigint();
      const out = monitors[k]!.handle(message);
      if (monitors[k]!.hasPending()) await monitors[k]!.complete(out);
      const took = since(t2);
      if (out.deadLetters.length > 0) throw new Error(`unexpected dead letter: ${out.deadLetters[0]!.reason} ${out.deadLetters[0]!.detail}`);
      for (const w of out.windows) monitorPs[k]!.push((w.detectors['feature-shift']!.result.details as WindowEvaluation).windowP);
      runs[k]!.monitorFires += out.alerts.filter((a) => a.status === 'firing').length;
      if (k !== 0) continue;
      monitorMs += took;
      if (out.windows.length > 0) {
        timing.monitorCloseMs.push(took);
        timing.monitorWindowMs.push(monitorMs);
        timing.encodeMs.push(encodeMs);
        monitorMs = 0;
        encodeMs = 0;
      }
    }
  }
  timing.wallS = (performance.now() - wall) / 1000;
  monitorPs.forEach((ps, k) => {
    if (ps.length !== runs[k]!.monitorWindows) throw new Error(`${variants[k]!.label}: the Monitor closed ${ps.length} windows, expected ${runs[k]!.monitorWindows}`);
    ps.forEach((p, w) => {
      if (p !== runs[k]!.windowPs[w]) throw new Error(`${variants[k]!.label}: window ${w} has p ${runs[k]!.windowPs[w]} from the core pieces but ${p} from Monitor.handle`);
    });
  });
  return { runs, timing };
}
