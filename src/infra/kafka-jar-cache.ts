/**
 * The broker jars for the Kafka version pinned in deploy/kafka/pom.xml, fetched once with Maven and
 * cached under <cacheDir>/kafka-<version>/libs. A download goes to a temporary directory that is
 * renamed into place only once complete, marker file included, so an interrupted download is never
 * taken for a finished one. The marker records the pom's hash: editing the pom fetches again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { POM_RELATIVE, defaultCacheDir, kafkaVersion, repoRoot } from './kafka-paths.js';
import { runCommand, withOutput } from './run-command.js';

const MARKER = '.complete';
/** A temporary download directory this old belongs to a process that was killed mid-download. */
const ABANDONED_AFTER_MS = 3_600_000;

interface Marker {
  version: string;
  pomSha256: string;
  jars: string[];
  fetchedAt: string;
}

/** Makes sure the broker jars are in the cache (fetching them on the first call) and returns the directory holding them. */
export async function ensureKafkaJars(options: { cacheDir?: string; log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? ((): void => {});
  const root = repoRoot();
  const version = kafkaVersion(root);
  const pomPath = join(root, POM_RELATIVE);
  const pomSha256 = createHash('sha256').update(readFileSync(pomPath)).digest('hex');
  const cacheRoot = resolve(options.cacheDir ?? defaultCacheDir());
  const versionDir = join(cacheRoot, `kafka-${version}`);
  const isComplete = (): Promise<boolean> => markerIsValid(versionDir, version, pomSha256);
  if (await isComplete()) return join(versionDir, 'libs');

  await mkdir(cacheRoot, { recursive: true });
  await removeAbandonedDownloads(cacheRoot, `.kafka-${version}.tmp-`);
  const temp = await mkdtemp(join(cacheRoot, `.kafka-${version}.tmp-`));
  try {
    log(`fetching Apache Kafka ${version} jars with Maven into ${versionDir} (first run only)`);
    const started = Date.now();
    const mvn = process.env.MVN ?? 'mvn';
    const result = await runCommand(mvn, ['-q', '-B', '-Dstyle.color=never', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${join(temp, 'libs')}`]);
    if (result.error || result.code !== 0) {
      const why = result.error ? `could not run ${mvn}: ${result.error.message} (install Maven 3.6+ or set MVN)` : `${mvn} exited with ${result.code}`;
      throw new Error(`fetching Kafka ${version} jars failed: ${why}${withOutput(result.output)}`);
    }
    const jars = (await readdir(join(temp, 'libs'))).filter((name) => name.endsWith('.jar')).sort();
    if (!jars.some((jar) => jar.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but kafka_2.13-${version}.jar is not among the ${jars.length} jars in ${join(temp, 'libs')}`);
    }
    const marker: Marker = { version, pomSha256, jars, fetchedAt: new Date().toISOString() };
    await writeFile(join(temp, MARKER), JSON.stringify(marker, null, 2) + '\n');
    await chmod(temp, 0o755); // mkdtemp makes it 0700
    // Replace an outdated or broken copy; if another process finished first, keep its copy.
    if (!(await isComplete())) {
      await rm(versionDir, { recursive: true, force: true });
      await rename(temp, versionDir).catch(async (error: unknown) => {
        if (!(await isComplete())) throw error;
      });
    }
    log(`fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return join(versionDir, 'libs');
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function markerIsValid(versionDir: string, version: string, pomSha256: string): Promise<boolean> {
  let marker: Marker;
  try {
    marker = JSON.parse(await readFile(join(versionDir, MARKER), 'utf8')) as Marker;
  } catch {
    return false;
  }
  if (marker.version !== version || marker.pomSha256 !== pomSha256 || !Array.isArray(marker.jars) || marker.jars.length === 0) return false;
  return marker.jars.every((jar) => existsSync(join(versionDir, 'libs', jar)));
}

async function removeAbandonedDownloads(cacheRoot: string, prefix: string): Promise<void> {
  for (const name of await readdir(cacheRoot)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(cacheRoot, name);
    const info = await stat(path).catch(() => undefined); // another process may have just removed it
    if (info && info.mtimeMs < Date.now() - ABANDONED_AFTER_MS) await rm(path, { recursive: true, force: true });
  }
}
