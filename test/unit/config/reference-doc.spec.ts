/**
 * docs/configuration.md: committed exactly as the schema renders it (CI fails when it is stale),
 * naming every key, and showing the defaults that parseConfig actually fills.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/config/index.js';
import { CONFIG_DOC, REGENERATE_CONFIG_DOC, renderConfigReference } from '../../../tools/config-doc/reference-doc.js';
import { CONFIG_SCHEMA } from '../../../src/config/schema.js';
import { everyKey, valueAt } from '../../../src/config/walk.js';
import { minimal } from './fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rendered = renderConfigReference();

describe(CONFIG_DOC, () => {
  it('is committed exactly as the schema renders it', () => {
    if (readFileSync(resolve(ROOT, CONFIG_DOC), 'utf8') !== rendered) {
      throw new Error(`${CONFIG_DOC} is stale: regenerate it with \`${REGENERATE_CONFIG_DOC}\` and commit it`);
    }
  });

  it('has a row for every key, each with what it does', () => {
    const keys = everyKey(CONFIG_SCHEMA);
    expect(keys.length).toBeGreaterThan(60);
    for (const { key, info } of keys) {
      expect([key, (info?.doc.length ?? 0) > 5]).toEqual([key, true]);
      const shown = key.includes('.') || key.includes('[') ? `| \`${key}\` |` : `## ${key}\n`; // top-level mappings are headings
      expect([key, rendered.includes(shown)]).toEqual([key, true]);
    }
  });

  it('shows as default exactly what parseConfig fills in', () => {
    // Defaults under kafka.ssl show with ssl: true, those of event-time windows with one.
    const configs = [minimal(), { ...minimal(), kafka: { brokers: ['k:9092'], ssl: true } }, { ...minimal(), window: { type: 'event-time', durationMs: 1000 } }]
      .map((raw) => parseConfig(raw));
    let compared = 0;
    for (const { key, info } of everyKey(CONFIG_SCHEMA)) {
      const literal = /^`([^`]+)`/.exec(info?.shown ?? '')?.[1];
      if (literal === undefined || literal.startsWith('window.')) continue; // a model's window inherits the default window's
      const path = key.replace(/\[\]/g, '.0').split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const value = configs.map((c) => valueAt(c, path)).find((v) => v !== undefined);
      expect([key, Array.isArray(value) ? JSON.stringify(value) : String(value)]).toEqual([key, literal]);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });
});
