/**
 * Reading the configuration schema as a tree of keys: mappings (zod objects), lists (zod arrays)
 * and values, each described by its `KeyInfo`. The messages, the environment overrides, the path
 * resolution and docs/configuration.md all walk the schema through these few functions.
 */
import { resolve } from 'node:path';
import type { z } from 'zod';
import { KEYS, type KeyInfo } from './fields.js';
import { isPlainObject } from './problems.js';
import { at, entry } from '../core/indexing.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** The schema under its wrappers (default, optional, preprocess, transform): a mapping, a list or a value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  switch (def.type) {
    case 'default': case 'prefault': case 'optional': case 'nullable':
      return unwrap(def.innerType!);
    case 'pipe':
      return unwrap(defOf(def.out!).type === 'transform' ? def.in! : def.out!);
    default:
      return schema;
  }
}

/** The KeyInfo of a schema: the outermost one registered on it or its wrappers. */
export function infoOf(schema: z.ZodType): KeyInfo | undefined {
  const own = KEYS.get(schema);
  if (own !== undefined) return own;
  const inner = unwrap(schema);
  return inner === schema ? undefined : KEYS.get(inner);
}

/** The keys of a mapping, in declaration order; undefined for lists and values. */
export function fieldsOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** The schema of a list's entries; undefined for mappings and values. */
export function itemsOf(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'array' ? def.element : undefined;
}

/** The schema one step down: a key of a mapping or an index of a list. */
export function childOf(schema: z.ZodType, step: PropertyKey): z.ZodType | undefined {
  if (typeof step === 'number') return itemsOf(schema);
  const fields = fieldsOf(schema);
  return typeof step === 'string' && fields !== undefined && Object.hasOwn(fields, step) ? fields[step] : undefined;
}

/** `kafka.ssl.caFile`, `models[0].window.size`; the empty path is "(top level)". */
export function keyOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.reduce<string>((key, step) => (typeof step === 'number' ? `${key}[${step}]` : key === '' ? String(step) : `${key}.${String(step)}`), '');
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const step of path) {
    if (Array.isArray(value) && typeof step === 'number') value = value[step];
    else if (isPlainObject(value) && typeof step === 'string') value = value[step];
    else return undefined;
  }
  return value;
}

/** The deepest described key along `path` and how many steps down it is. */
export function describedAt(root: z.ZodType, path: readonly PropertyKey[]): { info: KeyInfo; depth: number } | undefined {
  let schema: z.ZodType | undefined = root;
  let found: { info: KeyInfo; depth: number } | undefined;
  for (let depth = 0; schema !== undefined; depth++) {
    const info = infoOf(schema);
    if (info !== undefined) found = { info, depth };
    if (depth === path.length) break;
    schema = childOf(schema, at(path, depth, 'config key path'));
  }
  return found;
}

/** Every key below `root` with its schema and info, depth first in declaration order (lists as `[]`). */
export function everyKey(root: z.ZodType, prefix = ''): { key: string; schema: z.ZodType; info: KeyInfo | undefined }[] {
  const entries = itemsOf(root);
  if (entries !== undefined) return fieldsOf(entries) === undefined ? [] : everyKey(entries, `${prefix}[]`);
  const out: { key: string; schema: z.ZodType; info: KeyInfo | undefined }[] = [];
  for (const [name, schema] of Object.entries(fieldsOf(root) ?? {})) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    out.push({ key, schema, info: infoOf(schema) }, ...everyKey(schema, key));
  }
  return out;
}

/** A copy of `value` with every path-valued key resolved against `baseDir`. */
export function resolvePaths(schema: z.ZodType, value: unknown, baseDir: string): unknown {
  if (infoOf(schema)?.path && typeof value === 'string' && value.trim() !== '') return resolve(baseDir, value);
  const fields = fieldsOf(schema);
  if (fields !== undefined && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Object.hasOwn(fields, k) ? resolvePaths(entry(fields, k, 'config fields'), v, baseDir) : v]));
  }
  const items = itemsOf(schema);
  if (items !== undefined && Array.isArray(value)) return value.map((v) => resolvePaths(items, v, baseDir));
  return value;
}
