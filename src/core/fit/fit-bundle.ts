/**
 * `shiftwatch fit`: reference data file → versioned reference bundle. Reads CSV or JSON Lines,
 * infers the feature schema (with overrides), summarises each feature on the reference's own bins
 * and simulates the null of the window evidence at the window size in use.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BUNDLE_FORMAT_VERSION, type ReferenceBundle } from '../reference/bundle-types.js';
import { readReferenceRows, type ReadOptions } from '../reference/readers.js';
import { inferSchema, type FeatureSpec, type SchemaOptions } from '../reference/schema.js';
import type { Row } from '../reference/readers.js';
import type { FlowBundle } from '../flow/flow-spec.js';
import { buildFeatureReference, checkEnoughRows } from '../reference/feature-reference.js';
import { simulateWindowNull } from '../detect/null-calibration.js';
import type { TestOptions } from '../detect/feature-tests.js';
import { ReferenceDataError } from '../errors.js';
import { writeBundle } from './bundle-io.js';
import { fitClassificationReference, predictionColumns } from '../predictions/classification-reference.js';
import { fitRegressionReference } from '../predictions/regression-reference.js';

export interface FitOptions {
  input: string;
  model: string;
  outDir: string;
  version?: string;
  /** Events per window at serve time; nulls are simulated at this size. */
  windowSize: number;
  minEvents: number;
  maxBins?: number;
  nullReplicates?: number;
  seed?: number;
  schema?: SchemaOptions;
  tests: TestOptions;
  onProgress?: (stage: 'read' | 'summarise' | 'nulls' | 'predictions', done: number, total: number) => void;
  now?: () => Date;
  /**
   * Trains the density flow on the reference rows (injected so that this core stays free of tfjs;
   * the CLI passes `fitFlow`). Absent: no flow. It may decline with a reason.
   */
  flowTrainer?: (rows: readonly Row[], specs: readonly FeatureSpec[]) => Promise<FlowBundle | { skipped: string }>;
  onFlowSkipped?: (reason: string) => void;
}

export async function fitBundle(options: FitOptions): Promise<{ bundle: ReferenceBundle; path: string }> {
  const progress = options.onProgress;
  const readOptions: ReadOptions = progress ? { onProgress: (p) => progress('read', p.bytes, p.totalBytes) } : {};
  const { rows, columns } = await readReferenceRows(options.input, readOptions);
  const specs = inferSchema(rows, columns, options.schema);
  if (rows.length < 2 * options.windowSize) {
    throw new ReferenceDataError(
      undefined,
      `${rows.length} rows cannot calibrate windows of ${options.windowSize} events (at least ${2 * options.windowSize} are needed)`,
      'provide more reference rows or configure a smaller window.size',
    );
  }
  const features = specs.map((spec, j) => {
    progress?.('summarise', j + 1, specs.length);
    const values = rows.map((r) => r[spec.name] ?? null);
    const ref = buildFeatureReference(spec, values, options.maxBins === undefined ? undefined : { maxBins: options.maxBins });
    checkEnoughRows(ref.n, options.minEvents, spec.name);
    return ref;
  });
  const nulls = simulateWindowNull(features, rows, {
    ...options.tests,
    windowSize: options.windowSize,
    replicates: options.nullReplicates ?? 1000,
    seed: options.seed ?? 1,
    ...(progress ? { onProgress: (d: number, t: number) => progress('nulls', d, t) } : {}),
  });
  const hasPredictions = predictionColumns(columns) !== undefined;
  if (hasPredictions) progress?.('predictions', 0, 1);
  const predictions = fitClassificationReference(rows, columns, { windowSize: options.windowSize, seed: options.seed ?? 1 });
  if (hasPredictions) progress?.('predictions', 1, 1);
  const regression = predictions === undefined ? fitRegressionReference(rows, columns, options.seed ?? 1) : undefined;
  const flowResult = options.flowTrainer ? await options.flowTrainer(rows, specs) : undefined;
  const flow = flowResult === undefined || 'skipped' in flowResult ? undefined : flowResult;
  if (flowResult !== undefined && 'skipped' in flowResult) options.onFlowSkipped?.(flowResult.skipped);
  const createdAt = (options.now?.() ?? new Date()).toISOString();
  const bundle: ReferenceBundle = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    model: options.model,
    version: options.version ?? createdAt,
    createdAt,
    source: { path: options.input, rows: rows.length, sha256: await sha256File(options.input) },
    features,
    nulls,
    ...(predictions === undefined ? {} : { predictions }),
    ...(regression === undefined ? {} : { regression }),
    ...(flow === undefined ? {} : { flow }),
  };
  return { bundle, path: await writeBundle(options.outDir, bundle) };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
