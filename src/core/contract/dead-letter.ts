import { createHash } from 'node:crypto';
import type { DeadLetterReason } from './event.js';

/** Where a dead-lettered message came from, so it can be found and replayed. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  /** Broker timestamp, epoch milliseconds as a string (as kafkajs gives it). */
  timestamp: string;
}

/** What was cut from a key or value too large to fit into a dead letter. */
export interface TruncatedPart {
  /** Size of the original key or value. */
  originalBytes: number;
  /** Bytes kept at the start of `keyBase64` / `valueBase64`. */
  keptBytes: number;
  /** SHA-256 of the whole original, hex. */
  sha256: string;
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
  /** Present when the record would exceed the dead-letter topic's size limit: the payload is a prefix. */
  truncated?: { key?: TruncatedPart; value?: TruncatedPart };
}

/** A dead letter's `detail` is cut to this many characters (it may quote input). */
export const MAX_DETAIL_CHARS = 1000;
/** A dead letter's `model` (also its record key) is cut to this many characters. */
export const MAX_MODEL_CHARS = 256;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

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
    detail: cut(args.detail, MAX_DETAIL_CHARS),
    origin: args.origin,
    keyBase64: b64(args.key),
    valueBase64: b64(args.value),
    failedAt: args.now.toISOString(),
  };
  if (args.model !== undefined) letter.model = cut(args.model, MAX_MODEL_CHARS);
  return letter;
}

/** Bytes of the dead letter's JSON encoding (the record value). */
export function deadLetterBytes(letter: DeadLetter): number {
  return Buffer.byteLength(JSON.stringify(letter));
}

/**
 * The dead letter itself when its JSON fits in `maxBytes`; otherwise a copy whose key and value are
 * cut to a prefix that fits, each cut part described by its original size and SHA-256 (`truncated`).
 * The value keeps the larger share: the key gets at most half of the room left.
 */
export function fitDeadLetter(letter: DeadLetter, maxBytes: number): DeadLetter {
  if (deadLetterBytes(letter) <= maxBytes) return letter;
  const key = letter.keyBase64 === null ? null : Buffer.from(letter.keyBase64, 'base64');
  const value = letter.valueBase64 === null ? null : Buffer.from(letter.valueBase64, 'base64');
  const placeholder = (b: Buffer | null): TruncatedPart | undefined => (b === null ? undefined : { originalBytes: b.length, keptBytes: b.length, sha256: '0'.repeat(64) });
  const skeleton: DeadLetter = { ...letter, keyBase64: key && '', valueBase64: value && '', truncated: dropUndefined({ key: placeholder(key), value: placeholder(value) }) };
  let room = Math.max(0, maxBytes - deadLetterBytes(skeleton));
  const keyChars = key === null ? 0 : Math.min(base64Chars(key.length), Math.floor(room / 2));
  room -= keyChars;
  const keyPart = key === null ? undefined : prefix(key, keyChars);
  const valuePart = value === null ? undefined : prefix(value, room);
  return {
    ...letter,
    keyBase64: keyPart?.base64 ?? null,
    valueBase64: valuePart?.base64 ?? null,
    truncated: dropUndefined({ key: keyPart?.truncated, value: valuePart?.truncated }),
  };
}

const base64Chars = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** The longest prefix of `bytes` whose base64 takes at most `chars` characters. */
function prefix(bytes: Buffer, chars: number): { base64: string; truncated?: TruncatedPart } {
  if (base64Chars(bytes.length) <= chars) return { base64: bytes.toString('base64') };
  const kept = Math.floor(chars / 4) * 3;
  return {
    base64: bytes.subarray(0, kept).toString('base64'),
    truncated: { originalBytes: bytes.length, keptBytes: kept, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
