/**
 * zod's issues turned into the configuration's messages: one problem per key, naming the full key
 * path and the fix. A custom issue carries its own fix (cross-key checks); any other issue is
 * explained by the KeyInfo of the key it concerns, from the value written there, so every kind
 * of bad value of one key reads the same way.
 */
import type { z } from 'zod';
import { notAccepted } from './not-accepted.js';
import { Problems, didYouMean } from './problems.js';
import { childOf, describedAt, fieldsOf, keyOf, valueAt } from './walk.js';

export function reportIssues(p: Problems, schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const name of issue.keys) unknownKey(p, schema, issue.path, name);
      continue;
    }
    const fix = issue.code === 'custom' ? (issue.params as { fix?: unknown } | undefined)?.fix : undefined;
    if (typeof fix === 'string') {
      p.add(keyOf(issue.path), issue.message, fix);
      continue;
    }
    const found = describedAt(schema, issue.path);
    if (found === undefined) throw new Error(`config key ${keyOf(issue.path)} has no description in the schema (${issue.message})`);
    const at = issue.path.slice(0, found.depth);
    const complaint = found.info.explain(valueAt(input, at), keyOf(at));
    p.add(keyOf(at), complaint.problem, complaint.fix);
  }
}

function unknownKey(p: Problems, schema: z.ZodType, path: readonly PropertyKey[], name: string): void {
  const key = keyOf([...path, name]);
  const refused = notAccepted(path, name, key);
  if (refused !== undefined) {
    p.add(key, refused.problem, refused.fix);
    return;
  }
  const section = path.reduce<z.ZodType | undefined>((node, step) => (node === undefined ? undefined : childOf(node, step)), schema);
  const known = Object.keys((section === undefined ? undefined : fieldsOf(section)) ?? {});
  const hint = didYouMean(name, known);
  p.add(key, 'unknown key', hint !== ''
    ? `${hint}Rename it, or remove it`
    : `remove it; the known keys under ${path.length === 0 ? 'the top level' : keyOf(path)} are: ${known.join(', ')}`);
}
