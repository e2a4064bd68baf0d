/**
 * One fault scenario: it runs against a real broker and real `shiftwatch serve` processes and
 * returns the one JSON line it prints (`line`, fields fixed per scenario), whether the line meets
 * the scenario's targets, and details for the log. New scenarios (e.g. a crash loop) implement this
 * interface in their own file and register in scenarios.ts.
 */
import type { Flags } from '../args.js';
import type { Log } from './rig.js';

export interface ScenarioResult<L extends Record<string, unknown> = Record<string, unknown>> {
  /** The JSON line, `scenario` first. */
  line: L;
  /** Targets this line misses, in words; empty when it meets them all. */
  missed: string[];
  /** More detail for stderr (per-kind outcomes, timings, ...). */
  details?: Record<string, unknown>;
}

export interface ChaosScenario {
  name: string;
  /** One line for `npm run chaos -- --help`, with its flags and defaults. */
  help: string;
  flags: readonly string[];
  run(flags: Flags, log: Log): Promise<ScenarioResult>;
}

/** `--brokers h:p[,h:p]`: use these brokers instead of starting one. */
export function brokersFlag(flags: Flags): string[] | undefined {
  const raw = flags.get('brokers');
  return raw === undefined ? undefined : raw.split(',').map((b) => b.trim()).filter(Boolean);
}
