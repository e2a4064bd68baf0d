/**
 * `shiftwatch fit`: reference data file → versioned reference bundle. Reads CSV or JSON Lines,
 * recognises the model's outputs, infers the feature schema (with overrides) and validates every
 * row (errors name file rows), puts the rows in time order, checks the reference's size against
 * the minimums in force (warning below the recommended sizes), summarises each feature on the
 * reference's own bins, simulates the null of the window evidence at the window size in use, and
 * fits the prediction estimators and the density flow.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BUNDLE_FORMAT_VERSION, type ReferenceBundle } from '../reference/bundle-types.js';
import { readReferenceRows, type ReadOptions } from '../reference/readers.js';
import { inferSchema, PREDICTION_COLUMN, type FeatureSpec, type SchemaOptions } from '../reference/schema.js';
import type { Row } from '../reference/row.js';
import type { FlowBundle } from '../flow/flow-bundle.js';
import { buildFeatureReference } from '../reference/feature-reference.js';
import { recognizeOutputs, type OutputDeclaration } from '../reference/output-columns.js';
import { assessReferenceSize, flowSizeWarning, resolveMinimums, type ReferenceMinimums } from '../reference/reference-size.js';
import { timeOrder } from '../reference/time-order.js';
import { fitFeatureNulls } from '../detect/null-calibration.js';
import type { TestOptions } from '../detect/feature-tests.js';
import { ReferenceDataError } from '../errors.js';
import { writeBundle } from './bundle-io.js';
import { fitClassification, readLabelledOutputs, reorderLabelledOutputs } from '../predictions/classification-fit.js';
import { fitRegressionReference } from '../predictions/regression-reference.js';
import { at } from '../indexing.js';

export interface FitOptions {
  input: string;
  model: string;
  outDir: string;
  version?: string;
  /** Events per window at serve time; nulls are simulated at this size. */
  windowSize: number;
  minEvents: number;
  maxBins?: number;
  /** iid windows behind each time-ordered null's sampling noise (default 200). */
  nullReplicates?: number;
  seed?: number;
  schema?: SchemaOptions;
  /** How the model's outputs are named (default: `prob_<class>` / `logit_<class>`), or `none`. */
  outputs?: OutputDeclaration;
  /** Reference-size minimums (default: the recommended sizes); see reference-size.ts. */
  minimums?: Partial<ReferenceMinimums>;
  /** Column holding each row's time: rows are sorted by it (stable) before anything is fitted. */
  timeColumn?: string;
  /** Declared seasonal / context features (must be feature columns). */
  contextFeatures?: string[];
  tests: TestOptions;
  onProgress?: (stage: 'read' | 'summarise' | 'nulls' | 'predictions', done: number, total: number) => void;
  now?: () => Date;
  /**
   * Trains the density flow on the reference rows (injected so that this core stays free of tfjs;
   * the CLI passes `fitFlow`). Absent: no flow. It may decline with a reason.
   */
  flowTrainer?: (rows: readonly Row[], specs: readonly FeatureSpec[], options: FlowTrainerContext) => Promise<FlowBundle | { skipped: string }>;
}

/** What the flow trainer needs to know of the fit: the reference-size minimum and the served window (for its time-ordered nulls). */
export interface FlowTrainerContext {
  minRows: number;
  windowSize: number;
  /** Context features: never evidence on their own. */
  context: readonly string[];
}

export interface FitResult {
  bundle: ReferenceBundle;
  path: string;
  /** What was not fitted, and why (e.g. the density flow on too few rows). */
  skipped: { what: string; reason: string }[];
  /** Every column that is not a feature, with its role. */
  unmonitored: { column: string; reason: string }[];
}

export async function fitBundle(options: FitOptions): Promise<FitResult> {
  const progress = options.onProgress;
  const minimums = resolveMinimums(options.minimums);
  const readOptions: ReadOptions = progress ? { onProgress: (p) => progress('read', p.bytes, p.totalBytes) } : {};
  const read = await readReferenceRows(options.input, readOptions);
  const { columns } = read;
  // Everything that names a row runs on the file's order; the fitting below runs in time order.
  const schema = options.schema ?? {};
  const userDeclared = new Set([...Object.keys(schema.overrides ?? {}), ...(schema.exclude ?? [])]);
  const outputs = recognizeOutputs(read.rows, columns, options.outputs ?? {}, userDeclared);
  const roles: Record<string, string> = { ...schema.roles };
  if (options.timeColumn !== undefined) roles[options.timeColumn] = 'the time column';
  for (const c of outputs?.columns ?? []) roles[c] = 'a model output';
  const specs = inferSchema(read.rows, columns, { ...schema, roles });
  const labelled = outputs === undefined ? undefined : readLabelledOutputs(read.rows, columns, outputs);
  const order = options.timeColumn === undefined ? undefined : timeOrder(read.rows, columns, options.timeColumn);
  const regression = options.outputs?.none || outputs !== undefined ? undefined
    : fitRegressionReference(read.rows, columns, options.seed ?? 1, { windowSize: options.windowSize, alpha: options.tests.alpha, ...(order ? { order } : {}) });
  const rows = order === undefined ? read.rows : order.map((i) => at(read.rows, i, 'reference rows'));
  const contextFeatures = checkContextFeatures(options.contextFeatures ?? [], specs, columns, options.timeColumn);

  const featureColumns = specs.map((spec) => ({ spec, values: rows.map((r) => r[spec.name] ?? null) }));
  const warnings = assessReferenceSize({
    rows: rows.length,
    windowSize: options.windowSize,
    minEvents: options.minEvents,
    columns: featureColumns.map(({ spec, values }) => ({ name: spec.name, n: values.filter((v) => v !== null).length })),
    ...(labelled ? { labelled: { rows: labelled.labels.length, errors: labelled.errors } } : {}),
  }, minimums);
  const features = featureColumns.map(({ spec, values }, j) => {
    progress?.('summarise', j + 1, specs.length);
    return buildFeatureReference(spec, values, options.maxBins === undefined ? undefined : { maxBins: options.maxBins });
  });
  const featureNulls = fitFeatureNulls(features, rows, {
    ...options.tests,
    windowSize: options.windowSize,
    iidWindows: options.nullReplicates ?? 200,
    seed: options.seed ?? 1,
    context: contextFeatures,
    ...(progress ? { onProgress: (d: number, t: number) => progress('nulls', d, t) } : {}),
  });
  if (labelled) progress?.('predictions', 0, 1);
  const predictions = labelled === undefined ? undefined
    : fitClassification(order === undefined ? labelled : reorderLabelledOutputs(labelled, order), { windowSize: options.windowSize, seed: options.seed ?? 1, alpha: options.tests.alpha, minimums });
  if (labelled) progress?.('predictions', 1, 1);
  const skipped: FitResult['skipped'] = [];
  const flowResult = options.flowTrainer ? await options.flowTrainer(rows, specs, { minRows: minimums.flowRows, windowSize: options.windowSize, context: contextFeatures }) : undefined;
  const flow = flowResult === undefined || 'skipped' in flowResult ? undefined : flowResult;
  if (flowResult !== undefined && 'skipped' in flowResult) skipped.push({ what: 'covariate-shift (density flow)', reason: flowResult.skipped });
  if (flow !== undefined) {
    const t = flow.training.rows;
    const warning = flowSizeWarning(t.train + t.validation + t.calibration);
    if (warning !== undefined) warnings.push(warning);
  }
  if (predictions !== undefined && 'refused' in predictions.mano) skipped.push({ what: 'MaNo accuracy estimate', reason: predictions.mano.refused });
  const createdAt = (options.now?.() ?? new Date()).toISOString();
  const bundle: ReferenceBundle = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    model: options.model,
    version: options.version ?? createdAt,
    createdAt,
    source: { path: options.input, rows: rows.length, sha256: await sha256File(options.input) },
    features,
    reference: { rows: rows.length, warnings, small: warnings.length > 0, minimums },
    order: { timeColumn: options.timeColumn ?? null },
    contextFeatures,
    ...(featureNulls === undefined ? {} : { featureNulls }),
    ...(predictions === undefined ? {} : { predictions }),
    ...(regression === undefined ? {} : { regression }),
    ...(flow === undefined ? {} : { flow }),
  };
  const unmonitored = unmonitoredColumns(columns, specs, roles, options);
  return { bundle, path: await writeBundle(options.outDir, bundle), skipped, unmonitored };
}

/** Declared context features must be features of this reference. */
function checkContextFeatures(context: readonly string[], specs: readonly FeatureSpec[], columns: readonly string[], timeColumn: string | undefined): string[] {
  const features = specs.map((s) => s.name);
  for (const name of context) {
    if (features.includes(name)) continue;
    const why = name === timeColumn ? 'it is the time column'
      : columns.includes(name) ? 'it is not a feature (a reserved, excluded or model-output column)'
      : 'there is no such column';
    throw new ReferenceDataError(name, `is declared a context feature (--context) but ${why}`, `declare feature columns only; the features are: ${features.join(', ')}`);
  }
  return [...new Set(context)];
}

/** Why each column that is not a feature is left out, so that nothing is dropped silently. */
function unmonitoredColumns(columns: readonly string[], specs: readonly FeatureSpec[], roles: Record<string, string>, options: FitOptions): FitResult['unmonitored'] {
  const features = new Set(specs.map((s) => s.name));
  const excluded = new Set([...(options.schema?.exclude ?? []), ...Object.entries(options.schema?.overrides ?? {}).filter(([, k]) => k === 'ignore').map(([c]) => c)]);
  const reserved: Record<string, string> = { id: 'event id', ts: 'event time', model: 'model name', label: 'true label', prediction: 'regression prediction' };
  const byName = (column: string) => `${reserved[column]}, not a feature by its name`;
  return columns.filter((c) => !features.has(c)).map((column) => ({
    column,
    reason: roles[column] ?? (excluded.has(column) ? 'excluded'
      : Object.hasOwn(reserved, column) ? byName(column)
      : PREDICTION_COLUMN.test(column) ? (options.outputs?.none ? 'a model output, not used: --no-predictions' : 'a model output')
      : 'not a feature'),
  }));
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
