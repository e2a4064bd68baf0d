/**
 * Synthetic inference traffic with a known correlation structure, used by the tests (the demo's
 * world before the demo had a classifier).
 * Six numeric features come from correlated Gaussians (through lognormal, rounding and logistic
 * links); two categorical ones from fixed category mixes. Shifts are applied on named features only,
 * or, for the correlation shift, on the dependence between two features with their marginals kept.
 */
import { gaussian, seededRandom } from '../../src/core/random.js';

export type Shift =
  | { kind: 'none' }
  | { kind: 'mean'; feature: 'amount'; logShift: number }
  | { kind: 'mix'; feature: 'country'; probs: number[] }
  /** amount and age_days keep their marginals; their correlation changes from 0.8 to `correlation`. */
  | { kind: 'correlation'; correlation: number };

export const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'IT'] as const;
export const COUNTRY_PROBS = [0.35, 0.25, 0.2, 0.15, 0.05];
export const NUMERIC_FEATURES = ['amount', 'age_days', 'session_s', 'clicks', 'latency_ms', 'risk_score'] as const;
export const CATEGORICAL_FEATURES = ['country', 'device'] as const;

export type SyntheticRow = Record<string, number | string>;

export function syntheticRows(count: number, seed: number, shift: Shift = { kind: 'none' }): SyntheticRow[] {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const rows: SyntheticRow[] = [];
  for (let i = 0; i < count; i++) {
    const z0 = normal();
    const rho = shift.kind === 'correlation' ? shift.correlation : 0.8;
    const z1 = rho * z0 + Math.sqrt(1 - rho * rho) * normal();
    const z2 = normal();
    const z3 = 0.6 * z2 + 0.8 * normal();
    const z4 = normal();
    const logShift = shift.kind === 'mean' ? shift.logShift : 0;
    const probs = shift.kind === 'mix' ? shift.probs : COUNTRY_PROBS;
    rows.push({
      amount: round(Math.exp(3 + 0.8 * z0 + logShift), 2),
      age_days: Math.max(0, Math.round(200 + 80 * z1)),
      session_s: round(60 + 15 * z2, 1),
      clicks: Math.max(0, Math.round(5 + 2 * z3)),
      latency_ms: round(120 + 25 * z4, 1),
      risk_score: round(1 / (1 + Math.exp(-(z0 - z2))), 4),
      country: pick(COUNTRIES, probs, random()),
      device: z2 + 0.5 * normal() > 0 ? 'desktop' : 'mobile',
    });
  }
  return rows;
}

export function toCsv(rows: readonly SyntheticRow[]): string {
  const columns = Object.keys(rows[0] ?? {});
  return [columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c])).join(','))].join('\n') + '\n';
}

function pick<T>(items: readonly T[], probs: readonly number[], u: number): T {
  let acc = 0;
  for (let i = 0; i < items.length; i++) {
    acc += probs[i]!;
    if (u < acc) return items[i]!;
  }
  return items[items.length - 1]!;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
