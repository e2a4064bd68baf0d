/**
 * One error taxonomy for the whole service. Every error says whether retrying can help and keeps
 * its cause. Retriable errors propagate so that the input offset is not committed; non-retriable
 * input errors become dead letters; configuration errors stop the service at startup.
 */
export class ShiftwatchError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** Bad configuration: names the offending key and says how to fix it. Never retriable. */
export class ConfigError extends ShiftwatchError {
  constructor(
    readonly key: string,
    problem: string,
    readonly fix: string,
  ) {
    super(`config ${key}: ${problem}. Fix: ${fix}`);
  }
}

/** Bad reference data given to `fit`: names the column (if any) and the fix. */
export class ReferenceDataError extends ShiftwatchError {
  constructor(
    readonly column: string | undefined,
    problem: string,
    readonly fix: string,
  ) {
    super(`${column === undefined ? 'reference data' : `reference column "${column}"`}: ${problem}. Fix: ${fix}`);
  }
}

/** A transient infrastructure failure (broker unavailable, publish timed out). */
export class RetriableError extends ShiftwatchError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
  }
}

/** Bad input given to `shiftwatch replay`: names the column (if any) and the fix. */
export class ReplayInputError extends ShiftwatchError {
  constructor(problem: string) {
    super(`replay input: ${problem}`);
  }
}
