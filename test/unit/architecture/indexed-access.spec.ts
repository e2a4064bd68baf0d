/**
 * The product compiles with `noUncheckedIndexedAccess`, and no indexed read is silenced with a
 * non-null assertion (`xs[i]!`): an index is either guaranteed by the loop (for…of, entries) or
 * checked, failing with a message that names what was indexed (src/core/indexing.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Lines holding `]!` that is not the start of `!=` / `!==`. */
function assertedIndexReads(text: string): number[] {
  return text.split('\n').flatMap((line, i) => (/\]!(?!=)/.test(line) ? [i + 1] : []));
}

describe('indexed access in src/', () => {
  it('finds an asserted read and leaves a comparison alone (the check itself)', () => {
    expect(assertedIndexReads('const a = xs[i]!;\nif (xs[i] !== y) f();\nif (xs[i]!== y) g();')).toEqual([1]);
  });

  it('has the compiler flag on', () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions.noUncheckedIndexedAccess).toBe(true);
  });

  it('asserts no indexed read non-null', () => {
    const found = sources(join(ROOT, 'src')).flatMap((file) =>
      assertedIndexReads(readFileSync(file, 'utf8')).map((line) => `${relative(ROOT, file)}:${line}`));
    expect(found).toEqual([]);
  });
});
