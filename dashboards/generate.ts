/**
 * Writes the dashboards to `dashboards/*.json` (or `--out DIR`); with `--check`, writes nothing
 * and exits 1 listing the files that differ from what the sources generate.
 *
 *   npm run build:tools && node dist-tools/dashboards/generate.js [--check] [--out DIR]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../src/infra/kafka-paths.js';
import { renderDashboards } from './index.js';

const DEFAULT_DIR = join(repoRoot(), 'dashboards');

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const at = argv.indexOf('--out');
  const dir = at >= 0 && argv[at + 1] ? resolve(argv[at + 1]!) : DEFAULT_DIR;
  const stale: string[] = [];
  for (const [file, json] of renderDashboards()) {
    const path = join(dir, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === json) continue;
    if (check) {
      stale.push(path);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, json);
    console.log(`wrote ${path}`);
  }
  if (stale.length > 0) {
    console.error(`stale dashboards (regenerate with \`npm run build:tools && node dist-tools/dashboards/generate.js\`):\n  ${stale.join('\n  ')}`);
    return 1;
  }
  if (check) console.log('dashboards are up to date');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
