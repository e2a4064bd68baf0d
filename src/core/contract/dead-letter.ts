import type { DeadLetterReason } from './event.js';

/** Where a dead-lettered message came from, so it can be found and replayed. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  /** Broker timestamp, epoch milliseconds as a string (as kafkajs gives it). */
  timestamp: string;
}

/** The dead-letter record (contract v1): the original bytes, where they came from, and why. */
export interface DeadLetter {
  v: 1;
  reason: DeadLetterReason;
  detail: string;
  model?: string;
  origin: MessageOrigin;
  keyBase64: string | null;
  valueBase64: string | null;
  failedAt: string;
}

export function buildDeadLetter(args: {
  reason: DeadLetterReason;
  detail: string;
  origin: MessageOrigin;
  key: Uint8Array | null;
  value: Uint8Array | null;
  model?: string;
  now: Date;
}): DeadLetter {
  const b64 = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('base64'));
  const letter: DeadLetter = {
    v: 1,
    reason: args.reason,
    detail: args.detail,
    origin: args.origin,
    keyBase64: b64(args.key),
    valueBase64: b64(args.value),
    failedAt: args.now.toISOString(),
  };
  if (args.model !== undefined) letter.model = args.model;
  return letter;
}
