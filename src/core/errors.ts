/**
 * The service's own errors: a message meant for the operator (the CLI prints it without a stack
 * trace) and the cause kept. Bad input events are not errors here: they become dead letters
 * (core/contract); whether a failed publish is retried is decided from Kafka's own error
 * (kafka/publish-errors.ts). Configuration errors stop the service at startup.
 */
export class ShiftwatchError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Bad configuration: names the offending key and says how to fix it. */
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

/** Bad input given to `shiftwatch replay`: names the column (if any) and the fix. */
export class ReplayInputError extends ShiftwatchError {
  constructor(problem: string) {
    super(`replay input: ${problem}`);
  }
}
