/**
 * Environment overrides. `SHIFTWATCH__A__B__C=value` sets key path a.b.c; segments match known keys
 * case-insensitively (SHIFTWATCH__KAFKA__GROUPID → kafka.groupId), numeric segments index lists
 * (SHIFTWATCH__MODELS__0__BUNDLE), and the value is parsed by the key's kind: comma-separated list,
 * number, boolean or string. An empty value removes the key, so its default applies.
 * `SHIFTWATCH_BROKERS=h1:9092,h2:9092` is shorthand for kafka.brokers (the `__` form wins if both).
 */
import type { z } from 'zod';
import type { EnvKind } from './fields.js';
import { notAcceptedIgnoringCase } from './not-accepted.js';
import { Problems, closest, isPlainObject, join } from './problems.js';
import { CONFIG_SCHEMA } from './schema.js';
import { fieldsOf, infoOf, itemsOf } from './walk.js';
import { entry } from '../core/indexing.js';

const PREFIX = 'SHIFTWATCH__';
export const BROKERS_SHORTHAND = 'SHIFTWATCH_BROKERS';

export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const p = new Problems();
  const result = collectEnvOverrides(p, raw, env);
  p.throwIfAny();
  return result;
}

/** Like applyEnvOverrides but reports into `p`. Returns a modified copy; `raw` is not touched. */
export function collectEnvOverrides(p: Problems, raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const root: unknown = raw === undefined || raw === null ? {} : clone(raw);
  if (!isPlainObject(root)) return root; // parseConfig reports the bad top level
  const shorthand = env[BROKERS_SHORTHAND];
  if (shorthand !== undefined) set(p, root, ['kafka', 'brokers'], parseList(shorthand), BROKERS_SHORTHAND);
  const skip = passwordEnvName(root);
  const names = Object.keys(env)
    .filter((n) => n.startsWith(PREFIX) && n !== skip && env[n] !== undefined)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const name of names) {
    const target = resolvePath(p, name);
    const raw = env[name];
    if (target === undefined || raw === undefined) continue;
    const value = parseValue(p, name, target.kind, raw);
    if (value !== INVALID) set(p, root, target.keys, value, name);
  }
  return root;
}

/** Maps a variable name to a key path in the schema, or reports why it matches no key. */
function resolvePath(p: Problems, name: string): { keys: (string | number)[]; kind: EnvKind } | undefined {
  const segments = name.slice(PREFIX.length).split('__');
  const keys: (string | number)[] = [];
  let node: z.ZodType = CONFIG_SCHEMA;
  let path = '';
  for (const [i, seg] of segments.entries()) {
    const suggest = (word: string): string =>
      `did you mean \`${PREFIX}${[...segments.slice(0, i), word].join('__').toUpperCase()}\`? `;
    if (seg === '') {
      p.add(name, 'has an empty key segment', `separate key names with exactly two underscores, e.g. ${PREFIX}KAFKA__GROUPID`);
      return undefined;
    }
    const kind = infoOf(node)?.env;
    const items = kind === 'list' ? undefined : itemsOf(node);
    const fields = kind !== undefined && kind !== 'boolean' ? undefined : fieldsOf(node);
    if (items !== undefined) {
      if (!/^\d+$/.test(seg)) {
        p.add(name, `"${seg}" is not an index into the list ${path}`, `use a number, e.g. ${PREFIX}MODELS__0__BUNDLE`);
        return undefined;
      }
      keys.push(Number(seg));
      path = join(path, Number(seg));
      node = items;
    } else if (fields !== undefined) {
      const known = Object.keys(fields);
      const field = known.find((k) => k.toLowerCase() === seg.toLowerCase());
      if (field === undefined) {
        const refused = notAcceptedIgnoringCase(keys, seg, path);
        if (refused !== undefined) p.add(name, `would set ${refused.key}, which ${refused.problem}`, refused.fix);
        else {
          const match = closest(seg, known);
          p.add(name, `matches no configuration key: there is no "${seg}" under ${path === '' ? 'the top level' : path}`,
            `${match === undefined ? '' : suggest(match)}known keys there: ${known.join(', ')}`);
        }
        return undefined;
      }
      keys.push(field);
      path = join(path, field);
      node = entry(fields, field, `fields of ${path}`);
    } else {
      p.add(name, `${path} is a single value and has no key "${seg}"`, `set ${PREFIX}${segments.slice(0, i).join('__')} instead`);
      return undefined;
    }
  }
  const kind = infoOf(node)?.env;
  if (kind !== undefined) return { keys, kind };
  p.add(name, `${path} is a section, not a single value`, `set one key inside it, e.g. ${name}__<KEY>`);
  return undefined;
}

const INVALID = Symbol('invalid');
const REMOVE = Symbol('remove');
const BOOLEANS: Record<string, boolean> = { true: true, yes: true, on: true, 1: true, false: false, no: false, off: false, 0: false };

function parseValue(p: Problems, name: string, kind: EnvKind, value: string): unknown {
  const text = value.trim();
  if (text === '') return REMOVE;
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return parseList(value);
    case 'number': {
      const n = Number(text);
      if (Number.isFinite(n)) return n;
      p.add(name, `must be a number, got ${JSON.stringify(text.slice(0, 40))}`, `set ${name} to a plain number such as 3000`);
      return INVALID;
    }
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()];
      if (b !== undefined) return b;
      p.add(name, `must be true or false, got ${JSON.stringify(text.slice(0, 40))}`, `set ${name} to true or false`);
      return INVALID;
    }
  }
}

function parseList(value: string): unknown {
  return value.trim() === '' ? REMOVE : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Sets (or with REMOVE deletes) `keys` in `root`, creating sections and list entries on the way. */
function set(p: Problems, root: Record<string, unknown>, keys: readonly (string | number)[], value: unknown, name: string): void {
  let container: Record<string, unknown> | unknown[] = root;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    if (Array.isArray(container)) {
      const index = key as number;
      if (index > container.length) {
        p.add(name, `list index ${index} skips entry ${container.length}`, `number list entries without gaps; the next one is ${container.length}`);
        return;
      }
    }
    const slot = container as Record<string | number, unknown>;
    if (last) {
      if (value === REMOVE) delete slot[key];
      else slot[key] = value;
      return;
    }
    const wantList = typeof keys[i + 1] === 'number';
    let next = slot[key];
    if (wantList ? !Array.isArray(next) : !isPlainObject(next)) {
      if (value === REMOVE) return; // nothing there to remove
      next = wantList ? [] : {};
      slot[key] = next;
    }
    container = next as Record<string, unknown> | unknown[];
  }
}

function passwordEnvName(root: Record<string, unknown>): string | undefined {
  const kafka = root.kafka;
  const sasl = isPlainObject(kafka) ? kafka.sasl : undefined;
  const name = isPlainObject(sasl) ? sasl.passwordEnv : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Deep copy of plain data (mappings, lists, scalars). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}
