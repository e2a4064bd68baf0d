/**
 * docs/configuration.md, rendered from the schema: every key with its value kind and range, its
 * default, its environment variable and what it does. `scripts/config-doc` writes it; a unit test
 * fails when the committed file differs.
 */
import type { z } from 'zod';
import { everyNotAccepted } from '../../src/config/not-accepted.js';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { everyKey, fieldsOf, infoOf } from '../../src/config/walk.js';

export const CONFIG_DOC = 'docs/configuration.md';
export const REGENERATE_CONFIG_DOC = 'scripts/config-doc';

const INTRO = `# Configuration reference

<!-- Generated from src/config/ by ${REGENERATE_CONFIG_DOC}: edit the schema, not this file. -->

shiftwatch reads one YAML file, named by \`--config\` or the environment variable
\`SHIFTWATCH_CONFIG\`; \`config/shiftwatch.example.yaml\` shows every key with its default.
Relative paths are resolved against the config file's directory. The file is checked at startup:
every problem (an unknown key, with the closest known key suggested; a bad value; a missing file
or secret) is reported at once, one line each, naming the key and the fix, and the service stops.
A value that may hold a secret is never repeated in a message.

**Environment overrides.** \`SHIFTWATCH__<KEY>__<KEY>=value\` sets any key: segments match key
names ignoring case, a number indexes a list (\`SHIFTWATCH__MODELS__0__WINDOW__SIZE=500\`), and the
value is read as the key's kind (a number; \`true\`/\`false\`; a comma-separated list; else text).
An empty value removes the key, so its default applies. \`SHIFTWATCH_BROKERS=h1:9092,h2:9092\` is
shorthand for \`kafka.brokers\`. Overrides are checked with the file, and an override that names no
key is an error.

**Secrets** are never written in the file: \`kafka.sasl.passwordEnv\` names an environment
variable and \`kafka.sasl.passwordFile\` a file holding the password; TLS material is read from the
files named under \`kafka.ssl\` and \`http.webConfigFile\`.
`;

/** Markdown table cell: no line breaks, pipes escaped. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

const envName = (key: string): string => `SHIFTWATCH__${key.replace(/\[\]/g, '.<n>').split('.').join('__').toUpperCase()}`;

function row(key: string, schema: z.ZodType): string {
  const info = infoOf(schema);
  if (info === undefined) throw new Error(`config key ${key} has no description in the schema`);
  const mapping = fieldsOf(schema) !== undefined && info.env === undefined;
  const shown = info.shown !== undefined ? info.shown : mapping ? '' : schema.safeParse(undefined).success ? 'none' : 'required';
  const env = info.env === undefined ? '' : `\`${envName(key)}\``;
  return `| \`${key}\` | ${cell(info.what)} | ${cell(shown)} | ${env} | ${cell(info.doc)} |`;
}

export function renderConfigReference(): string {
  const out = [INTRO];
  for (const [name, schema] of Object.entries(fieldsOf(CONFIG_SCHEMA) ?? {})) {
    out.push(`## ${name}`, '', infoOf(schema)?.doc ?? '', '');
    out.push('| key | value | default | environment variable | what it does |', '|---|---|---|---|---|');
    const own = fieldsOf(schema) === undefined ? [row(name, schema)] : [];
    out.push(...own, ...everyKey(schema, name).map((k) => row(k.key, k.schema)), '');
  }
  out.push('## Keys that are refused', '', 'Keys that are not, or no longer, accepted, with what the error says.', '');
  out.push('| key | message |', '|---|---|');
  for (const { key, complaint } of everyNotAccepted()) out.push(`| \`${key}\` | ${cell(`${complaint.problem}. Fix: ${complaint.fix}`)} |`);
  return `${out.join('\n')}\n`;
}
