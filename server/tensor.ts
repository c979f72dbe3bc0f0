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
