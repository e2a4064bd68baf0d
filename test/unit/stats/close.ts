/** Relative-tolerance assertion for float comparisons (absolute when the expected value is 0). */
export function expectClose(actual: number, expected: number, relTol: number, label = ''): void {
  const scale = expected === 0 ? 1 : Math.abs(expected);
  const err = Math.abs(actual - expected) / scale;
  if (!(err <= relTol)) {
    throw new Error(`${label} expected ${expected}, got ${actual} (relative error ${err.toExponential(2)} > ${relTol})`);
  }
}
