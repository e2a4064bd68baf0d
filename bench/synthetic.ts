/**
 * Synthetic numeric traffic for the benchmarks: d features, each a fixed mix of a few shared latent
 * normals plus its own noise, then scaled and shifted so features have different units (seeded).
 * Optionally seasonal: the first two latents follow an hour-of-day cycle, so every feature that
 * loads on them does too. Rows are indexed in time order: row i has event time start + i·step.
 */
import { seededRandom } from '../src/core/random.js';

export const LATENTS = 4;
const DAY_MS = 86_400_000;

export interface GeneratorOptions {
  features: number;
  seed: number;
  /** Hour-of-day cycle: amplitude (in latent standard deviations) and rows per simulated day. */
  seasonal?: { amplitude: number; rowsPerDay: number };
  /** Shift added to feature `feature`, in its own standard deviations, on rows where `when(i)` is true. */
  shift?: { feature: number; sds: number; when: (row: number) => boolean };
}

export interface Generator {
  readonly names: string[];
  /** Milliseconds between consecutive rows' event times. */
  readonly stepMs: number;
  /** Row `i` of the stream (call with increasing i; draws are sequential). */
  row(i: number): Float64Array;
}

export const featureName = (j: number): string => `f${String(j).padStart(2, '0')}`;

export function createGenerator(options: GeneratorOptions): Generator {
  const d = options.features;
  const setup = seededRandom(options.seed);
  const draw = normalPairs(seededRandom(options.seed + 1_000_003));
  const loadings: number[][] = [];
  const noise: number[] = [];
  const scale: number[] = [];
  const offset: number[] = [];
  for (let j = 0; j < d; j++) {
    // Two or three latents per feature, loadings in ±[0.3, 0.9]; the rest of the variance is noise.
    const row = new Array<number>(LATENTS).fill(0);
    const used = 2 + Math.floor(setup() * 2);
    for (let u = 0; u < used; u++) row[Math.floor(setup() * LATENTS)] = (setup() < 0.5 ? -1 : 1) * (0.3 + 0.6 * setup());
    loadings.push(row);
    noise.push(0.4 + 0.6 * setup());
    scale.push(10 ** (setup() * 3 - 1)); // 0.1 .. 100
    offset.push((setup() - 0.5) * 200);
  }
  const sd = loadings.map((l, j) => Math.sqrt(l.reduce((s, a) => s + a * a, 0) + noise[j]! ** 2));
  const seasonal = options.seasonal;
  const stepMs = seasonal ? DAY_MS / seasonal.rowsPerDay : 100;
  const z = new Float64Array(LATENTS);
  return {
    names: Array.from({ length: d }, (_, j) => featureName(j)),
    stepMs,
    row(i: number): Float64Array {
      for (let l = 0; l < LATENTS; l++) z[l] = draw();
      if (seasonal) {
        const phase = (2 * Math.PI * (i % seasonal.rowsPerDay)) / seasonal.rowsPerDay;
        z[0]! += seasonal.amplitude * Math.sin(phase);
        z[1]! += seasonal.amplitude * Math.cos(phase);
      }
      const out = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        const a = loadings[j]!;
        let v = noise[j]! * draw();
        for (let l = 0; l < LATENTS; l++) v += a[l]! * z[l]!;
        if (options.shift && options.shift.feature === j && options.shift.when(i)) v += options.shift.sds * sd[j]!;
        // Four decimals in the feature's own unit: realistic payloads, still mostly distinct values.
        out[j] = Math.round((offset[j]! + scale[j]! * v) * 1e4) / 1e4;
      }
      return out;
    },
  };
}

/** Standard normals by Box–Muller, using both halves of each pair (half the log/sqrt/trig calls). */
function normalPairs(random: () => number): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/**
 * The JSON text of an inference event whose features are a generated row. Values have four
 * decimals, so they are written as integer part and four fraction digits, which is several times
 * faster than V8's shortest-double formatting and parses back to the same doubles.
 */
export function eventJson(model: string, id: string, ts: number, names: readonly string[], values: Float64Array): string {
  let s = `{"model":${JSON.stringify(model)},"id":${JSON.stringify(id)},"ts":${ts},"features":{`;
  for (let j = 0; j < names.length; j++) s += `${j === 0 ? '' : ','}"${names[j]!}":${fixed4(values[j]!)}`;
  return `${s}}}`;
}

function fixed4(v: number): string {
  const k = Math.round(v * 1e4);
  const a = Math.abs(k);
  const frac = a % 10_000;
  return `${k < 0 ? '-' : ''}${(a - frac) / 10_000}.${frac < 10 ? '000' : frac < 100 ? '00' : frac < 1000 ? '0' : ''}${frac}`;
}

/** A row as the `features` object of an inference event. */
export function toFeatures(names: readonly string[], values: Float64Array): Record<string, number> {
  const features: Record<string, number> = {};
  for (let j = 0; j < names.length; j++) features[names[j]!] = values[j]!;
  return features;
}
