/**
 * A minimal protobuf wire-format writer: just what an ONNX model needs (varints, 64-bit integers,
 * length-delimited strings/bytes/sub-messages, packed repeated floats and int64s).
 *
 * Wire types: 0 = varint, 1 = 64-bit, 2 = length-delimited, 5 = 32-bit. A field's key is
 * `(field << 3) | wireType`, itself written as a varint.
 */

import { outOfRange } from '../../core/indexing.js';

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

const utf8 = new TextEncoder();

/** Growable byte buffer with protobuf field writers. Build a message, then call `finish()`. */
export class ProtoWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get byteLength(): number {
    return this.length;
  }

  /** The encoded bytes (a copy, trimmed to length). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  // ---- raw writers -----------------------------------------------------------------------------

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** Appends raw bytes. */
  rawBytes(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /**
   * Appends a base-128 varint. Numbers must be safe integers; negative values are written as their
   * 64-bit two's complement (10 bytes), as protobuf does for int32/int64 fields.
   */
  rawVarint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
      if (value >= 0) {
        this.reserve(8);
        // Below 2^31 the bit operations are exact; above, fall back to division.
        let v = value;
        while (v >= 0x80) {
          this.buffer[this.length++] = (v % 0x80) | 0x80;
          v = Math.floor(v / 0x80);
        }
        this.buffer[this.length++] = v;
        return this;
      }
      return this.rawVarint(BigInt(value));
    }
    let v = BigInt.asUintN(64, value);
    this.reserve(10);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
    return this;
  }

  private key(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad protobuf field number ${field}`);
    this.rawVarint(field * 8 + wireType);
  }

  // ---- fields ----------------------------------------------------------------------------------

  /** A varint field (int32, int64, uint64, enum). */
  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    return this.rawVarint(value);
  }

  /** A 32-bit float field (wire type 5, little-endian). */
  float(field: number, value: number): this {
    this.key(field, 5);
    this.reserve(4);
    new DataView(this.buffer.buffer, this.buffer.byteOffset + this.length, 4).setFloat32(0, value, true);
    this.length += 4;
    return this;
  }

  /** A length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    return this.rawBytes(value);
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A nested message field: `build` writes the sub-message into a fresh writer. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(inner.length);
    this.reserve(inner.length);
    this.buffer.set(inner.buffer.subarray(0, inner.length), this.length);
    this.length += inner.length;
    return this;
  }

  /** Packed repeated float (32-bit little-endian values in one length-delimited field). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(values.length * 4);
    this.reserve(values.length * 4);
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + this.length, values.length * 4);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? outOfRange('packed floats', i, values), true);
    this.length += values.length * 4;
    return this;
  }

  /** Packed repeated varints (int64/int32 values in one length-delimited field). */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter(values.length * 2 + 8);
    for (const v of Array.from(values)) inner.rawVarint(v);
    return this.bytes(field, inner.buffer.subarray(0, inner.length));
  }
}
