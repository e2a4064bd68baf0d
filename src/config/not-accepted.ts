/**
 * Keys the schema refuses with a specific message instead of "unknown key": secrets that must not
 * be written in the file, and keys of earlier versions, which say what replaced them.
 */
import type { Complaint } from './fields.js';

type Reply = (key: string) => Complaint;

const idleCloseReplaced: Reply = (key) => ({
  problem: 'was replaced: windows now close when every input partition has read past them, and an idle partition stops holding them back after kafka.partitionIdleMs',
  fix: `remove ${key} (set kafka.partitionIdleMs to change the idle time, default 2000)`,
});

/** By the mapping's path with list indices dropped (`models.window`), then by key. */
const NOT_ACCEPTED: Readonly<Record<string, Readonly<Record<string, Reply>>>> = {
  'kafka.sasl': {
    password: () => ({
      problem: 'is not allowed',
      fix: 'passwords are never written in the config; remove it and set kafka.sasl.passwordEnv to the name of an ' +
        'environment variable holding the password, or kafka.sasl.passwordFile to a file containing it',
    }),
  },
  window: { idleCloseMs: idleCloseReplaced },
  'models.window': { idleCloseMs: idleCloseReplaced },
  detection: {
    numericTest: (key) => ({
      problem: 'was removed: numeric features are always tested with Kolmogorov-Smirnov (Wasserstein distance and PSI are always reported as statistics)',
      fix: `remove ${key}`,
    }),
    categoricalTest: (key) => ({ problem: 'was removed: categorical features are always tested with chi-square', fix: `remove ${key}` }),
  },
};

/** What to say about `name` written in the mapping at `path`, if it is a refused key. */
export function notAccepted(path: readonly PropertyKey[], name: string, key: string): Complaint | undefined {
  return NOT_ACCEPTED[sectionOf(path)]?.[name]?.(key);
}

const sectionOf = (path: readonly PropertyKey[]): string => path.filter((step) => typeof step === 'string').join('.');

/** Like notAccepted with `name` matched ignoring case (an environment variable's segment); `key` as declared. */
export function notAcceptedIgnoringCase(path: readonly PropertyKey[], name: string, parent: string): (Complaint & { key: string }) | undefined {
  const declared = Object.keys(NOT_ACCEPTED[sectionOf(path)] ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  if (declared === undefined) return undefined;
  const key = parent === '' ? declared : `${parent}.${declared}`;
  return { key, ...notAccepted(path, declared, key)! };
}

/** Every refused key as `section.key` with its message (for docs/configuration.md). */
export function everyNotAccepted(): { key: string; complaint: Complaint }[] {
  return Object.entries(NOT_ACCEPTED).flatMap(([section, keys]) =>
    Object.entries(keys).map(([name, reply]) => {
      const key = `${section.replace(/^models\./, 'models[].')}.${name}`;
      return { key, complaint: reply(key) };
    }));
}
