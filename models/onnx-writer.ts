// A minimal protobuf encoder for the ONNX format: just the messages Tern's demo and benchmark models need
// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto). Field numbers follow onnx/onnx.proto.
// Encoding is deterministic, so the same weights always give the same bytes (and the same sha256).

/** Protobuf wire writer: appends fields to a growing byte list. */
class ProtoWriter {
  readonly #bytes: number[] = [];

  #varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  int(field: number, value: number): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value, 0);
    this.#bytes.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    for (const byte of value) this.#bytes.push(byte);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT64: 7 } as const;

/** An initializer (weights) tensor. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** FLOAT tensors take Float32Array data; INT64 tensors take plain integers. */
  data: Float32Array | number[];
}

/** A node attribute: a float, an int, a list of ints or a string. */
export type OnnxAttribute =
  | { name: string; f: number }
  | { name: string; i: number }
  | { name: string; ints: number[] }
  | { name: string; s: string };

/** One graph node (an operator call). */
export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: OnnxAttribute[];
}

/** A graph input or output: a float tensor whose dims are numbers or symbolic names ("batch"). */
export interface OnnxValueInfo {
  name: string;
  dims: Array<number | string>;
  elemType?: number;
  docString?: string;
}

/** A whole model: one graph plus model-level metadata. */
export interface OnnxModel {
  graphName: string;
  producerName: string;
  producerVersion: string;
  docString?: string;
  opsetVersion: number;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** ModelProto.metadata_props, written in the given order. */
  metadata?: Array<[string, string]>;
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims);
  if (t.data instanceof Float32Array) {
    w.int(2, OnnxType.FLOAT).string(8, t.name);
    w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  } else {
    w.int(2, OnnxType.INT64).string(8, t.name);
    const raw = Buffer.alloc(8 * t.data.length);
    t.data.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), 8 * i));
    w.bytes(9, raw);
  }
  return w;
}

function attributeProto(a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('f' in a) return w.float(2, a.f).int(20, 1);
  if ('i' in a) return w.int(3, a.i).int(20, 2);
  if ('s' in a) return w.bytes(4, Buffer.from(a.s, 'utf8')).int(20, 3);
  return w.packedInts(8, a.ints).int(20, 7);
}

function valueInfoProto(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  }
  const tensorType = new ProtoWriter().int(1, v.elemType ?? OnnxType.FLOAT).message(2, shape);
  const w = new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
  if (v.docString) w.string(3, v.docString);
  return w;
}

/** Serialises a model to ONNX protobuf bytes (IR version 8). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = new ProtoWriter();
  model.nodes.forEach((n, index) => {
    const node = new ProtoWriter();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(3, n.name ?? `${n.opType.toLowerCase()}_${index}`).string(4, n.opType);
    for (const a of n.attributes ?? []) node.message(5, attributeProto(a));
    graph.message(1, node);
  });
  graph.string(2, model.graphName);
  for (const t of model.initializers) graph.message(5, tensorProto(t));
  for (const i of model.inputs) graph.message(11, valueInfoProto(i));
  for (const o of model.outputs) graph.message(12, valueInfoProto(o));

  const w = new ProtoWriter()
    .int(1, 8)
    .string(2, model.producerName)
    .string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, graph).message(8, new ProtoWriter().string(1, '').int(2, model.opsetVersion));
  for (const [key, value] of model.metadata ?? []) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return w.finish();
}
