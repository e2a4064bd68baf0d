/** Where the local Kafka broker's inputs live: the checkout (pom.xml, log4j2.yaml) and the jar cache. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { at } from '../core/indexing.js';

export const POM_RELATIVE = join('deploy', 'kafka', 'pom.xml');
export const LOG4J_RELATIVE = join('deploy', 'kafka', 'log4j2.yaml');

/** The repository root: the nearest directory above this module (src/infra, dist/infra or dist-tools/src/infra) holding deploy/kafka/pom.xml. */
export function repoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, POM_RELATIVE))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find ${POM_RELATIVE} above ${start}; is the shiftwatch checkout complete?`);
  }
}

/** The Kafka version pinned in deploy/kafka/pom.xml (the `kafka.version` property). */
export function kafkaVersion(root: string = repoRoot()): string {
  const pom = readFileSync(join(root, POM_RELATIVE), 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`${join(root, POM_RELATIVE)} has no <kafka.version> property`);
  return at(match, 1, 'kafka.version match');
}

/** Root of the shiftwatch cache: $SHIFTWATCH_CACHE_DIR, else $XDG_CACHE_HOME/shiftwatch, else ~/.cache/shiftwatch. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.SHIFTWATCH_CACHE_DIR) return resolve(env.SHIFTWATCH_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return resolve(env.XDG_CACHE_HOME, 'shiftwatch');
  return join(homedir(), '.cache', 'shiftwatch');
}
