/**
 * A classifier's class list, in the bundle's order (`predictions.classNames`), and the two ways
 * users refer to a class: by name, or by its index in that order. A label is matched against the
 * names first, as text (so 1 and "1" are the same label), and only then read as an index; for
 * index-named classes ("0".."K-1") the two readings agree.
 */
import type { ClassValues } from '../contract/event.js';
import { entry } from '../indexing.js';

/** The class index of a label, or a problem description naming the value. */
export function classIndex(classNames: readonly string[], label: unknown): number | string {
  if (typeof label === 'string' || typeof label === 'number' || typeof label === 'boolean') {
    const byName = classNames.indexOf(String(label));
    if (byName >= 0) return byName;
    const index = typeof label === 'number' ? label : typeof label === 'string' && /^\d+$/.test(label.trim()) ? Number(label) : NaN;
    if (Number.isInteger(index) && index >= 0 && index < classNames.length) return index;
  }
  return `label ${describeValue(label)} is neither a class name (${listNames(classNames)}) nor a class index 0..${classNames.length - 1}`;
}

/**
 * A model output as an array in bundle order: an array must have one value per class; an object
 * must name every class exactly once. Returns a problem description naming the offending value.
 */
export function valuesInClassOrder(classNames: readonly string[], values: ClassValues, field: string): number[] | string {
  if (Array.isArray(values)) {
    return values.length === classNames.length ? values : `${field} has ${values.length} values, the model has ${classNames.length} classes (${listNames(classNames)})`;
  }
  const unknown = Object.keys(values).find((name) => !classNames.includes(name));
  if (unknown !== undefined) return `${field} names the class ${JSON.stringify(unknown)}, which is not one of the model's classes (${listNames(classNames)})`;
  const missing = classNames.find((name) => !Object.hasOwn(values, name));
  if (missing !== undefined) return `${field} has no value for the class ${JSON.stringify(missing)} (classes: ${listNames(classNames)})`;
  return classNames.map((name) => entry(values, name, field));
}

/** The class names, quoted, shortened past 20. */
export function listNames(classNames: readonly string[]): string {
  const shown = classNames.slice(0, 20).map((n) => JSON.stringify(n));
  return classNames.length > 20 ? `${shown.join(', ')}, ... (${classNames.length} in all)` : shown.join(', ');
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return JSON.stringify(v);
}
