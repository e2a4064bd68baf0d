/**
 * Multiple-testing corrections across the features tested in one window. Each returns, in the input
 * order, whether the hypothesis is rejected at level alpha and its adjusted p-value (capped at 1).
 */
import { at } from '../indexing.js';

export interface CorrectionResult {
  rejected: boolean[];
  adjusted: number[];
}

function check(pValues: readonly number[], alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
}

/** Bonferroni: adjusted = min(1, m·p); rejected when m·p ≤ alpha. */
export function bonferroni(pValues: readonly number[], alpha: number): CorrectionResult {
  check(pValues, alpha);
  const m = pValues.length;
  const adjusted = pValues.map((p) => Math.min(1, m * p));
  return { rejected: pValues.map((p) => m * p <= alpha), adjusted };
}

/**
 * Step-up procedure shared by BH and BY. With the p-values sorted ascending, p(1) ≤ … ≤ p(m), and a
 * constant c: reject the k smallest where k = max{i : p(i) ≤ i·alpha / (m·c)}; the adjusted values are
 * q(i) = min_{j ≥ i} min(1, m·c·p(j)/j), which are monotone in p.
 */
function stepUp(pValues: readonly number[], alpha: number, c: number): CorrectionResult {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  const rejected = new Array<boolean>(m).fill(false);
  let running = 1;
  let cutoff = -1;
  for (let r = m - 1; r >= 0; r--) {
    const { p, i } = at(order, r, 'p-values in ascending order');
    running = Math.min(running, (m * c * p) / (r + 1));
    adjusted[i] = running;
    if (cutoff < 0 && p <= ((r + 1) * alpha) / (m * c)) cutoff = r;
  }
  for (const { i } of order.slice(0, cutoff + 1)) rejected[i] = true;
  return { rejected, adjusted };
}

/** Benjamini–Hochberg (FDR under independence or positive dependence); adjusted = BH q-values. */
export function benjaminiHochberg(pValues: readonly number[], alpha: number): CorrectionResult {
  check(pValues, alpha);
  return stepUp(pValues, alpha, 1);
}

/** Benjamini–Yekutieli (FDR under any dependence): BH with alpha divided by c(m) = Σ_{i=1..m} 1/i. */
export function benjaminiYekutieli(pValues: readonly number[], alpha: number): CorrectionResult {
  check(pValues, alpha);
  let c = 0;
  for (let i = 1; i <= pValues.length; i++) c += 1 / i;
  return stepUp(pValues, alpha, c);
}
