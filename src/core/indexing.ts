/**
 * Checked indexed access, for code compiled with `noUncheckedIndexedAccess`.
 *
 * Where a loop's bounds already guarantee an index is in range, prefer `for…of`, `entries()` or
 * destructuring, which need no check. Use these where the index comes from elsewhere (a label, a
 * feature position, a parallel array): an index out of range then fails at once with a message
 * that names what was indexed, instead of a silent `undefined` turning into `NaN` further on.
 *
 * In hot numeric loops (matrix products, per-row flow maths) write `xs[i] ?? outOfRange(what, i, xs)`
 * instead of `at`: the same check and message, but the element load stays at the call site. V8 keeps
 * one load feedback per function, so `at`, called on every kind of array, goes megamorphic and its
 * load slows down about fourfold (a 32×32 matrix product through `at` after calls on seven kinds of
 * array: 0.9 s instead of 0.2 s for 3000 products, node 20); the `??` form costs nothing measurable.
 */

/** `xs[i]`, or a RangeError naming `what` when `i` is outside `[0, xs.length)`. */
export function at<T>(xs: ArrayLike<T>, i: number, what = 'array'): T {
  const value = xs[i];
  if (value !== undefined || (Number.isInteger(i) && i >= 0 && i < xs.length)) return value as T;
  return outOfRange(what, i, xs);
}

/** Throws the RangeError of `at` for index `i` of `xs`: the right side of `xs[i] ?? outOfRange(what, i, xs)`. */
export function outOfRange(what: string, i: number, xs: ArrayLike<unknown>): never {
  throw new RangeError(`${what}: index ${i} out of range [0, ${xs.length})`);
}

/** `record[key]`, or a RangeError naming `what` when the key is absent. */
export function entry<T>(record: Readonly<Record<string, T>>, key: string, what = 'record'): T {
  const value = record[key];
  if (value !== undefined || Object.prototype.hasOwnProperty.call(record, key)) return value as T;
  throw new RangeError(`${what}: no entry '${key}'`);
}
