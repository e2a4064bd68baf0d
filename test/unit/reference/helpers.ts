import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceDataError } from '../../../src/core/errors.js';

/** A scratch directory under os.tmpdir(); call `cleanup` in afterAll. */
export function scratch(): { write(name: string, content: string | Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'shiftwatch-ref-'));
  return {
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs `action` and asserts it fails with a ReferenceDataError whose message has a "Fix:" part and
 * contains every fragment. Returns the error for further checks.
 */
export async function expectRefError(action: () => unknown, ...fragments: string[]): Promise<ReferenceDataError> {
  let caught: unknown;
  try {
    await action();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ReferenceDataError);
  const err = caught as ReferenceDataError;
  expect(err.message).toMatch(/\. Fix: \S/);
  for (const f of fragments) expect(err.message).toContain(f);
  return err;
}
