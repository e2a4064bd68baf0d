/**
 * Jest globalSetup: starts the real local Kafka broker (src/infra/local-kafka.ts) once for the
 * whole run and exports its address as SHIFTWATCH_TEST_BROKERS. Skipped when
 * SHIFTWATCH_TEST_BROKERS is already set (an external broker), when SHIFTWATCH_SKIP_KAFKA=1, and
 * when none of the selected tests needs Kafka (see runNeedsKafka), so `jest test/unit` stays fast.
 *
 * Jest loads this file through its CommonJS require hook and Node's native ESM loader, not through
 * jest's own module system, so a plain `import ... from '../../src/infra/local-kafka.js'` cannot
 * be resolved here (there is no .js file under src/). We therefore register a small Node module
 * hook that maps a missing `x.js` to an existing `x.ts` and transpiles it with the project's
 * TypeScript, and load the module with a dynamic import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalKafka } from '../../src/infra/local-kafka.js';

type LocalKafkaModule = typeof import('../../src/infra/local-kafka.js');

declare global {
  // Read by test/support/global-teardown.ts (same process as this setup).
  var __shiftwatchLocalKafka: LocalKafka | undefined;
}

const tsHooks = (typescriptUrl: string): string => `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from ${JSON.stringify(typescriptUrl)};

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const local = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !local || !specifier.endsWith('.js')) throw error;
    const url = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (!existsSync(fileURLToPath(url))) throw error;
    return { url: url.href, format: 'module', shortCircuit: true };
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      inlineSourceMap: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
`;

let hooksRegistered = false;

async function importLocalKafka(rootDir: string): Promise<LocalKafkaModule> {
  if (!hooksRegistered) {
    const typescript = createRequire(join(rootDir, 'package.json')).resolve('typescript');
    register(`data:text/javascript,${encodeURIComponent(tsHooks(pathToFileURL(typescript).href))}`);
    hooksRegistered = true;
  }
  return (await import(pathToFileURL(join(rootDir, 'src', 'infra', 'local-kafka.js')).href)) as LocalKafkaModule;
}

/** The parts of jest's global config this setup reads (jest 30 names, with jest 29's testPathPattern as a fallback). */
interface JestGlobalConfig {
  rootDir?: string;
  listTests?: boolean;
  onlyChanged?: boolean;
  findRelatedTests?: boolean;
  changedSince?: string;
  testPathPatterns?: { isSet?: () => boolean; toExecutor?: (options: { rootDir: string }) => { isMatch: (path: string) => boolean } };
  testPathPattern?: string;
}

function specFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...specFiles(path));
    else if (/\.(spec|test)\.ts$/.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * Whether this jest run selects any test that needs Kafka: one under test/integration/, or one
 * that mentions kafka-env or SHIFTWATCH_TEST_BROKERS. `jest test/unit` therefore starts no
 * broker. When the selection cannot be worked out (--onlyChanged, --findRelatedTests, an
 * unreadable config), the answer is yes.
 */
function runNeedsKafka(rootDir: string, config: JestGlobalConfig | undefined): boolean {
  try {
    if (config?.listTests) return false;
    if (!config || config.onlyChanged || config.findRelatedTests || config.changedSince) return true;
    let selected: (path: string) => boolean = () => true;
    const patterns = config.testPathPatterns;
    if (patterns && typeof patterns.toExecutor === 'function') {
      if (patterns.isSet?.() !== false) {
        const executor = patterns.toExecutor({ rootDir: config.rootDir ?? rootDir });
        selected = (path) => executor.isMatch(path);
      }
    } else if (config.testPathPattern) {
      const pattern = new RegExp(config.testPathPattern, 'i');
      selected = (path) => pattern.test(path);
    }
    const integrationDir = join(rootDir, 'test', 'integration') + sep;
    return specFiles(join(rootDir, 'test'))
      .filter(selected)
      .some((path) => path.startsWith(integrationDir) || /kafka-env|SHIFTWATCH_TEST_BROKERS/.test(readFileSync(path, 'utf8')));
  } catch {
    return true;
  }
}

export default async function globalSetup(globalConfig?: JestGlobalConfig, projectConfig?: { rootDir?: string }): Promise<void> {
  if (process.env.SHIFTWATCH_TEST_BROKERS) {
    console.log(`\n[kafka] using external broker(s) ${process.env.SHIFTWATCH_TEST_BROKERS}`);
    return;
  }
  if (process.env.SHIFTWATCH_SKIP_KAFKA === '1') {
    console.log('\n[kafka] SHIFTWATCH_SKIP_KAFKA=1: no broker started');
    return;
  }
  const rootDir = projectConfig?.rootDir ?? process.cwd();
  if (!runNeedsKafka(rootDir, globalConfig)) return;
  const { startLocalKafka } = await importLocalKafka(rootDir);
  const started = Date.now();
  const kafka = await startLocalKafka({ log: (line) => console.log(`[kafka] ${line}`) });
  globalThis.__shiftwatchLocalKafka = kafka;
  process.env.SHIFTWATCH_TEST_BROKERS = kafka.brokers.join(',');
  console.log(`[kafka] local broker ${process.env.SHIFTWATCH_TEST_BROKERS} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
