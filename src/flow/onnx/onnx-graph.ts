/**
 * A small typed builder for ONNX models (ModelProto, ir_version 8, default-domain opset 17), written
 * straight to protobuf bytes with `ProtoWriter`. It covers what the flow exporter needs: float32 and
 * int64 initializers, nodes with int/float/ints/floats/string attributes, and graph inputs/outputs
 * whose dimensions are numbers or symbolic names (a dynamic batch dimension).
 *
 * Field numbers follow onnx.proto (proto2 syntax; `dims` and attribute `ints`/`floats` are unpacked
 * repeated fields there, so they are written one entry per value):
 *   ModelProto        ir_version=1 producer_name=2 producer_version=3 graph=7 opset_import=8
 *   OperatorSetIdProto domain=1 version=2
 *   GraphProto        node=1 name=2 initializer=5 input=11 output=12
 *   NodeProto         input=1 output=2 name=3 op_type=4 attribute=5 domain=7
 *   AttributeProto    name=1 f=2 i=3 s=4 floats=7 ints=8 type=20
 *   TensorProto       dims=1 data_type=2 name=8 raw_data=9
 *   ValueInfoProto    name=1 type=2
 *   TypeProto         tensor_type=1;  TypeProto.Tensor elem_type=1 shape=2
 *   TensorShapeProto  dim=1;  Dimension dim_value=1 dim_param=2
 */
import { at } from '../../core/indexing.js';
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ElementType = { FLOAT: 1, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type ElementType = (typeof ElementType)[keyof typeof ElementType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'string'; value: string };

/** Attribute constructors: `{ axis: int(1), alpha: float(0.5) }`. */
export const int = (value: number): AttributeValue => ({ type: 'int', value });
export const float = (value: number): AttributeValue => ({ type: 'float', value });
export const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
export const floats = (value: number[]): AttributeValue => ({ type: 'floats', value });

/** A dimension: a fixed size, or a symbolic name such as 'N' for a dynamic batch. */
export type Dim = number | string;

interface ValueInfo {
  name: string;
  elemType: ElementType;
  dims: Dim[];
}

interface Initializer {
  name: string;
  elemType: ElementType;
  dims: number[];
  raw: Uint8Array;
}

interface Node {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface ModelOptions {
  producerName?: string;
  producerVersion?: string;
  /** Default-domain opset; 17 unless told. */
  opset?: number;
  /** ModelProto.ir_version; 8 unless told. */
  irVersion?: number;
}

export class OnnxGraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: Node[] = [];
  private readonly constants = new Map<string, string>();
  private readonly names = new Set<string>();
  /** Tensors with a producer: graph inputs, initializers and node outputs. */
  private readonly produced = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh tensor name with the given prefix. */
  fresh(prefix: string): string {
    let candidate: string;
    do candidate = `${prefix}_${this.counter++}`;
    while (this.names.has(candidate));
    this.names.add(candidate);
    return candidate;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: tensor name ${name} is already used`);
    this.names.add(name);
    this.produced.add(name);
    return name;
  }

  input(name: string, elemType: ElementType, dims: Dim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, dims });
    return name;
  }

  /** Declares an existing tensor as a graph output. */
  output(name: string, elemType: ElementType, dims: Dim[]): void {
    if (!this.produced.has(name)) throw new Error(`ONNX graph: output ${name} is not produced by the graph`);
    this.outputs.push({ name, elemType, dims });
  }

  /** A float32 initializer; returns its name. */
  floatTensor(values: ArrayLike<number>, dims: number[], prefix = 'w'): string {
    checkSize(values.length, dims);
    const data = Float32Array.from(values as ArrayLike<number>);
    const raw = new Uint8Array(data.byteLength);
    const view = new DataView(raw.buffer);
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    const name = this.fresh(prefix);
    this.produced.add(name);
    this.initializers.push({ name, elemType: ElementType.FLOAT, dims: [...dims], raw });
    return name;
  }

  /** An int64 initializer; returns its name. */
  int64Tensor(values: ArrayLike<number>, dims: number[], prefix = 'i'): string {
    checkSize(values.length, dims);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(at(values, i, 'values')), true);
    const name = this.fresh(prefix);
    this.produced.add(name);
    this.initializers.push({ name, elemType: ElementType.INT64, dims: [...dims], raw });
    return name;
  }

  /** A float32 scalar or small vector constant, shared between uses with the same values. */
  floatConst(values: number | number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [values.length];
    const key = `f:${dims.length}:${list.map((v) => Math.fround(v)).join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.floatTensor(list, dims, 'c');
      this.constants.set(key, name);
    }
    return name;
  }

  /** An int64 vector constant (axes, indices, slice bounds), shared between uses. */
  int64Const(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.int64Tensor(values, [values.length], 'k');
      this.constants.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node with one output and returns that output's name (`output` if given, else a fresh
   * name). Empty strings in `inputs` mark omitted optional inputs.
   */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    return at(this.node(opType, inputs, attributes, [output ?? this.fresh(opType.toLowerCase())]), 0, `${opType} outputs`);
  }

  /** Adds a node; each output is a name from `fresh` or a new literal name (e.g. a graph output). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue>, outputs: string[]): string[] {
    for (const input of inputs) if (input !== '' && !this.produced.has(input)) throw new Error(`ONNX graph: ${opType} reads unknown tensor ${input}`);
    for (const output of outputs) {
      if (this.produced.has(output)) throw new Error(`ONNX graph: tensor ${output} is produced twice`);
      this.produced.add(output);
      this.names.add(output);
    }
    this.nodes.push({ opType, name: `${opType}_${this.nodes.length}`, inputs, outputs, attributes });
    return outputs;
  }

  /** Number of nodes so far (for tests and diagnostics). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Op types in graph order (for tests and diagnostics). */
  opTypes(): string[] {
    return this.nodes.map((n) => n.opType);
  }

  /** Serialises the ModelProto. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    const model = new ProtoWriter(1 << 16);
    model.int(1, options.irVersion ?? 8);
    model.string(2, options.producerName ?? 'shiftwatch');
    if (options.producerVersion !== undefined) model.string(3, options.producerVersion);
    model.message(7, (graph) => this.writeGraph(graph));
    model.message(8, (opset) => {
      opset.string(1, '');
      opset.int(2, options.opset ?? 17);
    });
    return model.finish();
  }

  private writeGraph(graph: ProtoWriter): void {
    for (const node of this.nodes) graph.message(1, (w) => writeNode(w, node));
    graph.string(2, this.name);
    for (const init of this.initializers) graph.message(5, (w) => writeTensor(w, init));
    for (const input of this.inputs) graph.message(11, (w) => writeValueInfo(w, input));
    for (const output of this.outputs) graph.message(12, (w) => writeValueInfo(w, output));
  }
}

function checkSize(length: number, dims: number[]): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`ONNX tensor: ${length} values for shape [${dims.join(', ')}]`);
}

function writeNode(w: ProtoWriter, node: Node): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes)) w.message(5, (a) => writeAttribute(a, name, value));
}

function writeAttribute(w: ProtoWriter, name: string, attribute: AttributeValue): void {
  w.string(1, name);
  switch (attribute.type) {
    case 'int':
      w.int(3, attribute.value);
      w.int(20, AttributeType.INT);
      break;
    case 'float':
      w.float(2, attribute.value);
      w.int(20, AttributeType.FLOAT);
      break;
    case 'ints':
      for (const v of attribute.value) w.int(8, v);
      w.int(20, AttributeType.INTS);
      break;
    case 'floats':
      for (const v of attribute.value) w.float(7, v);
      w.int(20, AttributeType.FLOATS);
      break;
    case 'string':
      w.string(4, attribute.value);
      w.int(20, AttributeType.STRING);
      break;
  }
}

function writeTensor(w: ProtoWriter, tensor: Initializer): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, tensor.elemType);
  w.string(8, tensor.name);
  w.bytes(9, tensor.raw);
}

function writeValueInfo(w: ProtoWriter, info: ValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, info.elemType);
      tensorType.message(2, (shape) => {
        for (const d of info.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
