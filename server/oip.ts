// The Open Inference Protocol (KServe v2) tensor formats: parsing infer requests (JSON, or the binary tensor
// data extension: a JSON header of `Inference-Header-Content-Length` bytes followed by raw little-endian
// tensors) and encoding responses (JSON data, or binary outputs when asked with `binary_data`).
import { finiteCheck } from './finite-check.js';
import { HttpError } from './http-error.js';
import { cutInput, describeValue, quoteInput } from './input-text.js';
import type { ModelSpec, TensorSpec } from './model-spec.js';
import { elementCount, type Feeds, type NumericArray, type Outputs, type Tensor } from './tensor.js';

/** A parsed infer request. */
export interface InferRequest {
  id: string | undefined;
  feeds: Feeds;
  /** Outputs to return (all when the request names none) and whether each goes back as binary. */
  outputs: Array<{ name: string; binary: boolean }>;
}

const ORT_TO_OIP: Record<string, string> = {
  float32: 'FP32', float64: 'FP64', float16: 'FP16', int8: 'INT8', uint8: 'UINT8', int16: 'INT16', uint16: 'UINT16',
  int32: 'INT32', uint32: 'UINT32', int64: 'INT64', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES',
};

/** OIP datatype name of an onnxruntime type. */
export const oipDatatype = (ortType: string): string => ORT_TO_OIP[ortType] ?? ortType.toUpperCase();

/** OIP shape: symbolic dims become -1. */
export const oipShape = (t: TensorSpec): number[] => t.shape.map((d) => (typeof d === 'number' ? d : -1));

interface RawInput {
  /** The name as shown in messages (cut when long). */
  name: string;
  /** The name as sent. */
  given: string;
  shape: number[];
  datatype: string;
  data: unknown;
  binarySize: number | undefined;
}

function readInputs(doc: Record<string, unknown>): RawInput[] {
  const inputs = doc['inputs'];
  if (!Array.isArray(inputs) || inputs.length === 0) throw new HttpError(400, '"inputs" must be a non-empty array of tensors');
  return inputs.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw new HttpError(400, `inputs[${i}] is not an object`);
    const t = raw as Record<string, unknown>;
    const given = t['name'];
    if (typeof given !== 'string') throw new HttpError(400, `inputs[${i}].name must be a string`);
    // Only known names get far (see parseInferRequest); a long unknown one is cut wherever it is shown.
    const name = cutInput(given);
    const shape = t['shape'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new HttpError(400, `input ${name}: "shape" must be an array of non-negative integers`);
    }
    const datatype = t['datatype'];
    if (typeof datatype !== 'string') throw new HttpError(400, `input ${name}: "datatype" must be a string such as "FP32"`);
    const params = (t['parameters'] ?? {}) as Record<string, unknown>;
    const bs = params['binary_data_size'];
    if (bs !== undefined && (!Number.isInteger(bs) || (bs as number) < 0)) {
      throw new HttpError(400, `input ${name}: parameters.binary_data_size must be a non-negative integer`);
    }
    return { name, given, shape: shape as number[], datatype, data: t['data'], binarySize: bs as number | undefined };
  });
}

/** A client's shape for a message, cut when long (a rank of a million is possible). */
const shapeText = (shape: readonly number[]): string => cutInput(shape.join(','));

/** Most values in one input tensor (256 MiB of float32, four times the default body limit). */
const MAX_TENSOR_VALUES = 2 ** 26;

function checkShape(input: RawInput, spec: TensorSpec, batchable: boolean, maxRows: number): void {
  if (input.datatype !== 'FP32') {
    throw new HttpError(400, `input ${input.name}: datatype ${cutInput(input.datatype)} is not supported; this model takes FP32`);
  }
  if (input.shape.length !== spec.shape.length) {
    throw new HttpError(400, `input ${input.name}: shape [${shapeText(input.shape)}] has rank ${input.shape.length}; the model expects [${oipShape(spec).join(',')}]`);
  }
  spec.shape.forEach((d, i) => {
    if (typeof d === 'number' && d >= 0 && input.shape[i] !== d) {
      throw new HttpError(400, `input ${input.name}: shape [${shapeText(input.shape)}] does not match the model's [${oipShape(spec).join(',')}]`);
    }
  });
  const count = elementCount(input.shape);
  if (count === 0) throw new HttpError(400, `input ${input.name}: empty tensor (shape [${shapeText(input.shape)}])`);
  // Checked before anything is allocated for it (free dimensions take any size a client writes).
  if (count > MAX_TENSOR_VALUES) {
    throw new HttpError(413, `input ${input.name}: shape [${shapeText(input.shape)}] has ${count} values; at most ${MAX_TENSOR_VALUES} per input`);
  }
  if (batchable && input.shape[0] === 0) throw new HttpError(400, `input ${input.name}: empty batch`);
  if (batchable && (input.shape[0] as number) > maxRows) {
    throw new HttpError(413, `input ${input.name}: ${input.shape[0]} rows in one request; the limit is ${maxRows} (--max-rows-per-request)`);
  }
}

/**
 * An input's `data` already read from the request bytes as float32 (oip-json.ts): `depth` is how deeply its
 * arrays nest (0 for a bare number), every value a finite float32.
 */
export class ParsedData {
  constructor(readonly values: Float32Array, readonly depth: number) {}
}

/** Thrown when ParsedData does not fit its shape: the caller parses the request again the JSON.parse way. */
export class ParsedDataMismatch extends Error {}

/**
 * The input's JSON `data` as float32: flat, or nested at most once per dimension of its shape (walked without
 * recursion, so no nesting depth can exhaust the stack).
 */
function toFloat32(input: RawInput): Float32Array {
  const { name, data } = input;
  if (data === undefined) throw new HttpError(400, `input ${name}: no "data" (and no binary_data_size)`);
  const n = elementCount(input.shape);
  const maxDepth = Math.max(1, input.shape.length);
  if (data instanceof ParsedData) {
    // Read from the bytes by oip-json.ts, which gives up (to the JSON.parse path and its messages) on this.
    if (data.depth > maxDepth || data.values.length !== n) throw new ParsedDataMismatch();
    return data.values;
  }
  const out = new Float32Array(n);
  let count = 0;
  const put = (x: unknown): void => {
    if (count < n) {
      if (typeof x !== 'number') throw new HttpError(400, `input ${name}: value ${count} is ${describeValue(x)}; expected a number`);
      // JSON has no NaN or infinity: a non-finite number was written too large for a double (e.g. 1e400).
      if (!Number.isFinite(x)) throw new HttpError(400, `input ${name}: value ${count} is out of range (too large for a number); expected a finite float32`);
      out[count] = x;
      if (!Number.isFinite(out[count])) throw new HttpError(400, `input ${name}: value ${count} (${x}) is not a finite float32`);
    }
    count++;
  };
  if (!Array.isArray(data)) put(data);
  else {
    const arrays: unknown[][] = [data];
    const next: number[] = [0];
    while (arrays.length > 0) {
      const top = arrays.length - 1;
      const array = arrays[top] as unknown[];
      const i = next[top] as number;
      if (i === array.length) {
        arrays.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const x = array[i];
      if (!Array.isArray(x)) put(x);
      else if (arrays.length === maxDepth) {
        throw new HttpError(400, `input ${name}: "data" is nested deeper than its shape [${shapeText(input.shape)}] (${maxDepth} level${maxDepth === 1 ? '' : 's'} at most); send it flat or nested once per dimension`);
      } else {
        arrays.push(x);
        next.push(0);
      }
    }
  }
  if (count !== n) throw new HttpError(400, `input ${name}: ${count} values for shape [${shapeText(input.shape)}] (${n} expected)`);
  return out;
}

function checkFinite(name: string, data: Float32Array): void {
  if (finiteCheck.allFinite(data)) return;
  // Only a bad tensor is searched for the first offending value.
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new HttpError(400, `input ${name}: value ${i} is ${data[i]}; NaN and infinities are not accepted`);
  }
}

function requestedOutputs(doc: Record<string, unknown>, spec: ModelSpec): InferRequest['outputs'] {
  const params = (doc['parameters'] ?? {}) as Record<string, unknown>;
  const allBinary = params['binary_data_output'] === true;
  const asked = doc['outputs'];
  if (asked === undefined) return spec.outputs.map((o) => ({ name: o.name, binary: allBinary }));
  if (!Array.isArray(asked)) throw new HttpError(400, '"outputs" must be an array');
  const seen = new Set<string>();
  return asked.map((raw: unknown, i) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    const name = o['name'];
    if (typeof name !== 'string') throw new HttpError(400, `outputs[${i}].name must be a string`);
    // Each output once: a list repeating one a million times would make a reply of a million copies.
    if (seen.has(name)) throw new HttpError(400, `output ${quoteInput(name)} asked for twice`);
    seen.add(name);
    if (!spec.outputs.some((s) => s.name === name)) {
      throw new HttpError(400, `unknown output ${quoteInput(name)}; the model has ${spec.outputs.map((s) => s.name).join(', ')}`);
    }
    const p = (o['parameters'] ?? {}) as Record<string, unknown>;
    return { name, binary: p['binary_data'] === true || (p['binary_data'] === undefined && allBinary) };
  });
}

/**
 * Parses an infer request. `binary` is the raw bytes after the JSON header (binary extension) or undefined
 * for a plain JSON request; a batchable model takes at most `maxRows` rows (413 beyond).
 */
export function parseInferRequest(doc: unknown, binary: Buffer | undefined, spec: ModelSpec, maxRows = Infinity): InferRequest {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new HttpError(400, 'expected a JSON object with "inputs"');
  const body = doc as Record<string, unknown>;
  const raw = readInputs(body);
  const feeds: Feeds = {};
  let offset = 0;
  for (const input of raw) {
    const model = spec.inputs.find((s) => s.name === input.given);
    if (!model) throw new HttpError(400, `unknown input ${quoteInput(input.given)}; the model takes ${spec.inputs.map((s) => s.name).join(', ')}`);
    if (feeds[input.given]) throw new HttpError(400, `input ${input.name} given twice`);
    checkShape(input, model, spec.batchable, maxRows);
    let data: Float32Array;
    if (input.binarySize !== undefined) {
      const expected = elementCount(input.shape) * 4;
      if (!binary) throw new HttpError(400, `input ${input.name}: binary_data_size given but the request has no Inference-Header-Content-Length binary part`);
      if (input.binarySize !== expected) throw new HttpError(400, `input ${input.name}: binary_data_size ${input.binarySize} but shape [${shapeText(input.shape)}] of FP32 needs ${expected} bytes`);
      if (offset + expected > binary.length) throw new HttpError(400, `input ${input.name}: the binary part ends after ${binary.length - offset} of ${expected} bytes`);
      const at = binary.byteOffset + offset;
      if (at % 4 === 0) {
        // The body was read 4-byte aligned (readBody's alignAt): view the tensor in place.
        data = new Float32Array(binary.buffer, at, expected / 4);
      } else {
        data = new Float32Array(expected / 4);
        Buffer.from(data.buffer).set(binary.subarray(offset, offset + expected));
      }
      offset += expected;
      checkFinite(input.name, data);
    } else {
      data = toFloat32(input);
    }
    feeds[input.given] = { dims: input.shape, data };
  }
  if (binary && offset !== binary.length) throw new HttpError(400, `the binary part has ${binary.length - offset} bytes no input claims`);
  for (const s of spec.inputs) if (!feeds[s.name]) throw new HttpError(400, `missing input "${s.name}"`);
  if (spec.batchable) {
    const rows = new Set(Object.values(feeds).map((f) => f.dims[0]));
    if (rows.size > 1) throw new HttpError(400, 'inputs disagree on the batch (first) dimension');
  }
  const id = body['id'];
  return { id: typeof id === 'string' ? id : undefined, feeds, outputs: requestedOutputs(body, spec) };
}

/**
 * `data` as the JSON text JSON.stringify(Array.from(data)) gives (NaN and infinities as null; 64-bit integers
 * through Number), without an array of boxed numbers.
 */
export function jsonArrayText(data: NumericArray): string {
  const n = data.length;
  if (n === 0) return '[]';
  let text = '[';
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) text += (i === 0 ? '' : ',') + numberText(Number(data[i]));
  } else {
    for (let i = 0; i < n; i++) text += (i === 0 ? '' : ',') + numberText(data[i] as number);
  }
  return text + ']';
}

/** What JSON.stringify writes for a number: null when not finite, "0" for -0. */
const numberText = (x: number): string => (Number.isFinite(x) ? (x === 0 ? '0' : String(x)) : 'null');

/** An encoded infer response: JSON alone, or a JSON header plus binary parts. */
export interface EncodedResponse {
  json: string;
  binary: Buffer[];
}

/** Encodes outputs as an OIP infer response. */
export function encodeInferResponse(
  modelName: string, modelVersion: string, id: string | undefined, outputs: Outputs, wanted: InferRequest['outputs'],
): EncodedResponse {
  const binary: Buffer[] = [];
  // The JSON that JSON.stringify gives for the document of model_name, model_version, id and outputs (each
  // { name, datatype, shape, data | parameters }), with `data` written by jsonArrayText.
  let json = `{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}${id !== undefined ? `,"id":${JSON.stringify(id)}` : ''},"outputs":[`;
  wanted.forEach(({ name, binary: asBinary }, i) => {
    const t = outputs[name] as Tensor;
    json += `${i === 0 ? '' : ','}{"name":${JSON.stringify(name)},"datatype":${JSON.stringify(oipDatatype(t.type))},"shape":${JSON.stringify(t.dims)},`;
    if (asBinary) {
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      binary.push(bytes);
      json += `"parameters":{"binary_data_size":${bytes.length}}}`;
    } else {
      json += `"data":${jsonArrayText(t.data)}}`;
    }
  });
  return { json: `${json}]}`, binary };
}
