/**
 * The feature-localization part of a reference bundle: plain JSON that `fit` writes
 * (src/flow/localize-scorer.ts fits it) and `serve` reads, with the flow bundle that carries it.
 */
import type { CategoricalModel } from './categorical.js';
import type { LatentReference } from './fisher.js';
import type { NullDistribution } from './null.js';

export type LocalizationMethod = 'flow' | 'gaussian';
export type LocalizationBackend = 'onnx' | 'float64';

/** What `fit` stores in the bundle (plain JSON). The flow itself stays in the flow bundle. */
export interface LocalizationBundle {
  stateVersion: 1;
  method: LocalizationMethod;
  /** Numeric features, in the order of the rows given to `testWindow` (the flow's order). */
  features: string[];
  /** Gaussian method: the reference standardisation u = (x − mean)/scale. Flow method: unused (the flow has its own). */
  standardization: { mean: number[]; scale: number[] };
  /** p̂ in the latent space (flow) or in standardised units (Gaussian: always kind 'gaussian'). */
  reference: LatentReference;
  /** Conditional models of the categorical features (their statistics follow the numeric ones). */
  categorical: CategoricalModel[];
  /** BH level the nulls were sized for (and the default at serve time). */
  alpha: number;
  /** One null per window size, statistics in the order [...features, ...categorical features]. */
  nulls: NullDistribution[];
  fit: {
    referenceRows: number;
    holdoutRows: number;
    /** Rows p̂ was fitted on and the null was drawn from. */
    pool: 'holdout' | 'all';
    poolRows: number;
    backend: LocalizationBackend | 'closed-form';
    seconds: number;
  };
}
