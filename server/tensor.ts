// Tensors as they travel between the HTTP layer, the batcher and the inference workers.

/** Typed arrays onnxruntime returns for numeric tensors. */
export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** A numeric tensor: flat row-major data, dims, and the onnxruntime type name. */
export interface Tensor {
  type: string;
  dims: number[];
  data: NumericArray;
}

/** A float32 input tensor. */
export interface FloatTensor {
  dims: number[];
  data: Float32Array;
}

/** Input name -> tensor. */
export type Feeds = Record<string, FloatTensor>;
/** Output name -> tensor. */
export type Outputs = Record<string, Tensor>;

/** Product of dims (1 for a scalar). */
export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * One input of a batch as the batcher hands it to a runner: the requests' row blocks in request order, not
 * yet concatenated (the inference worker gathers them into its own buffer, off the HTTP thread).
 */
export interface BatchTensor {
  dims: number[];
  parts: Float32Array[];
}

/** Input name -> batch tensor. */
export type BatchFeeds = Record<string, BatchTensor>;

/** The feeds of one request as a batch of one. */
export function asBatch(feeds: Feeds): BatchFeeds {
  const batch: BatchFeeds = {};
  for (const [name, t] of Object.entries(feeds)) batch[name] = { dims: t.dims, parts: [t.data] };
  return batch;
}

/** The parts of a batch tensor as one array: the part itself when there is one, else a new array. */
export function gatherParts(t: BatchTensor): Float32Array {
  if (t.parts.length === 1) return t.parts[0] as Float32Array;
  let length = 0;
  for (const p of t.parts) length += p.length;
  const out = new Float32Array(length);
  let offset = 0;
  for (const p of t.parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
