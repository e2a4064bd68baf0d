/** Tiny `--flag value` parser for the benchmark scenarios. Unknown flags are an error (exit 2). */
export class UsageError extends Error {}

export type Flags = Map<string, string>;

export function parseFlags(argv: readonly string[], known: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new UsageError(`unexpected argument "${arg}"`);
    const name = m[1]!;
    if (!known.includes(name)) throw new UsageError(`unknown flag --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

export function intFlag(flags: Flags, name: string, fallback: number, min = 1): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

export function intListFlag(flags: Flags, name: string, fallback: number[], min = 1): number[] {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new UsageError(`--${name} must be a comma-separated list of integers >= ${min}, got "${raw}"`);
  }
  return values;
}

/** `--replicas shared|active-standby`: the `kafka.replicas` mode a scenario runs the service in. */
export function replicasFlag(flags: Flags, fallback: 'shared' | 'active-standby'): 'shared' | 'active-standby' {
  const mode = flags.get('replicas') ?? fallback;
  if (mode !== 'shared' && mode !== 'active-standby') throw new Error(`--replicas must be shared or active-standby, got ${mode}`);
  return mode;
}

/** `--label-order arrival|event-time` (labels.order); arrival by default. */
export function labelOrderFlag(flags: Flags): 'arrival' | 'event-time' {
  const order = flags.get('label-order') ?? 'arrival';
  if (order !== 'arrival' && order !== 'event-time') throw new UsageError(`--label-order must be arrival or event-time, got "${order}"`);
  return order;
}
