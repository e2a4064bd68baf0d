/**
 * What a failed produce means: whether retrying can help, and a short code for logs, metrics and
 * the readiness reason. kafkajs wraps the broker's error (a protocol error with a `type` such as
 * MESSAGE_TOO_LARGE and its own `retriable` flag) in retry and non-retriable wrappers; the
 * innermost cause decides.
 */
import { ShiftwatchError } from '../core/errors.js';
import { RecordTooLargeError } from './send-chunks.js';
import { at } from '../core/indexing.js';

export interface PublishFailure {
  retriable: boolean;
  /** The broker's error type (e.g. MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED) or the error's name. */
  code: string;
  message: string;
}

interface KafkaLikeError {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
}

/**
 * kafkajs gives up on these after its own retries and calls them non-retriable, but they say the
 * cluster is moving (a broker restarting, the group coordinator not elected yet): a later delivery
 * succeeds.
 */
const TRANSIENT_AFTER_RETRIES = new Set(['KafkaJSGroupCoordinatorNotFound']);

/** Errors that say a program is wrong, not the broker: retrying the same call cannot help. */
const PROGRAMMING_ERRORS = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

export function classifyPublishError(error: unknown): PublishFailure {
  if (error instanceof RecordTooLargeError) return { retriable: false, code: 'RECORD_TOO_LARGE', message: error.message };
  const chain: KafkaLikeError[] = [];
  for (let e: unknown = error; typeof e === 'object' && e !== null && chain.length < 10; e = (e as KafkaLikeError).cause) {
    chain.push(e as KafkaLikeError);
  }
  const root = chain[chain.length - 1];
  const protocol = [...chain].reverse().find((e) => typeof e.type === 'string');
  const message = String((error as KafkaLikeError | undefined)?.message ?? error);
  if (root === undefined) return { retriable: false, code: 'UNKNOWN', message };
  if (protocol !== undefined) return { retriable: protocol.retriable === true, code: protocol.type!, message };
  if (PROGRAMMING_ERRORS.has(root.name ?? '')) return { retriable: false, code: root.name!, message };
  const transient = chain.find((e) => TRANSIENT_AFTER_RETRIES.has(e.name ?? ''));
  if (transient !== undefined) return { retriable: true, code: transient.name!, message };
  // Connection errors, request timeouts and "retries exceeded" over them are transient.
  const outer = at(chain, 0, 'error chain');
  const wrappedOnly = chain.length > 1 && outer.name === 'KafkaJSNumberOfRetriesExceeded';
  return { retriable: wrappedOnly ? root.retriable !== false : outer.retriable !== false, code: root.name ?? 'Error', message };
}

/** Publishing gave up: a non-retriable error, or retriable ones for longer than the configured bound. */
export class PublishFailedError extends ShiftwatchError {
  constructor(
    readonly sink: string,
    readonly topic: string,
    readonly failure: PublishFailure,
    readonly attempts: number,
  ) {
    super(`publishing to ${topic} (${sink}) failed after ${attempts} attempt(s): ${failure.code}${failure.retriable ? ' (retriable, retried for too long)' : ' (not retriable)'}: ${failure.message}`);
  }
}

/** The service began stopping while a publish was still being retried. */
export class PublishAbortedError extends ShiftwatchError {}

/**
 * A step of a transaction failed (a send to `topic`, the offsets, the commit); the transaction was
 * aborted. `retriable` overrides the cause's own flag: false when a commit's outcome is unknown,
 * true for errors about the producer's transaction state, which a new producer leaves behind.
 */
export class TransactionStepError extends Error {
  constructor(
    readonly sink: string,
    readonly topic: string,
    readonly error: unknown,
    readonly retriable?: boolean,
  ) {
    super(`${sink} (${topic}): ${error instanceof Error ? error.message : String(error)}`);
  }
}
