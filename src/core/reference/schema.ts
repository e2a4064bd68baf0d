/**
 * Decides which columns of the reference data are features, and of which kind.
 *
 * - A column whose non-null values are all numbers is numeric, even when it holds only a few
 *   distinct integers (a 0/1 flag, a 1..12 month): such features get one histogram bin per value
 *   (see feature-reference.ts), so they are tested exactly. Force `categorical` to test them as codes.
 * - A column of strings and/or booleans is categorical (booleans become "true"/"false").
 * - Numbers mixed with strings or booleans, an all-null column and a constant column are errors.
 * - `id`, `ts`, `label`, `model` and `prediction` (exact, case-sensitive names), and columns starting
 *   with `prob_` or `logit_` (model outputs), are not features by default; an override naming one of
 *   them as `numeric` or `categorical` makes it one again.
 * - Columns with a `role` (the time column, declared model outputs) are never features.
 * - `exclude` drops columns and wins over `overrides`; `overrides.<col>: ignore` drops one too.
 *   An override naming a column that is not in the data is an error (most likely a typo).
 */
import { ReferenceDataError } from '../errors.js';
import { at } from '../indexing.js';
import type { CellValue, Row } from './row.js';

export type FeatureKind = 'numeric' | 'categorical';
export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
}
export interface SchemaOptions {
  overrides?: Record<string, FeatureKind | 'ignore'>;
  exclude?: string[];
  /** Columns with another job (column → what it is, e.g. "the time column"): never features. */
  roles?: Record<string, string>;
}

/** Column names that are not features unless an override says otherwise. */
export const NON_FEATURE_COLUMNS: readonly string[] = ['id', 'ts', 'label', 'model', 'prediction'];

/** The model's outputs in reference data by default: `prob_<class>` or `logit_<class>`. */
export const PREDICTION_COLUMN = /^(prob|logit)_./;

export function isFeatureColumn(name: string): boolean {
  return !NON_FEATURE_COLUMNS.includes(name) && !PREDICTION_COLUMN.test(name);
}

const dropFix = (name: string) => `drop it with --exclude ${name} (or models[].schema.exclude in the config), or fix the export`;
/** How to force a column's kind, on the command line or in the config. */
export const forceKindFix = (name: string, kind: FeatureKind) => `--${kind} ${name} (or models[].schema.${kind} in the config)`;

export function inferSchema(rows: readonly Row[], columns: readonly string[], options: SchemaOptions = {}): FeatureSpec[] {
  const overrides = options.overrides ?? {};
  const exclude = new Set(options.exclude ?? []);
  const roles = options.roles ?? {};
  for (const name of Object.keys(overrides)) {
    if (!columns.includes(name)) {
      throw new ReferenceDataError(
        name,
        `is given the kind ${overrides[name]} (--${overrides[name]} or models[].schema) but is not in the reference data`,
        `check the spelling; the columns are: ${columns.join(', ')}`,
      );
    }
    if (Object.hasOwn(roles, name) && overrides[name] !== 'ignore') {
      throw new ReferenceDataError(name, `is ${roles[name]}, so it cannot also be a ${overrides[name]} feature`, 'declare the column one way only');
    }
  }
  if (rows.length === 0) throw new ReferenceDataError(undefined, 'no rows', 'give fit a reference with data rows');
  const specs: FeatureSpec[] = [];
  for (const name of columns) {
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    if (exclude.has(name) || override === 'ignore' || Object.hasOwn(roles, name)) continue;
    if (override === undefined && !isFeatureColumn(name)) continue;
    specs.push({ name, kind: columnKind(name, columnStats(rows, name), override) });
  }
  if (specs.length === 0) {
    throw new ReferenceDataError(
      undefined,
      `no feature columns left (columns: ${columns.join(', ')})`,
      `export the model's input features; ${NON_FEATURE_COLUMNS.join(', ')}, prob_*, logit_*, the time column and excluded columns are not features`,
    );
  }
  return specs;
}

interface Example {
  value: CellValue;
  row: number;
}
interface ColumnStats {
  numbers: number;
  strings: number;
  booleans: number;
  nulls: number;
  firstString?: Example;
  firstBoolean?: Example;
  /** First non-null value as text, and whether another distinct one was seen. */
  firstText?: string;
  varies: boolean;
}

function columnStats(rows: readonly Row[], name: string): ColumnStats {
  const s: ColumnStats = { numbers: 0, strings: 0, booleans: 0, nulls: 0, varies: false };
  for (const [i, row] of rows.entries()) {
    const v = row[name];
    if (v === null || v === undefined) {
      s.nulls += 1;
      continue;
    }
    if (typeof v === 'number') s.numbers += 1;
    else if (typeof v === 'string') {
      s.strings += 1;
      s.firstString ??= { value: v, row: i + 1 };
    } else {
      s.booleans += 1;
      s.firstBoolean ??= { value: v, row: i + 1 };
    }
    if (!s.varies) {
      const text = String(v);
      if (s.firstText === undefined) s.firstText = text;
      else if (text !== s.firstText) s.varies = true;
    }
  }
  return s;
}

function columnKind(name: string, s: ColumnStats, override: FeatureKind | undefined): FeatureKind {
  if (s.firstText === undefined) {
    throw new ReferenceDataError(name, `all ${fmt(s.nulls)} values are null`, dropFix(name));
  }
  const others = s.strings + s.booleans;
  const forceCategorical = `clean the column, or force its type with ${forceKindFix(name, 'categorical')}`;
  if (override === 'numeric' && others > 0) {
    throw new ReferenceDataError(
      name,
      `is declared numeric but the column has ${nonNumbers(s)} ${example(s)}`,
      forceCategorical,
    );
  }
  if (override === undefined && s.numbers > 0 && others > 0) {
    throw new ReferenceDataError(name, `mixed types: ${count(s.numbers, 'number')} and ${nonNumbers(s)} ${example(s)}`, forceCategorical);
  }
  if (!s.varies) {
    throw new ReferenceDataError(name, `constant column: every non-null value is ${JSON.stringify(s.firstText)}`, dropFix(name));
  }
  return override ?? (s.numbers > 0 ? 'numeric' : 'categorical');
}

function nonNumbers(s: ColumnStats): string {
  const parts: string[] = [];
  if (s.strings > 0) parts.push(count(s.strings, 'string'));
  if (s.booleans > 0) parts.push(count(s.booleans, 'boolean'));
  return parts.join(' and ');
}

/** The earliest non-number value, e.g. `(first string "n/a" on row 57)`; rows count data rows from 1. */
function example(s: ColumnStats): string {
  const candidates = [
    s.firstString && { kind: 'string', ...s.firstString },
    s.firstBoolean && { kind: 'boolean', ...s.firstBoolean },
  ].filter((c) => c !== undefined);
  const first = at(candidates.sort((a, b) => a.row - b.row), 0, 'non-number values of the column');
  return `(first ${first.kind} ${JSON.stringify(first.value)} on row ${fmt(first.row)})`;
}

function count(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
