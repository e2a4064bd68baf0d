/**
 * Checked indexed access, for code compiled with `noUncheckedIndexedAccess`.
 *
 * Where a loop's bounds already guarantee an index is in range, prefer `for…of`, `entries()` or
 * destructuring, which need no check. Use these where the index comes from elsewhere (a label, a
 * feature position, a parallel array): an index out of range then fails at once with a message
 * that names what was indexed, instead of a silent `undefined` turning into `NaN` further on.
 */

/** `xs[i]`, or a RangeError naming `what` when `i` is outside `[0, xs.length)`. */
export function at<T>(xs: ArrayLike<T>, i: number, what = 'array'): T {
  const value = xs[i];
  if (value !== undefined || (Number.isInteger(i) && i >= 0 && i < xs.length)) return value as T;
  throw new RangeError(`${what}: index ${i} out of range [0, ${xs.length})`);
}

/** `record[key]`, or a RangeError naming `what` when the key is absent. */
export function entry<T>(record: Readonly<Record<string, T>>, key: string, what = 'record'): T {
  const value = record[key];
  if (value !== undefined || Object.prototype.hasOwnProperty.call(record, key)) return value as T;
  throw new RangeError(`${what}: no entry '${key}'`);
}
