/** Checks, before any work, that a command can write its output directory. */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Returns a problem with `dir` as an output directory, or undefined when it can be written: an
 * existing directory must be writable; a missing one must have a writable directory as its nearest
 * existing ancestor (it is created there).
 */
export function outputDirProblem(dir: string): string | undefined {
  let path = resolve(dir);
  let missing = false;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot inspect ${path} (${(error as NodeJS.ErrnoException).code})`;
      const parent = dirname(path);
      if (parent === path) return `no part of ${resolve(dir)} exists`;
      path = parent;
      missing = true;
      continue;
    }
    if (!isDirectory) return missing ? `${path} is a file, so ${resolve(dir)} cannot be created` : `${path} is a file, not a directory`;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return `${path} is not writable by this user`;
    }
    return undefined;
  }
}
