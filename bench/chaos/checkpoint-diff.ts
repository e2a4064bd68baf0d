/**
 * Compares two checkpoints of one model (the crash loop's last against the uninterrupted run's):
 * window progress and every detector's state, field by field in their JSON form.
 *
 * accuracy-floor's backtest is fed by realized accuracy, i.e. by when labels reach the in-memory
 * label join relative to the windows; it is compared and reported on its own (`labelFed`), since
 * label timing differs between any two runs (the crash loop's stream is paced, the uninterrupted
 * run reads a full topic), not only across restarts.
 */
import type { ModelCheckpoint } from '../../src/core/detectors/state-codec.js';

export interface CheckpointDiff {
  /** What was compared: "windowsClosed", "detector:<name>", ... */
  compared: string[];
  /** What differs (label-fed parts excepted). */
  differences: string[];
  /** The label-fed parts: whether they are equal, and how many windows each run learned realized accuracy for. */
  labelFed: Record<string, { equal: boolean; windowsLearned: [number | undefined, number | undefined] }>;
}

/** Parts of a detector's state that learn from labels: compared apart. */
const LABEL_FED: Readonly<Record<string, readonly string[]>> = { 'accuracy-floor': ['backtest'] };

export function compareCheckpoints(a: ModelCheckpoint | undefined, b: ModelCheckpoint | undefined): CheckpointDiff {
  const diff: CheckpointDiff = { compared: [], differences: [], labelFed: {} };
  if (a === undefined || b === undefined) {
    diff.differences.push(a === undefined ? 'no checkpoint of the crash loop' : 'no checkpoint of the uninterrupted run');
    return diff;
  }
  const same = (name: string, x: unknown, y: unknown) => {
    diff.compared.push(name);
    if (JSON.stringify(x) !== JSON.stringify(y)) diff.differences.push(name);
  };
  same('windowsClosed', a.windowsClosed, b.windowsClosed);
  same('closedThrough', sorted(a.closedThrough), sorted(b.closedThrough));
  same('releasedUntil', a.releasedUntil, b.releasedUntil);
  for (const name of [...new Set([...Object.keys(a.detectors), ...Object.keys(b.detectors)])].sort()) {
    const x = a.detectors[name];
    const y = b.detectors[name];
    const apart = LABEL_FED[name] ?? [];
    const rest = (d: typeof x) => d && { ...d, state: omit(d.state, apart) };
    same(`detector:${name}`, rest(x), rest(y));
    for (const field of apart) {
      const [p, q] = [pick(x?.state, field), pick(y?.state, field)];
      diff.labelFed[`${name}.${field}`] = { equal: JSON.stringify(p) === JSON.stringify(q), windowsLearned: [learned(p), learned(q)] };
    }
  }
  return diff;
}

/** Windows whose realized accuracy a backtest learned (its `labelled` list). */
const learned = (backtest: unknown) => {
  const list = (backtest as { labelled?: unknown } | undefined)?.labelled;
  return Array.isArray(list) ? list.length : undefined;
};
const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([p], [q]) => p.localeCompare(q)));
const pick = (state: unknown, field: string) => (state as Record<string, unknown> | undefined)?.[field];
function omit(state: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || typeof state !== 'object' || state === null) return state;
  return Object.fromEntries(Object.entries(state).filter(([k]) => !fields.includes(k)));
}
