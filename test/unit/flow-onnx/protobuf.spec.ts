import { ProtoWriter } from '../../../src/flow/onnx/protobuf.js';
import { ElementType, float, int, ints, OnnxGraphBuilder } from '../../../src/flow/onnx/onnx-graph.js';

const bytes = (w: ProtoWriter) => Array.from(w.finish());

describe('protobuf writer', () => {
  it('writes varints as base-128 little-endian groups', () => {
    expect(bytes(new ProtoWriter().rawVarint(0))).toEqual([0x00]);
    expect(bytes(new ProtoWriter().rawVarint(1))).toEqual([0x01]);
    expect(bytes(new ProtoWriter().rawVarint(127))).toEqual([0x7f]);
    expect(bytes(new ProtoWriter().rawVarint(128))).toEqual([0x80, 0x01]);
    expect(bytes(new ProtoWriter().rawVarint(150))).toEqual([0x96, 0x01]);
    expect(bytes(new ProtoWriter().rawVarint(300))).toEqual([0xac, 0x02]);
    expect(bytes(new ProtoWriter().rawVarint(16384))).toEqual([0x80, 0x80, 0x01]);
    // 2^32: above the 32-bit range that bit operations would cut.
    expect(bytes(new ProtoWriter().rawVarint(2 ** 32))).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(bytes(new ProtoWriter().rawVarint(Number.MAX_SAFE_INTEGER))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(bytes(new ProtoWriter().rawVarint(2n ** 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('writes negative integers as ten-byte two’s complement', () => {
    expect(bytes(new ProtoWriter().rawVarint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytes(new ProtoWriter().rawVarint(-2n))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => new ProtoWriter().rawVarint(1.5)).toThrow(RangeError);
  });

  it('writes keys, strings, floats and packed fields', () => {
    // The protobuf documentation's examples: field 1 = 150, field 2 = "testing".
    expect(bytes(new ProtoWriter().int(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().string(2, 'testing'))).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    // Field 20 needs a two-byte key: (20 << 3) | 0 = 160.
    expect(bytes(new ProtoWriter().int(20, 2))).toEqual([0xa0, 0x01, 0x02]);
    // 1.0f = 0x3f800000, little-endian, wire type 5.
    expect(bytes(new ProtoWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytes(new ProtoWriter().packedFloats(4, [1, -2]))).toEqual([0x22, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(bytes(new ProtoWriter().packedVarints(7, [3, 270, 86942]))).toEqual([0x3a, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect(bytes(new ProtoWriter().string(1, 'é'))).toEqual([0x0a, 0x02, 0xc3, 0xa9]);
  });

  it('nests messages with their length prefix', () => {
    // The documentation's example: field 3 holding a message whose field 1 = 150.
    expect(bytes(new ProtoWriter().message(3, (m) => m.int(1, 150)))).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    const nested = new ProtoWriter().message(1, (a) => a.string(1, 'ab').message(2, (b) => b.int(1, 1).message(3, () => {})));
    expect(bytes(nested)).toEqual([0x0a, 0x0a, 0x0a, 0x02, 0x61, 0x62, 0x12, 0x04, 0x08, 0x01, 0x1a, 0x00]);
  });

  it('grows its buffer past the initial capacity', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const w = new ProtoWriter(16).packedFloats(4, values);
    const out = w.finish();
    expect(out.length).toBe(1 + 2 + 4000);
    expect(new DataView(out.buffer, out.byteOffset + 3 + 4 * 999, 4).getFloat32(0, true)).toBe(999);
  });
});

describe('ONNX graph builder', () => {
  it('encodes a model with the onnx.proto field numbers', () => {
    const g = new OnnxGraphBuilder('g');
    g.input('x', ElementType.FLOAT, ['N', 2]);
    const y = g.op('Gemm', ['x', g.floatTensor([1, 0, 0, 1], [2, 2])], { alpha: float(1), transB: int(0) }, 'y');
    g.op('ReduceSum', [y, g.int64Const([1])], { keepdims: int(0) }, 'r');
    g.op('Transpose', [y], { perm: ints([1, 0]) }, 't');
    g.output('r', ElementType.FLOAT, ['N']);
    const model = g.toBytes({ opset: 17 });
    // ModelProto starts with ir_version = 8 (field 1, varint) and producer_name (field 2).
    expect(Array.from(model.subarray(0, 2))).toEqual([0x08, 0x08]);
    expect(model[2]).toBe(0x12);
    // The opset import is the last field: key 8 << 3 | 2 = 0x42, { domain "" , version 17 }.
    expect(Array.from(model.subarray(model.length - 6))).toEqual([0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]);
    expect(g.opTypes()).toEqual(['Gemm', 'ReduceSum', 'Transpose']);
    expect(() => g.op('Relu', ['nope'])).toThrow(/unknown tensor/);
    expect(() => g.op('Relu', ['x'], {}, 'y')).toThrow(/produced twice/);
    expect(() => g.output('missing', ElementType.FLOAT, [1])).toThrow(/not produced/);
  });
});
