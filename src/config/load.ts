import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { collectEnvOverrides } from './env.js';
import { Problems } from './problems.js';
import { collectConfig } from './schema.js';
import { collectSecrets } from './secrets.js';
import type { ShiftwatchConfig } from './types.js';

export const CONFIG_FILE_ENV = 'SHIFTWATCH_CONFIG';

export interface LoadOptions {
  /** YAML file; default: the file named by env SHIFTWATCH_CONFIG. */
  file?: string;
  /** Environment for overrides and SHIFTWATCH_CONFIG; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Also check that the secrets the config refers to can be read (the service needs them; `fit` does not). */
  checkSecrets?: boolean;
}

/**
 * Reads the YAML file, applies environment overrides and validates the result. Relative paths in
 * the file are resolved against the file's directory. Env and schema problems are reported together.
 */
export function loadConfig(options: LoadOptions = {}): ShiftwatchConfig {
  const env = options.env ?? process.env;
  const given = options.file ?? env[CONFIG_FILE_ENV];
  const key = options.file !== undefined ? 'file' : CONFIG_FILE_ENV;
  if (given === undefined || given.trim() === '') {
    throw new ConfigError(CONFIG_FILE_ENV, 'no configuration file was given',
      `set ${CONFIG_FILE_ENV} to the path of a YAML config file (start from config/shiftwatch.example.yaml)`);
  }
  const file = resolve(given);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const problem = code === 'ENOENT' ? `config file ${file} does not exist` : `cannot read config file ${file} (${code})`;
    throw new ConfigError(key, problem, `check the path${key === CONFIG_FILE_ENV ? ` in ${CONFIG_FILE_ENV}` : ''} and that the service may read the file`);
  }
  const p = new Problems();
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  for (const e of doc.errors) {
    const at = e.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    p.add(file, `is not valid YAML${where}: ${e.message.replace(/\n[\s\S]*$/, '').replace(/ at line \d+, column \d+:?$/, '')}`, 'correct the YAML syntax (check indentation and quoting)');
  }
  p.throwIfAny();
  const raw = collectEnvOverrides(p, doc.toJS({ maxAliasCount: 100 }), env);
  const { config, checked } = collectConfig(p, raw, { baseDir: dirname(file) });
  if (options.checkSecrets) collectSecrets(p, config ?? checked, env);
  p.throwIfAny();
  return config!;
}
