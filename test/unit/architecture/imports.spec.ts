/**
 * The import graph of the product (src/) and its tooling (bench/, tools/, dashboards/), read by
 * madge the way `npx madge --circular --extensions ts src bench tools dashboards` reads it (type
 * imports count: a cycle through types still ties the modules together):
 * no import cycles; the product never imports tooling; every file of the shell (src/ outside
 * src/core/) is run by a command, so tooling cannot settle in src/.
 */
import madge from 'madge';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOOLING = ['bench/', 'tools/', 'dashboards/'];
/** What the `shiftwatch` commands load: the CLI, which imports every command (some lazily). */
const ENTRY = 'src/cli/main.ts';

let graph: Record<string, string[]>;
let cycles: string[][];

beforeAll(async () => {
  const result = await madge(['src', ...TOOLING.map((d) => d.slice(0, -1))], { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: `${ROOT}tsconfig.json` });
  graph = result.obj();
  cycles = result.circular();
});

describe('import graph', () => {
  it('reads the product and every tooling folder, resolving the .js specifiers to the sources', () => {
    expect(graph[ENTRY]).toContain('src/cli/serve-command.ts');
    for (const dir of TOOLING) expect(Object.keys(graph).some((f) => f.startsWith(dir))).toBe(true);
    expect(graph['bench/main.ts']).toEqual(expect.arrayContaining([expect.stringMatching(/^bench\/args\.ts$/)]));
  });

  it('has no import cycle', () => {
    expect(cycles.map((cycle) => cycle.join(' > '))).toEqual([]);
  });

  it('keeps the product free of tooling imports', () => {
    const leaks = Object.entries(graph)
      .filter(([file]) => file.startsWith('src/'))
      .flatMap(([file, deps]) => deps.filter((dep) => !dep.startsWith('src/')).map((dep) => `${file} -> ${dep}`));
    expect(leaks).toEqual([]);
  });

  it('runs every file of src/ outside the pure core from a command', () => {
    const reached = new Set<string>();
    const stack = [ENTRY];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      stack.push(...(graph[file] ?? []));
    }
    const idle = Object.keys(graph).filter((f) => f.startsWith('src/') && !f.startsWith('src/core/') && !reached.has(f));
    expect(idle).toEqual([]); // tooling belongs in bench/ or tools/ (see their READMEs)
  });
});
