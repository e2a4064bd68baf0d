/**
 * Base densities of the flow's latent space (docs/algorithms.md#flow-model): a standard normal, or per-dimension
 * unit-scale Student-t (the tail-adaptive option, mTAF), plus the simplified tail-index rule that
 * decides which marginals get a Student-t and with how many degrees of freedom.
 */
import { at, outOfRange } from '../indexing.js';
import { logGamma } from '../stats/gamma.js';
import type { BaseDistribution } from './flow-spec.js';

// Local bindings: under Jest (vm contexts) each global lookup such as `Math.log` costs ~1 µs.
const { log, log1p, PI } = Math;
const LOG_2PI = log(2 * PI);

/** log N(x; 0, 1). */
export function normalLogPdf(x: number): number {
  return -0.5 * x * x - 0.5 * LOG_2PI;
}

/** log t_ν(x) = lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − ((ν+1)/2) log(1 + x²/ν). */
export function studentTLogPdf(x: number, nu: number): number {
  return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * log(nu * PI) - ((nu + 1) / 2) * log1p((x * x) / nu);
}

/** d/dx log t_ν(x) = −(ν + 1)x / (ν + x²). */
export function studentTScore(x: number, nu: number): number {
  return (-(nu + 1) * x) / (nu + x * x);
}

/**
 * ∂/∂ν log t_ν(x) = ½[ψ((ν+1)/2) − ψ(ν/2) − 1/ν − log(1 + x²/ν) + (ν+1)x² / (ν(ν + x²))].
 */
export function studentTDofDerivative(x: number, nu: number): number {
  const x2 = x * x;
  return 0.5 * (digamma((nu + 1) / 2) - digamma(nu / 2) - 1 / nu - Math.log1p(x2 / nu) + ((nu + 1) * x2) / (nu * (nu + x2)));
}

/**
 * Digamma ψ(x) = d/dx ln Γ(x): upward recurrence ψ(x) = ψ(x + 1) − 1/x to x ≥ 10, then the
 * asymptotic series ln x − 1/(2x) − Σ B_2n / (2n x^2n) (through B_14); reflection for x < 0.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  let v = x;
  while (v < 10) {
    shift -= 1 / v;
    v += 1;
  }
  const r = 1 / (v * v);
  const series =
    r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760 - r * (1 / 12)))))));
  return shift + Math.log(v) - 0.5 / v - series;
}

function checkBase(base: BaseDistribution, n: number): void {
  if (base.kind === 'student-t' && base.dof.length !== n) {
    throw new RangeError(`base: ${base.dof.length} degrees of freedom for ${n} latent dimensions`);
  }
}

/** log p_Z(z): Σ_j of the normal or Student-t log density of dimension j. */
export function baseLogProb(base: BaseDistribution, z: ArrayLike<number>): number {
  checkBase(base, z.length);
  let total = 0;
  for (let j = 0; j < z.length; j++) {
    const zj = z[j] ?? outOfRange('latent point', j, z);
    const nu = base.kind === 'student-t' ? at(base.dof, j, 'base degrees of freedom') : null;
    total += nu === null ? normalLogPdf(zj) : studentTLogPdf(zj, nu);
  }
  return total;
}

/** ∇_z log p_Z(z). */
export function baseScore(base: BaseDistribution, z: ArrayLike<number>): Float64Array {
  checkBase(base, z.length);
  const out = new Float64Array(z.length);
  for (let j = 0; j < z.length; j++) {
    const zj = z[j] ?? outOfRange('latent point', j, z);
    const nu = base.kind === 'student-t' ? at(base.dof, j, 'base degrees of freedom') : null;
    out[j] = nu === null ? -zj : studentTScore(zj, nu);
  }
  return out;
}

export interface TailIndex {
  /** Moment (Dekkers–Einmahl–de Haan) estimate ξ̂ = M1 + 1 − ½(1 − M1²/M2)⁻¹; NaN when undefined. */
  xi: number;
  /** Degrees of freedom for the base: 1/M1 (Hill) when heavy, null (standard normal) otherwise. */
  nu: number | null;
  /** ξ̂ > 0.1. */
  heavy: boolean;
  /** The Hill estimate 1/M1 whatever the classification (diagnostic only; NaN when undefined). */
  hill: number;
  /** Number of upper order statistics used, k = ⌊√n⌋. */
  k: number;
}

/** Marginals with ξ̂ above this are heavy-tailed (docs/algorithms.md#flow-model). */
export const HEAVY_TAIL_THRESHOLD = 0.1;

/**
 * Tail index of one standardised marginal from |u| (docs/algorithms.md#flow-model, a simplified rule [ours]): with the
 * sorted magnitudes a_(1) ≥ a_(2) ≥ …, k = ⌊√n⌋ and ℓ_i = log(a_(i)/a_(k+1)) for i ≤ k,
 * M1 = mean ℓ and M2 = mean ℓ². Heavy iff the moment estimator ξ̂ exceeds 0.1; then ν = 1/M1.
 * Non-finite values are ignored. Too few values, or a degenerate tail (a_(k+1) = 0, all ℓ equal),
 * give ξ̂ = NaN and a light classification.
 */
export function tailIndex(values: ArrayLike<number>): TailIndex {
  const magnitudes: number[] = [];
  for (const v of Array.from(values)) if (Number.isFinite(v)) magnitudes.push(Math.abs(v));
  const n = magnitudes.length;
  const k = Math.floor(Math.sqrt(n));
  const light = (xi: number, hill: number): TailIndex => ({ xi, nu: null, heavy: false, hill, k });
  if (k < 2 || k + 1 > n) return light(NaN, NaN);
  magnitudes.sort((a, b) => b - a);
  const threshold = at(magnitudes, k, 'sorted magnitudes');
  if (!(threshold > 0)) return light(NaN, NaN);
  let m1 = 0;
  let m2 = 0;
  for (const magnitude of magnitudes.slice(0, k)) {
    const l = Math.log(magnitude / threshold);
    m1 += l;
    m2 += l * l;
  }
  m1 /= k;
  m2 /= k;
  const hill = m1 > 0 ? 1 / m1 : NaN;
  const ratio = m2 > 0 ? (m1 * m1) / m2 : NaN;
  const xi = m1 + 1 - 0.5 / (1 - ratio);
  if (!Number.isFinite(xi) || !(xi > HEAVY_TAIL_THRESHOLD) || !Number.isFinite(hill)) return light(Number.isFinite(xi) ? xi : NaN, hill);
  return { xi, nu: hill, heavy: true, hill, k };
}
