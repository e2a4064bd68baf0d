/**
 * What `shiftwatch fit` prints when it is done: what the service will monitor with this bundle
 * (features by kind, classes, estimators, detectors) and what it will not, with the reason, so
 * that nothing is left out silently. Warnings go to stderr; this summary to stdout.
 */
import type { FitResult } from '../core/fit/fit-bundle.js';

export interface SummaryContext {
  /** `accuracy.floor` of the service config, when `fit --config` gave one. */
  accuracyFloor?: number;
  /** Why the flow was not attempted (`--flow none`), if so. */
  flowOff?: string;
  /** `--no-predictions` was given. */
  noPredictions?: boolean;
}

export function fitSummary(result: FitResult, context: SummaryContext = {}): string {
  const { bundle } = result;
  const lines: string[] = [`wrote ${result.path}`];
  const order = bundle.order.timeColumn === null ? 'in file order (no --time-column)' : `sorted by ${bundle.order.timeColumn}`;
  lines.push(`  model ${bundle.model}, version ${bundle.version}, ${bundle.reference.rows} rows ${order}`);
  const byKind = (kind: string) => bundle.features.filter((f) => f.kind === kind).map((f) => f.name);
  const kinds = ['numeric', 'categorical'].map((k) => ({ k, names: byKind(k) })).filter((x) => x.names.length > 0);
  lines.push(`  features (${bundle.features.length}): ${kinds.map((x) => `${x.names.length} ${x.k}: ${x.names.join(', ')}`).join('; ')}`);
  if (bundle.contextFeatures.length > 0) lines.push(`  context features: ${bundle.contextFeatures.join(', ')} (declared with --context)`);
  if (result.unmonitored.length > 0) {
    lines.push(`  not features: ${groupReasons(result.unmonitored)}`);
  }

  const estimators: string[] = [];
  const nulls = bundle.featureNulls;
  const detectors: string[] = [`feature-shift (per-feature tests; ${nulls ? `time-ordered null from ${nulls.chunks} contiguous chunks of ${nulls.windowSize} rows` : 'closed-form tests only: the reference holds no more than one window'})`];
  const skipped = result.skipped.map((s) => `${s.what}: ${s.reason}`);
  if (context.flowOff !== undefined) skipped.unshift(`covariate-shift (density flow): ${context.flowOff}`);
  const f = bundle.flow;
  if (f !== undefined) {
    const best = f.training.epochs[f.training.bestEpoch - 1];
    const loc = f.localization;
    const nullText = f.nulls ? `time-ordered null from ${f.nulls.chunks} chunks` : 'closed-form tests only';
    detectors.push(`covariate-shift (${f.model.layers.length} ${f.model.layers[0]?.kind} couplings on ${f.model.dim} numeric features, ${f.training.epochs.length} epochs in ${f.training.seconds.toFixed(1)} s on ${f.training.backend}, best validation NLL ${best?.validationNll.toFixed(3) ?? 'n/a'}, calibration split ${f.training.rows.calibration} rows, ${nullText})`);
    detectors.push(loc
      ? `conditional-shift (${loc.method} score test on ${loc.features.length} numeric + ${loc.categorical.length} categorical features, bootstrap null of ${loc.nulls[0]?.replicates ?? 0} windows${f.nulls?.conditional ? ', time-ordered null' : ''})`
      : 'no conditional-shift (--localize-replicates 0)');
  }
  const p = bundle.predictions;
  if (p !== undefined) {
    lines.push(`  classes (${p.classes}): ${p.classNames.join(', ')}, from ${p.input}; source accuracy ${p.sourceAccuracy.toFixed(4)} on ${p.n} labelled rows`);
    estimators.push(`BCTS calibration (T=${p.calibration.T.toFixed(3)})`, `ATC-NE (threshold ${p.atc.ne.threshold.toFixed(4)}) and ATC-MC with ${p.atc.bootstrap.ne.length} bootstrap refits each`, 'DoC', 'AC', 'label-shift accuracy and class proportions (MAP-EM, BBSE, RLLS)');
    if ('fit' in p.mano) estimators.push(`MaNo (${p.mano.fit.normalisation})`);
    detectors.push(p.nulls ? `label-shift (time-ordered null from ${p.nulls.chunks} chunks)` : 'label-shift (closed-form test: the reference holds fewer than two windows)', context.accuracyFloor === undefined ? 'accuracy-floor (fires only when accuracy.floor is set in the service config)' : `accuracy-floor (below ${context.accuracyFloor})`);
  }
  if (bundle.regression !== undefined) {
    estimators.push(`ReTaSA target-shift weights (${bundle.regression.predictions.length} of ${bundle.regression.n} prediction/target pairs kept)`);
    detectors.push(bundle.regression.nulls ? `target-shift (time-ordered null from ${bundle.regression.nulls.chunks} chunks)` : 'target shift estimated per window; no target-shift detector (the reference holds fewer than two windows)');
  }
  if (p === undefined && bundle.regression === undefined) {
    skipped.push(`accuracy and label-shift estimators: ${context.noPredictions ? 'model outputs and labels ignored (--no-predictions)' : 'the reference has no model outputs and labels'}`);
  }
  lines.push(`  estimators fitted: ${estimators.length > 0 ? estimators.join('; ') : 'none'}`);
  lines.push(`  detectors enabled: ${detectors.join('; ')}`);
  if (skipped.length > 0) lines.push(`  skipped: ${skipped.join('; ')}`);
  const r = bundle.reference;
  lines.push(r.small
    ? `  reference: ${r.rows} rows, below the recommended size: ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'} (printed above, recorded in the bundle's reference.warnings)`
    : `  reference: ${r.rows} rows, no size warnings`);
  return `${lines.join('\n')}\n`;
}

/** "a, b (reason); c (other reason)" in first-seen order of the reasons. */
function groupReasons(items: readonly { column: string; reason: string }[]): string {
  const groups = new Map<string, string[]>();
  for (const { column, reason } of items) groups.set(reason, [...(groups.get(reason) ?? []), column]);
  return [...groups].map(([reason, columns]) => `${columns.join(', ')} (${reason})`).join('; ');
}
