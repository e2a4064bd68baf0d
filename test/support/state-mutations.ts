/**
 * Structural corruptions of a detector state, for checking that its decoder refuses every one:
 * in each record (an object with fixed fields), an unexpected field added and each field removed;
 * at every value, a value of another type; every nested `stateVersion`, the next version. Objects keyed by data (a feature name, an estimator)
 * are not records: their keys may come and go, so only their values are corrupted. Such objects
 * are named by path, `*` standing for any array index or key (e.g. 'backtest.pending.*.estimates').
 * Arrays are entered through their first element.
 */

export interface StateMutation {
  /** What was changed, e.g. "removed drift.episode". */
  what: string;
  state: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function structuralMutations(state: unknown, maps: readonly string[]): StateMutation[] {
  const root = JSON.parse(JSON.stringify(state)) as Json;
  const out: StateMutation[] = [];
  const mutate = (path: readonly (string | number)[], what: string, change: (parent: Record<string | number, Json>, key: string | number) => void) => {
    const copy = structuredClone(root);
    let node = copy as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
    change(node, path[path.length - 1]!);
    out.push({ what, state: copy });
  };
  const visit = (value: Json, path: (string | number)[], pattern: string[]) => {
    const shown = path.join('.') || '(the state)';
    if (path.length > 0) {
      mutate(path, `${shown} of another type`, (parent, key) => (parent[key] = otherType(value)));
      if (path.at(-1) === 'stateVersion' && typeof value === 'number') mutate(path, `${shown} of the next version`, (parent, key) => (parent[key] = value + 1));
    }
    if (Array.isArray(value)) {
      if (value.length > 0) visit(value[0]!, [...path, 0], [...pattern, '*']);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const entries = Object.entries(value);
    if (maps.includes(pattern.join('.'))) {
      if (entries.length > 0) visit(entries[0]![1], [...path, entries[0]![0]], [...pattern, '*']);
      return;
    }
    if (path.length === 0) out.push({ what: 'an unexpected field in the state', state: { ...value, unexpected: 1 } });
    else mutate(path, `an unexpected field in ${shown}`, (parent, key) => ((parent[key] as Record<string, Json>).unexpected = 1));
    for (const [key, child] of entries) {
      const at = [...path, key];
      if (path.length === 0) {
        const { [key]: _removed, ...rest } = value;
        out.push({ what: `removed ${key}`, state: rest });
      } else {
        mutate(at, `removed ${at.join('.')}`, (parent, k) => delete parent[k]);
      }
      visit(child, at, [...pattern, key]);
    }
  };
  visit(root, [], []);
  return out;
}

/** A value no field of the same name could legitimately hold. */
function otherType(value: Json): Json {
  if (value === null) return true;
  if (typeof value === 'number' || typeof value === 'boolean') return 'x';
  return 7;
}
