/**
 * Model detail: everything about one model. Features first (the question asked most), then the
 * density model, then accuracy and label shift for classifiers, then target shift for regressors.
 * Sections without data for a model (no flow, not a classifier) stay empty rather than erroring.
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '../src/metrics/catalog.js';
import { UIDS, dashboard, datasourceVariable, labelVariable, modelVariable } from './common.js';
import { addDetectorPanels, addFeaturePanels } from './model-features.js';
import { addFlowPanels } from './model-flow.js';
import { addPredictionPanels } from './model-predictions.js';
import { addRegressionPanels } from './model-regression.js';
import { sel } from './promql.js';

export function modelDetailDashboard(): DashboardBuilder {
  const b = dashboard(UIDS.model, 'shiftwatch / Model detail', 'One model: which features shifted, the density model, estimated accuracy, label shift and regression target shift.')
    .withVariable(datasourceVariable())
    .withVariable(modelVariable({ multi: false }))
    .withVariable(labelVariable('feature', 'Feature', `label_values(${sel(METRICS.featureDrift)}, feature)`))
    .withVariable(labelVariable('estimator', 'Estimator', `label_values(${sel(METRICS.accuracyEstimate)}, estimator)`));
  addDetectorPanels(b);
  addFeaturePanels(b);
  addFlowPanels(b);
  addPredictionPanels(b);
  addRegressionPanels(b);
  return b;
}
