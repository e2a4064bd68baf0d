/**
 * `localize` (docs/benchmarks.md, "Feature localization"): detection and localisation of feature shifts by the
 * conditional Fisher-divergence score test (docs/algorithms.md#conditional-shift), against per-feature marginal KS + BH and the
 * combination of the two.
 *
 * Generator (after Kulinski et al. 2020, seeded): d = 25, Gaussian copula with a random correlation
 * (5-factor model: R = normalise(BBᵀ + Ψ), B_ij ~ N(0, 0.25), Ψ_jj ~ U(0.3, 1)), Beta(0.5, 0.5)
 * marginals (x = sin²(π·Φ(z)/2)). Reference 10,000 rows: the first 8,000 train the flow (and fit
 * the Gaussian p̂), the last 2,000 are the hold-out the nulls are drawn from. Windows of 1,000 fresh
 * rows. Attacks on 1–3 random features of a window: mean shift (δ·sd), scale change about the
 * centre (σ), and the marginal-preserving permutation of the attacked columns among a share ρ of
 * the window's rows.
 *
 * Methods: (a) the conditional test with the flow (latent-Gaussian q̂, ONNX), (a′) the same with
 * the flow's base density as p̂, (g) the Gaussian p̂/q̂ variant, (b) marginal KS against the whole
 * reference + BH, (c) (a) and (b) together under one BH, (c′) (g) and (b) together.
 * Localisation: top-k with k = the number of attacked features (the localisation budget); a window that is
 * not detected reports nothing. Micro precision = hits / reported, micro recall = hits / attacked.
 */
import { normalCdf } from '../src/core/stats/normal.js';
import { chiSquareHomogeneity } from '../src/core/stats/chi-square.js';
import { ksPValue } from '../src/core/stats/ks.js';
import { gaussian, seededRandom } from '../src/core/random.js';
import { cholesky } from '../src/core/localize/dense.js';
import { benjaminiHochberg } from '../src/core/stats/multiple-testing.js';
import { localizeWindow, type WindowLocalization } from '../src/core/localize/localize.js';
import { trainFlow } from '../src/flow/train-flow.js';
import type { LocalizationBundle } from '../src/core/localize/localization-bundle.js';
import { FeatureLocalizer, fitFeatureLocalization } from '../src/flow/localize-scorer.js';
import type { FlowModel } from '../src/core/flow/flow-spec.js';
import { OnnxFlowScorer } from '../src/flow/onnx/onnx-scorer.js';
import { intFlag, parseFlags, UsageError } from './args.js';
import { machineInfo } from './machine.js';
import { outOfRange } from '../src/core/indexing.js';

const log = (line: string) => process.stderr.write(`[localize] ${line}\n`);

export const LOCALIZE_FLAGS = ['seed', 'windows', 'clean', 'replicates', 'epochs', 'hidden', 'layers', 'alpha', 'methods', 'attacks', 'categorical-windows'] as const;

const D = 25;
const FACTORS = 5;
const REFERENCE = 10_000;
const TRAIN = 8_000;
const WINDOW = 1_000;
const BETA_SD = Math.sqrt(1 / 8);

type Attack = 'mean' | 'scale' | 'permute';
const STRENGTHS: Record<Attack, number[]> = { mean: [0.1, 0.2, 0.4], scale: [1.1, 1.25, 1.5], permute: [0.25, 0.5, 1] };
const STRENGTH_LABEL: Record<Attack, (s: number) => string> = { mean: (s) => `δ=${s}sd`, scale: (s) => `σ×${s}`, permute: (s) => `ρ=${s}` };

interface Copula {
  /** Lower Cholesky factor of the correlation. */
  chol: Float64Array;
  /** R²_j of each feature on all the others (Gaussian scale). */
  r2: number[];
}

function makeCopula(seed: number): Copula {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const B = Array.from({ length: D * FACTORS }, () => 0.5 * normal());
  const psi = Array.from({ length: D }, () => 0.3 + 0.7 * random());
  const cov = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
    let s = i === j ? psi[i]! : 0;
    for (let f = 0; f < FACTORS; f++) s += B[i * FACTORS + f]! * B[j * FACTORS + f]!;
    cov[i * D + j] = s;
  }
  const sd = Array.from({ length: D }, (_, i) => Math.sqrt(cov[i * D + i]!));
  const corr = cov.map((v, k) => v / (sd[Math.floor(k / D)]! * sd[k % D]!));
  // R²_j = 1 − 1/(R⁻¹)_jj.
  const chol = cholesky(corr, D);
  const inv = invertLower(chol);
  const r2 = Array.from({ length: D }, (_, j) => {
    let pjj = 0;
    for (let k = 0; k < D; k++) pjj += inv[k * D + j]! ** 2; // (L⁻ᵀL⁻¹)_jj
    return 1 - 1 / pjj;
  });
  return { chol, r2 };
}

function invertLower(l: Float64Array): Float64Array {
  const li = new Float64Array(D * D);
  for (let c = 0; c < D; c++) {
    li[c * D + c] = 1 / l[c * D + c]!;
    for (let i = c + 1; i < D; i++) {
      let s = 0;
      for (let k = c; k < i; k++) s -= l[i * D + k]! * li[k * D + c]!;
      li[i * D + c] = s / l[i * D + i]!;
    }
  }
  return li;
}

/** n rows of the copula, row-major float32. */
function drawRows(copula: Copula, n: number, random: () => number): Float32Array {
  const normal = gaussian(random);
  const out = new Float32Array(n * D);
  const e = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < D; k++) e[k] = normal();
    for (let i = 0; i < D; i++) {
      let z = 0;
      for (let k = 0; k <= i; k++) z += copula.chol[i * D + k]! * e[k]!;
      const s = Math.sin((Math.PI / 2) * normalCdf(z));
      out[r * D + i] = s * s;
    }
  }
  return out;
}

function attack(rows: Float32Array, n: number, kind: Attack, strength: number, features: number[], random: () => number): void {
  for (const j of features) {
    if (kind === 'mean') for (let r = 0; r < n; r++) rows[r * D + j] = (rows[r * D + j] ?? outOfRange('rows', r * D + j, rows)) + strength * BETA_SD;
    else if (kind === 'scale') for (let r = 0; r < n; r++) rows[r * D + j] = 0.5 + strength * (rows[r * D + j]! - 0.5);
    else {
      // Permute column j among a random share ρ of the rows: the window's marginal is unchanged.
      const m = Math.round(strength * n);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < m; i++) {
        const k = i + Math.floor(random() * (n - i));
        [order[i], order[k]] = [order[k]!, order[i]!];
      }
      const chosen = order.subarray(0, m);
      const values = Array.from(chosen, (r) => rows[r * D + j]!);
      for (let i = values.length - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        [values[i], values[k]] = [values[k]!, values[i]!];
      }
      chosen.forEach((r, i) => (rows[r * D + j] = values[i]!));
    }
  }
}

/** Marginal two-sample KS p-value per feature against presorted reference columns. */
function ksPValues(sortedRef: Float64Array[], rows: Float32Array, n: number): number[] {
  return sortedRef.map((ref, j) => {
    const w = Float64Array.from({ length: n }, (_, r) => rows[r * D + j]!).sort();
    let i = 0;
    let k = 0;
    let dmax = 0;
    while (i < ref.length && k < w.length) {
      const v = Math.min(ref[i]!, w[k]!);
      while (i < ref.length && ref[i] === v) i++;
      while (k < w.length && w[k] === v) k++;
      dmax = Math.max(dmax, Math.abs(i / ref.length - k / w.length));
    }
    return ksPValue(dmax, ref.length, w.length);
  });
}

type Conditional = 'flow' | 'flow-all' | 'flow-base' | 'gaussian';
const CONDITIONAL: readonly Conditional[] = ['flow', 'flow-all', 'flow-base', 'gaussian'];
type Method = Conditional | 'ks' | 'flow+ks' | 'gaussian+ks';
const METHOD_LABEL: Record<Method, string> = {
  flow: '(a) flow score',
  'flow-all': "(a'') flow score, pool = all rows",
  'flow-base': "(a') flow score, base p̂",
  gaussian: '(g) Gaussian score',
  ks: '(b) marginal KS',
  'flow+ks': '(c) flow + KS',
  'gaussian+ks': "(c') Gaussian + KS",
};

interface Tally {
  windows: number;
  detected: number;
  reported: number;
  hits: number;
  attacked: number;
  top1: number;
  flagged: number;
  flaggedHits: number;
}
const emptyTally = (): Tally => ({ windows: 0, detected: 0, reported: 0, hits: 0, attacked: 0, top1: 0, flagged: 0, flaggedHits: 0 });

function score(t: Tally, result: WindowLocalization, attacked: number[]): void {
  t.windows++;
  t.attacked += attacked.length;
  if (!result.detected) return;
  t.detected++;
  const top = result.ranked.slice(0, Math.max(1, attacked.length)).map((f) => Number(f.feature.slice(1)));
  t.reported += top.length;
  t.hits += top.filter((j) => attacked.includes(j)).length;
  if (attacked.length > 0 && attacked.includes(top[0]!)) t.top1++;
  const flagged = result.suspects.map((f) => Number(f.slice(1)));
  t.flagged += flagged.length;
  t.flaggedHits += flagged.filter((j) => attacked.includes(j)).length;
}

const pct = (a: number, b: number): string => (b === 0 ? '–' : `${Math.round((100 * a) / b)}`);

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await f();
  return [out, (performance.now() - t0) / 1000];
}

export async function runLocalize(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, LOCALIZE_FLAGS);
  const seed = intFlag(flags, 'seed', 20261128, 0);
  const perCell = intFlag(flags, 'windows', 50);
  const cleanWindows = intFlag(flags, 'clean', 400);
  const replicates = intFlag(flags, 'replicates', 2000, 20);
  const epochs = intFlag(flags, 'epochs', 40);
  const hidden = intFlag(flags, 'hidden', 64);
  const layers = intFlag(flags, 'layers', 4, 2);
  const alpha = Number(flags.get('alpha') ?? '0.05');
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be in (0, 1)`);
  const methods = (flags.get('methods') ?? 'flow,flow-all,flow-base,gaussian,ks,flow+ks,gaussian+ks').split(',') as Method[];
  for (const m of methods) if (!(m in METHOD_LABEL)) throw new UsageError(`unknown method ${m}`);
  const wall0 = performance.now();

  const copula = makeCopula(seed);
  const names = Array.from({ length: D }, (_, j) => `f${String(j).padStart(2, '0')}`);
  log(`copula: R² of each feature on the others: median ${median(copula.r2).toFixed(2)}, range ${Math.min(...copula.r2).toFixed(2)}–${Math.max(...copula.r2).toFixed(2)}`);
  const reference = drawRows(copula, REFERENCE, seededRandom(seed + 1));
  const train = reference.subarray(0, TRAIN * D);
  const holdout = reference.subarray(TRAIN * D);
  const sortedRef = Array.from({ length: D }, (_, j) => Float64Array.from({ length: REFERENCE }, (_, r) => reference[r * D + j]!).sort());

  // The flow, trained as `fit` does (tfjs, early stopping on a validation split), kept small.
  const needFlow = methods.some((m) => m.startsWith('flow'));
  let flow: FlowModel | null = null;
  let training: Record<string, unknown> = {};
  if (needFlow) {
    const columns = Array.from({ length: D }, (_, j) => Float64Array.from({ length: TRAIN }, (_, r) => train[r * D + j]!));
    const [result, seconds] = await timed(() =>
      trainFlow({ columns, features: names }, { architecture: { kind: 'affine', layers, hidden, depth: 2 }, maxEpochs: epochs, patience: 8, seed, batchSize: 256, learningRate: 2e-3 }),
    );
    flow = result.model;
    const best = result.epochs[result.bestEpoch - 1];
    training = { backend: result.backend, layers, hidden, epochs: result.epochs.length, bestEpoch: result.bestEpoch, validationNll: best?.validationNll, seconds: round(seconds, 1) };
    log(`flow trained: ${JSON.stringify(training)}`);
  }

  // Fit-time calibration (the nulls), timed.
  const bundles: Partial<Record<Conditional, LocalizationBundle>> = {};
  const fitSeconds: Record<string, number> = {};
  const fitInput = { features: names, reference: { rows: train, n: TRAIN }, holdout: { rows: holdout, n: REFERENCE - TRAIN }, windowSizes: [WINDOW], alpha, replicates, seed: seed + 5 };
  for (const kind of CONDITIONAL) {
    if (!methods.some((m) => m === kind || m === `${kind}+ks`)) continue;
    const [bundle, seconds] = await timed(() =>
      fitFeatureLocalization({
        ...fitInput,
        flow: kind === 'gaussian' ? null : flow,
        latentReference: kind === 'flow-base' ? 'base' : 'fitted',
        pool: kind === 'flow-all' || kind === 'gaussian' ? 'all' : 'holdout',
      }),
    );
    bundles[kind] = bundle;
    fitSeconds[kind] = round(seconds, 1);
    log(`${kind}: null of ${replicates} replicates × ${WINDOW} rows (pool ${bundle.fit.poolRows} rows) in ${seconds.toFixed(1)} s (${bundle.fit.backend})`);
  }
  const localizers: Partial<Record<Conditional, FeatureLocalizer>> = {};
  for (const [kind, bundle] of Object.entries(bundles) as [Conditional, LocalizationBundle][]) {
    localizers[kind] = await FeatureLocalizer.create(bundle, kind === 'gaussian' ? null : flow);
  }

  // Windows.
  const attacks = (flags.get('attacks') ?? 'clean,permute,mean,scale').split(',');
  const cells: { attack: Attack | 'clean'; strength: number; k: number }[] = attacks.includes('clean') ? [{ attack: 'clean', strength: 0, k: 0 }] : [];
  for (const a of ['permute', 'mean', 'scale'] as Attack[]) if (attacks.includes(a)) for (const s of STRENGTHS[a]) for (const k of [1, 2, 3]) cells.push({ attack: a, strength: s, k });
  const tallies = new Map<string, Record<Method, Tally>>();
  const statSeconds: Record<string, number> = { flow: 0, 'flow-all': 0, 'flow-base': 0, gaussian: 0, ks: 0 };
  let statRows = 0;
  const random = seededRandom(seed + 2);
  for (const cell of cells) {
    const key = cell.attack === 'clean' ? 'clean' : `${cell.attack} ${STRENGTH_LABEL[cell.attack](cell.strength)} k=${cell.k}`;
    const tally = Object.fromEntries(methods.map((m) => [m, emptyTally()])) as Record<Method, Tally>;
    tallies.set(key, tally);
    const count = cell.attack === 'clean' ? cleanWindows : perCell;
    for (let w = 0; w < count; w++) {
      const rows = drawRows(copula, WINDOW, random);
      const attacked: number[] = [];
      while (attacked.length < cell.k) {
        const j = Math.floor(random() * D);
        if (!attacked.includes(j)) attacked.push(j);
      }
      if (cell.attack !== 'clean') attack(rows, WINDOW, cell.attack, cell.strength, attacked, random);
      statRows += WINDOW;
      let t0 = performance.now();
      const ks = ksPValues(sortedRef, rows, WINDOW);
      statSeconds.ks! += (performance.now() - t0) / 1000;
      const conditional: Partial<Record<Conditional, Awaited<ReturnType<FeatureLocalizer['statistics']>>>> = {};
      for (const [kind, localizer] of Object.entries(localizers) as [Conditional, FeatureLocalizer][]) {
        t0 = performance.now();
        conditional[kind] = await localizer.statistics(rows, WINDOW);
        statSeconds[kind]! += (performance.now() - t0) / 1000;
      }
      for (const m of methods) {
        let result: WindowLocalization;
        if (m === 'ks') {
          result = marginalOnly(names, ks, alpha);
        } else {
          const kind = m.replace('+ks', '') as Conditional;
          const stats = conditional[kind]!;
          result = localizeWindow({
            features: stats.features,
            kinds: stats.kinds,
            statistics: stats.statistics,
            null: localizers[kind]!.nullFor(WINDOW),
            alpha,
            ...(m.endsWith('+ks') ? { marginalPValues: ks } : {}),
          });
        }
        score(tally[m], result, attacked);
      }
    }
    log(`${key.padEnd(24)} ${methods.map((m) => `${m}: det ${pct(tally[m].detected, tally[m].windows)}% top1 ${pct(tally[m].top1, tally[m].windows)}%`).join(' | ')}`);
  }
  for (const localizer of Object.values(localizers)) await localizer.release();

  // Baseline for the speed ratio: one bare ONNX 'latent+vjp' pass over a 1000-row window (the
  // statistic needs two, plus the seeds and the window's latent moments in JS).
  let onnxPass: number | null = null;
  if (flow) {
    const scorer = await OnnxFlowScorer.create(flow, { outputs: 'latent+vjp' });
    const rows = drawRows(copula, WINDOW, random);
    const v = new Float32Array(WINDOW * D);
    for (let i = 0; i < 5; i++) await scorer.latentAndVjp(rows, v, WINDOW);
    const t0 = performance.now();
    const repeats = 200;
    for (let i = 0; i < repeats; i++) await scorer.latentAndVjp(rows, v, WINDOW);
    onnxPass = Math.round((repeats * WINDOW) / ((performance.now() - t0) / 1000));
    await scorer.release();
  }

  // Tables.
  const lines: string[] = [];
  lines.push(`| window | ${methods.map((m) => METHOD_LABEL[m]).join(' | ')} |`);
  lines.push(`|---|${methods.map(() => '---:').join('|')}|`);
  for (const [key, tally] of tallies) {
    const cellsText = methods.map((m) => {
      const t = tally[m];
      if (key === 'clean') return `${pct(t.detected, t.windows)}% FA`;
      return `${pct(t.detected, t.windows)} / ${pct(t.hits, t.reported)} / ${pct(t.hits, t.attacked)}`;
    });
    lines.push(`| ${key} | ${cellsText.join(' | ')} |`);
  }
  process.stderr.write(`\ndetection % / top-k precision % / top-k recall % (k = attacked features); clean: false alarm rate\n${lines.join('\n')}\n`);

  const top1: string[] = [`| attack (k = 1) | ${methods.map((m) => METHOD_LABEL[m]).join(' | ')} |`, `|---|${methods.map(() => '---:').join('|')}|`];
  for (const [key, tally] of tallies) {
    if (!key.endsWith('k=1')) continue;
    top1.push(`| ${key.replace(' k=1', '')} | ${methods.map((m) => `${pct(tally[m].top1, tally[m].windows)} (${pct(tally[m].flaggedHits, tally[m].flagged)})`).join(' | ')} |`);
  }
  process.stderr.write(`\nright feature ranked first, % of windows (precision of the BH-flagged set, %)\n${top1.join('\n')}\n`);

  const categorical = await categoricalSection(copula, train, holdout, names, { windows: intFlag(flags, 'categorical-windows', 100, 0), replicates, alpha, seed });

  const speed: Record<string, number> = Object.fromEntries(Object.entries(statSeconds).filter(([k]) => k === 'ks' || k in localizers).map(([k, s]) => [k, Math.round(statRows / s)]));
  if (onnxPass !== null) speed.onnxLatentVjpPass = onnxPass;
  process.stderr.write(`\nrows/s per core (whole statistic, one thread; onnxLatentVjpPass = one bare ONNX pass, the baseline): ${JSON.stringify(speed)}\n`);
  const summary = (key: string, m: Method) => {
    const t = tallies.get(key)?.[m];
    return t ? { detection: round(t.detected / t.windows, 3), top1: round(t.top1 / t.windows, 3), precision: round(t.hits / Math.max(1, t.reported), 3), recall: round(t.hits / Math.max(1, t.attacked), 3) } : null;
  };
  return {
    scenario: 'localize',
    seed,
    d: D,
    reference: REFERENCE,
    window: WINDOW,
    replicates,
    alpha,
    windowsPerCell: perCell,
    cleanWindows,
    copulaR2Median: round(median(copula.r2), 3),
    flow: training,
    fitSeconds,
    falseAlarm: tallies.has('clean') ? Object.fromEntries(methods.map((m) => [m, round(tallies.get('clean')![m].detected / cleanWindows, 3)])) : null,
    permuteStrongestK1: Object.fromEntries(methods.map((m) => [m, summary('permute ρ=1 k=1', m)])),
    rowsPerSecond: speed,
    categorical,
    seconds: round((performance.now() - wall0) / 1000, 1),
    machine: machineInfo(),
  };
}

// ---------------------------------------------------------------------------------------------
// A categorical feature: the conditional test (categorical.ts) against the marginal χ²

const TIERS = ['low', 'mid', 'high'];

/** tier = bins of x_0 + x_1 − 1 + 0.3·N(0, 1): a category that depends on two numeric features. */
function tiers(rows: Float32Array, n: number, random: () => number): string[] {
  const normal = gaussian(random);
  return Array.from({ length: n }, (_, r) => {
    const s = rows[r * D]! + rows[r * D + 1]! - 1 + 0.3 * normal();
    return s < -0.25 ? 'low' : s < 0.25 ? 'mid' : 'high';
  });
}

async function categoricalSection(
  copula: Copula,
  train: Float32Array,
  holdout: Float32Array,
  names: string[],
  options: { windows: number; replicates: number; alpha: number; seed: number },
): Promise<Record<string, { conditional: number; marginalChi2: number }> | null> {
  if (options.windows === 0) return null;
  const random = seededRandom(options.seed + 31);
  const refTiers = tiers(train, TRAIN, random);
  const holdTiers = tiers(holdout, REFERENCE - TRAIN, random);
  const refCounts = TIERS.map((t) => refTiers.filter((v) => v === t).length + holdTiers.filter((v) => v === t).length);
  const bundle = await fitFeatureLocalization({
    features: names,
    reference: { rows: train, n: TRAIN },
    holdout: { rows: holdout, n: REFERENCE - TRAIN },
    categorical: [{ feature: 'tier', reference: refTiers, holdout: holdTiers }],
    windowSizes: [WINDOW],
    replicates: options.replicates,
    alpha: options.alpha,
    seed: options.seed + 37,
  });
  const localizer = await FeatureLocalizer.create(bundle);
  const cells = [
    { key: 'clean', shuffle: 0, shift: 0 },
    { key: 'tier shuffled in 10% of rows', shuffle: 0.1, shift: 0 },
    { key: 'tier shuffled in 25% of rows', shuffle: 0.25, shift: 0 },
    { key: 'tier shuffled in 50% of rows', shuffle: 0.5, shift: 0 },
    { key: 'x_0 mean shift 0.4 sd, p(tier | x) intact', shuffle: 0, shift: 0.4 },
  ];
  const out: Record<string, { conditional: number; marginalChi2: number }> = {};
  const lines = ['| window (tier = bins of x_0 + x_1 + noise) | conditional test p ≤ α | marginal χ² p ≤ α |', '|---|---:|---:|'];
  for (const cell of cells) {
    let conditional = 0;
    let marginal = 0;
    for (let w = 0; w < options.windows; w++) {
      const rows = drawRows(copula, WINDOW, random);
      if (cell.shift > 0) for (let r = 0; r < WINDOW; r++) rows[r * D] = (rows[r * D] ?? outOfRange('rows', r * D, rows)) + cell.shift * BETA_SD;
      const tier = tiers(rows, WINDOW, random);
      if (cell.shuffle > 0) {
        const chosen = Array.from({ length: WINDOW }, (_, i) => i).filter(() => random() < cell.shuffle);
        const values = chosen.map((i) => tier[i]!);
        for (let i = values.length - 1; i > 0; i--) {
          const k = Math.floor(random() * (i + 1));
          [values[i], values[k]] = [values[k]!, values[i]!];
        }
        chosen.forEach((i, k) => (tier[i] = values[k]!));
      }
      const result = await localizer.testWindow(rows, WINDOW, { categories: { tier } });
      if (result.ranked.find((f) => f.feature === 'tier')!.pValue <= options.alpha) conditional++;
      const counts = TIERS.map((t) => tier.filter((v) => v === t).length);
      if (chiSquareHomogeneity(refCounts, counts).pValue <= options.alpha) marginal++;
    }
    out[cell.key] = { conditional: round(conditional / options.windows, 3), marginalChi2: round(marginal / options.windows, 3) };
    lines.push(`| ${cell.key} | ${pct(conditional, options.windows)}% | ${pct(marginal, options.windows)}% |`);
  }
  await localizer.release();
  process.stderr.write(`
categorical feature, ${options.windows} windows per row, Gaussian method (single-test rates at α = ${options.alpha})\n${lines.join('\n')}\n`);
  return out;
}

/** Marginal KS + BH alone: flagged = BH rejections, ranked by p-value. */
function marginalOnly(names: string[], pValues: number[], alpha: number): WindowLocalization {
  const bh = benjaminiHochberg(pValues, alpha);
  const ranked = names
    .map((feature, j) => ({ feature, kind: 'numeric' as const, rank: 0, statistic: NaN, z: NaN, pValue: NaN, adjustedP: NaN, marginalPValue: pValues[j]!, marginalAdjustedP: bh.adjusted[j]!, flagged: bh.rejected[j] ? ('marginal' as const) : null, since: null }))
    .sort((a, b) => a.marginalPValue - b.marginalPValue);
  ranked.forEach((f, i) => (f.rank = i + 1));
  const suspects = ranked.filter((f) => f.flagged !== null).map((f) => f.feature);
  return { detected: suspects.length > 0, alpha, ranked, suspects, pValue: Math.min(...bh.adjusted), nullWindowSize: WINDOW };
}

const round = (v: number | undefined, digits: number): number => (v === undefined ? NaN : Math.round(v * 10 ** digits) / 10 ** digits);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
