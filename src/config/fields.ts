/**
 * Building blocks of the configuration schema. Each block is a zod schema registered with a
 * `KeyInfo`: what the key does, its type and range in words, its default, and how a bad value is
 * explained. The schema (schema.ts) is written with these blocks only, so that validation, the
 * environment overrides, the messages and docs/configuration.md all read the same declaration.
 */
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { describe, didYouMean } from './problems.js';

/** A problem with a value, without its key: `config <key>: <problem>. Fix: <fix>`. */
export interface Complaint {
  problem: string;
  fix: string;
}

/** How the text of a SHIFTWATCH__* environment variable becomes a value of this key. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

export interface KeyInfo {
  /** What the key does (one or two sentences, for docs/configuration.md). */
  doc: string;
  /** The kind of value and its range, in words: "an integer from 0 to 65535". */
  what: string;
  /** The default as the docs show it (markdown); absent: required, or no default (optional). */
  shown?: string;
  /** Set for keys that hold one value; a mapping that may also be a boolean has 'boolean'. */
  env?: EnvKind;
  /** A file or directory path, resolved against the config file's directory. */
  path?: boolean;
  /** Why `value`, found at `key`, is not valid here, and how to fix it. */
  explain(value: unknown, key: string): Complaint;
}

export const KEYS = z.registry<KeyInfo>();

/** The key's own name, for "e.g. size: 1000" (`models[0].window.size` gives size). */
const leafName = (key: string): string => key.split('.').pop()!.replace(/\[\d+\]$/, '');

/** Absent (undefined) or empty (null) where a value is needed. */
function missing(key: string, value: unknown, what: string, example: string | undefined): Complaint {
  const eg = example === undefined ? '' : `, e.g. ${leafName(key)}: ${example}`;
  return { problem: value === null ? 'is empty' : 'is required', fix: `set ${key} to ${what}${eg}` };
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
  /** Shown in fixes; default: the default. */
  example?: number;
  default?: number;
}

export function numberWhat(rule: NumberRule): string {
  const bounds: string[] = [];
  if (rule.min !== undefined && rule.max !== undefined) bounds.push(`from ${rule.min} to ${rule.max}`);
  else {
    if (rule.min !== undefined) bounds.push(`at least ${rule.min}`);
    if (rule.above !== undefined) bounds.push(`greater than ${rule.above}`);
    if (rule.max !== undefined) bounds.push(`at most ${rule.max}`);
  }
  return `${rule.integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** A number, checked against `rule`; with `rule.default` it may be left out. */
export function num(doc: string, rule: NumberRule, shown?: string) {
  let schema = rule.integer ? z.number().int() : z.number();
  if (rule.min !== undefined) schema = schema.min(rule.min);
  if (rule.above !== undefined) schema = schema.gt(rule.above);
  if (rule.max !== undefined) schema = schema.max(rule.max);
  const what = numberWhat(rule);
  const example = rule.example ?? rule.default;
  const explain = (v: unknown, key: string): Complaint => {
    if (v === undefined || v === null) return missing(key, v, what, example?.toString());
    const fix = `set ${key} to ${what}${example === undefined ? '' : `, e.g. ${example}`}`;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
      return { problem: `must be ${what}, got ${describe(v)}`, fix: `write the number without quotes: ${leafName(key)}: ${v.trim()}` };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { problem: `must be a finite number, got ${describe(v)}`, fix };
    return { problem: `must be ${what}, got ${describe(v)}`, fix };
  };
  const display = shown ?? code(rule.default);
  const info = { doc, what, env: 'number' as const, explain, ...(display === undefined ? {} : { shown: display }) };
  return rule.default === undefined ? withInfo(schema, info) : withInfo(schema.default(rule.default), info);
}

export interface StringRule {
  pattern?: RegExp;
  /** What the pattern means, e.g. "an environment variable name". */
  patternHint?: string;
  example?: string;
  default?: string;
  /** The default as the docs show it when it is derived from another key (then `default` is absent). */
  shown?: string;
}

/** A non-empty string, optionally matching a pattern. */
export function text(doc: string, rule: StringRule = {}) {
  const what = rule.patternHint ?? 'a non-empty string';
  let schema = z.string().refine((s) => s.trim() !== '');
  if (rule.pattern !== undefined) schema = schema.regex(rule.pattern);
  const explain = (v: unknown, key: string): Complaint => {
    if (v === undefined || v === null) return missing(key, v, what, rule.example ?? rule.default);
    const fix = `set ${key} to ${what}${rule.example === undefined ? '' : `, e.g. ${rule.example}`}`;
    if (typeof v !== 'string') return { problem: `must be a string, got ${describe(v)}`, fix: typeof v === 'number' ? `quote it: ${leafName(key)}: "${v}"` : fix };
    if (v.trim() === '') return { problem: 'must not be empty', fix: rule.default === undefined ? fix : `${fix}, or remove the key to use the default "${rule.default}"` };
    return { problem: `${describe(v)} is not valid`, fix };
  };
  const shown = rule.default === undefined ? rule.shown : code(rule.default);
  const info = { doc, what: rule.patternHint ?? 'a string', env: 'string' as const, explain, ...(shown === undefined ? {} : { shown }) };
  return rule.default === undefined ? withInfo(schema, info) : withInfo(schema.default(rule.default), info);
}

/** One of a fixed set of strings. */
export function choice<const T extends readonly [string, ...string[]]>(doc: string, values: T, options: { default?: T[number]; shown?: string } = {}) {
  const list = values.join(', ');
  const explain = (v: unknown, key: string): Complaint => {
    if (v === undefined || v === null) return missing(key, v, `one of: ${list}`, options.default ?? values[0]);
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    return { problem: `must be one of ${list}, got ${describe(v)}`, fix: `${hint}set ${key} to one of: ${list}` };
  };
  const shown = options.shown ?? code(options.default);
  const info = { doc, what: `one of: ${values.map((v) => `\`${v}\``).join(', ')}`, env: 'string' as const, explain, ...(shown === undefined ? {} : { shown }) };
  const schema = z.enum(values);
  return options.default === undefined ? withInfo(schema, info) : withInfo(schema.default(options.default as never), info);
}

export function flag(doc: string, def: boolean) {
  const explain = (v: unknown, key: string): Complaint =>
    ({ problem: `must be true or false, got ${describe(v)}`, fix: `set ${key} to true or false (unquoted), e.g. ${leafName(key)}: ${def}` });
  return withInfo(z.boolean().default(def), { doc, what: 'true or false', env: 'boolean', shown: code(def), explain });
}

/** A list of column names of the reference data. */
export function columns(doc: string) {
  const explain = (v: unknown, key: string): Complaint =>
    ({ problem: `must be a list of column names, got ${describe(v)}`, fix: `write it as a list, e.g. ${leafName(key)}: [country, device]` });
  return withInfo(z.preprocess(emptyToAbsent, z.array(z.string().min(1)).default([])), { doc, what: 'a list of column names', env: 'list', shown: code('[]'), explain });
}

/** A path, resolved against the config file's directory (see resolvePaths); `mustExist`: a regular file. */
export function path(doc: string, options: { example: string; mustExist?: boolean }) {
  const base = text(doc, { example: options.example });
  const info = { ...KEYS.get(base)!, what: options.mustExist ? 'the path of an existing file' : 'a path', path: true };
  return withInfo(options.mustExist ? refined(base, checkFileExists) : base, info);
}

/** `schema` with a further check (reported as custom issues with a `fix` param), keeping its KeyInfo. */
export function refined<T extends z.ZodType>(schema: T, check: (value: z.output<T>, ctx: z.RefinementCtx) => void): T {
  return withInfo(schema.superRefine(check) as T, KEYS.get(schema)!);
}

/** Reports, as a custom issue with its own fix, a file that is not there (resolvePaths made the path absolute). */
function checkFileExists(abs: string, ctx: z.RefinementCtx): void {
  if (existsSync(abs) && statSync(abs).isFile()) return;
  ctx.addIssue({
    code: 'custom', message: `file ${abs} does not exist or is not a regular file`,
    params: { fix: 'point it at an existing file (relative paths are resolved against the config file\'s directory)' },
  });
}

/**
 * Checks across the keys of one mapping (e.g. two keys that must differ), reported as custom issues
 * with a `fix` param. They run once the mapping's own keys are valid; `always` runs them regardless
 * (the value may then hold invalid entries).
 */
export interface CrossCheck<T> {
  check(value: T, ctx: z.RefinementCtx): void;
  always?: boolean;
}

function strict<S extends z.ZodRawShape>(shape: S, cross?: CrossCheck<z.output<z.ZodObject<S, z.core.$strict>>>) {
  const object = z.strictObject(shape);
  return cross === undefined ? object : object.superRefine(cross.check, cross.always ? { when: () => true } : {});
}

/** A mapping of keys; absent or empty (null) reads as `{}`, so that its defaults apply. */
export function section<S extends z.ZodRawShape>(doc: string, shape: S, cross?: CrossCheck<z.output<z.ZodObject<S, z.core.$strict>>>) {
  return withInfo(z.preprocess(emptyToAbsent, strict(shape, cross).prefault({} as never)), mappingInfo(doc));
}

/** A mapping that may be left out entirely (then absent from the parsed config). */
export function optionalSection<S extends z.ZodRawShape>(doc: string, shape: S, cross?: CrossCheck<z.output<z.ZodObject<S, z.core.$strict>>>) {
  return withInfo(z.preprocess(emptyToAbsent, strict(shape, cross).optional()), mappingInfo(doc));
}

/** The value may be left out or written empty (null); then it is absent from the parsed config. */
export function optional<T extends z.ZodType>(schema: T) {
  return withInfo(z.preprocess(emptyToAbsent, schema.optional()), KEYS.get(schema)!);
}

export function mappingInfo(doc: string): KeyInfo {
  return {
    doc, what: 'a mapping',
    explain: (v, key) => ({
      problem: `must be a mapping of keys, got ${describe(v)}`,
      fix: `write ${key === '(top level)' ? 'the top level' : key} as a YAML mapping (key: value lines); see config/shiftwatch.example.yaml`,
    }),
  };
}

export function withInfo<T extends z.ZodType>(schema: T, info: KeyInfo): T {
  KEYS.add(schema, info);
  return schema;
}


/** A default as inline code; undefined stays undefined. */
function code(value: string | number | boolean): string;
function code(value: string | number | boolean | undefined): string | undefined;
function code(value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : `\`${String(value)}\``;
}

const emptyToAbsent = (v: unknown): unknown => (v === null ? undefined : v);
