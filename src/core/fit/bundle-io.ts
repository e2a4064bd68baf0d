/** Reads and writes reference bundle directories (`<dir>/bundle.json`), atomically. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_FORMAT_VERSION, type ReferenceBundle } from '../reference/bundle-types.js';
import { ShiftwatchError } from '../errors.js';

export const BUNDLE_FILE = 'bundle.json';

export async function writeBundle(dir: string, bundle: ReferenceBundle): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, BUNDLE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(bundle));
  await rename(tmp, path);
  return path;
}

export async function readBundle(dir: string): Promise<ReferenceBundle> {
  const path = join(dir, BUNDLE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ShiftwatchError(`reference bundle ${path} cannot be read (${(error as Error).message}); run \`shiftwatch fit\` to create it`, { cause: error });
  }
  let bundle: ReferenceBundle;
  try {
    bundle = JSON.parse(text) as ReferenceBundle;
  } catch (error) {
    throw new ShiftwatchError(`reference bundle ${path} is not valid JSON; re-run \`shiftwatch fit\``, { cause: error });
  }
  if (bundle.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new ShiftwatchError(
      `reference bundle ${path} has format ${String(bundle.formatVersion)}, this shiftwatch reads format ${BUNDLE_FORMAT_VERSION} only` +
        (Number(bundle.formatVersion) < BUNDLE_FORMAT_VERSION ? ' (format 2 added the class names, the reference size and its time order)' : '') +
        '; refit it from its reference data with `shiftwatch fit`',
    );
  }
  if (!Array.isArray(bundle.features) || bundle.features.length === 0) {
    throw new ShiftwatchError(`reference bundle ${path} has no features; re-run \`shiftwatch fit\``);
  }
  return bundle;
}
