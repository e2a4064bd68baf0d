/**
 * The trained density model as plain data: what `fit` writes into the reference bundle and what
 * every scorer (float64 reference maths, tfjs, ONNX Runtime) reads. Direction convention: the flow
 * maps data to noise, z = f(u) with u the standardised input, and
 *   log p_X(x) = log p_Z(f(u)) + log|det ∂f/∂u| − Σ_j log scale_j.
 * All weights are float32 values stored as plain numbers (JSON).
 */
/** u_j = (x_j − mean_j) / scale_j, for the flow's numeric features, in this order. */
export interface Standardization {
  features: string[];
  mean: number[];
  scale: number[];
}

/** y = x·W + b, W row-major with `inputs` rows and `outputs` columns. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: number[];
  bias: number[];
}

export type Activation = 'tanh' | 'relu';

/**
 * The conditioner network of a coupling layer: `hidden` dense layers each followed by the
 * activation, then the linear `output` layer. Its input is u restricted to `identity` (in that order).
 */
export interface Conditioner {
  hidden: DenseLayer[];
  output: DenseLayer;
}

/**
 * RealNVP affine coupling. The conditioner outputs 2·|B| values: raw scales for `transformed`
 * (in order), then shifts. s = bound·tanh(raw/bound), z_B = u_B·exp(s) + t, log|det| = Σ s.
 * z_A = u_A for the `identity` indices.
 */
export interface AffineCoupling {
  kind: 'affine';
  identity: number[];
  transformed: number[];
  conditioner: Conditioner;
  scaleBound: number;
}

/**
 * Rational-quadratic spline coupling (linear tails outside [−tailBound, tailBound], boundary
 * derivatives exactly 1). The conditioner outputs (3K − 1) values per transformed dimension,
 * dimension-major: K width logits, K height logits, K − 1 interior derivative pre-activations.
 */
export interface SplineCoupling {
  kind: 'spline';
  identity: number[];
  transformed: number[];
  conditioner: Conditioner;
  bins: number;
  tailBound: number;
}

export type CouplingLayer = AffineCoupling | SplineCoupling;

/**
 * Base density per latent dimension. `dof[j] === null` is a standard normal dimension; a number is
 * a unit-scale Student-t with that many degrees of freedom (the tail-adaptive option).
 */
export type BaseDistribution = { kind: 'normal' } | { kind: 'student-t'; dof: (number | null)[] };

export interface FlowModel {
  /** Number of flow inputs (= standardization.features.length). */
  dim: number;
  standardization: Standardization;
  activation: Activation;
  layers: CouplingLayer[];
  base: BaseDistribution;
}

export interface TrainingEpoch {
  epoch: number;
  trainNll: number;
  validationNll: number;
  seconds: number;
}
