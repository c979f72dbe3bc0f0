// Parses an OIP (KServe v2) JSON infer request with its tensors' `data` read straight from the bytes into
// float32 arrays: the rest of the document (names, shapes, ids, outputs; small) goes through JSON.parse with
// each input's `data` replaced by a marker. The result is the one JSON.parse + parseInferRequest gives;
// anything unusual, and every error, goes to that path (oip.ts), which also gives every error message.
// Nothing here recurses: no nesting can exhaust the stack.
import { parseJson } from './body.js';
import { parseInferRequest, ParsedData, type InferRequest } from './oip.js';
import type { ModelSpec } from './model-spec.js';
import { isJsonWs as isWs, jsonNumberEnd, readJsonNumber as readNumber, skipJsonWs as skipWs } from './predict-body.js';

const QUOTE = 0x22, COMMA = 0x2c, COLON = 0x3a, BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
const INPUTS_KEY = Buffer.from('"inputs"', 'latin1');
const DATA_KEY = Buffer.from('"data"', 'latin1');

/** Containers by where they are: the document, its "inputs" array, an object in that array, anything else. */
const ROOT = 1, INPUTS = 2, INPUT = 3, OTHER = 4;

/** Parses an infer request body (no binary part) like parseInferRequest(parseJson(body), ...); throws HttpError. */
export function parseInferJson(body: Buffer, spec: ModelSpec, maxRows = Infinity): InferRequest {
  return tryFastInferJson(body, spec, maxRows) ?? parseInferRequest(parseJson(body), undefined, spec, maxRows);
}

/** Values are read here first (the count is known only at the end), then copied out at their exact size. */
let scratch = new Float32Array(1 << 16);
const SCRATCH_KEEP = 1 << 22;

/**
 * The request when `body` is a valid request whose every inputs[i].data is a number or (nested) arrays of
 * numbers that are finite in float32, spelled `"inputs"` and `"data"` without escapes; otherwise undefined
 * (the slow path decides, and gives the error if there is one).
 */
export function tryFastInferJson(body: Buffer, spec: ModelSpec, maxRows: number): InferRequest | undefined {
  // The document must end with `}` (then whitespace): every read below stops at or before it.
  let last = body.length - 1;
  while (last >= 0 && isWs(body[last])) last--;
  if (last < 0 || body[last] !== CLOSE_OBJECT) return undefined;
  let i = skipWs(body, 0);
  if (body[i] !== OPEN_OBJECT) return undefined;
  // The kind of each open container (objects and arrays alike), innermost last.
  const roles: number[] = [];
  const isObject: boolean[] = [];
  /** In an object, before a key (after `{` or `,`). */
  let expectKey = false;
  /** The key just read is "inputs" (in the document) or "data" (in an input). */
  let keyInputs = false;
  let keyData = false;
  const starts: number[] = [];
  const ends: number[] = [];
  const parsed: ParsedData[] = [];
  while (i <= last) {
    const c = body[i] as number;
    if (isWs(c) || c === COLON) {
      i++;
      continue;
    }
    const depth = roles.length;
    const role = depth === 0 ? 0 : (roles[depth - 1] as number);
    if (c === COMMA) {
      expectKey = depth > 0 && (isObject[depth - 1] as boolean);
      i++;
      continue;
    }
    if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth === 0) return undefined;
      roles.pop();
      isObject.pop();
      expectKey = false;
      i++;
      if (roles.length === 0) break;
      continue;
    }
    if (c === QUOTE && expectKey) {
      const end = stringEnd(body, i, last);
      if (end < 0) return undefined;
      keyInputs = role === ROOT && isKey(body, i, end, INPUTS_KEY);
      keyData = role === INPUT && isKey(body, i, end, DATA_KEY);
      expectKey = false;
      i = end;
      continue;
    }
    // A value.
    if (role === INPUT && keyData) {
      keyData = false;
      const end = readTensor(body, i, parsed);
      // The marker that replaces it must stand alone (`"data": [1]2` is not JSON; `"data": 12` would be).
      if (end < 0 || (body[skipWs(body, end)] !== COMMA && body[skipWs(body, end)] !== CLOSE_OBJECT)) return undefined;
      starts.push(i);
      ends.push(end);
      i = end;
      continue;
    }
    if (c === OPEN_OBJECT) {
      roles.push(depth === 0 ? ROOT : role === INPUTS ? INPUT : OTHER);
      isObject.push(true);
      expectKey = true;
      i++;
    } else if (c === OPEN_ARRAY) {
      roles.push(role === ROOT && keyInputs ? INPUTS : OTHER);
      isObject.push(false);
      expectKey = false;
      i++;
    } else if (c === QUOTE) {
      i = stringEnd(body, i, last);
      if (i < 0) return undefined;
    } else {
      // true, false, null or a number (JSON.parse checks the spelling).
      while (i <= last && !isWs(body[i]) && body[i] !== COMMA && body[i] !== CLOSE_ARRAY && body[i] !== CLOSE_OBJECT) i++;
    }
    keyInputs = false;
  }
  if (roles.length !== 0 || i !== last + 1 || parsed.length === 0) return undefined;
  // The rest of the document, each data value replaced by its index into `parsed`.
  let skeleton = '';
  let from = 0;
  for (let k = 0; k < starts.length; k++) {
    skeleton += `${body.toString('utf8', from, starts[k])}${k}`;
    from = ends[k] as number;
  }
  skeleton += body.toString('utf8', from);
  let doc: unknown;
  try {
    doc = JSON.parse(skeleton);
  } catch {
    return undefined;
  }
  // Every input's data must be one of the markers (else this scan misread the document: let JSON.parse decide).
  const inputs = (doc as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs)) return undefined;
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
    const t = input as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(t, 'data')) continue;
    const k = t['data'];
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= parsed.length) return undefined;
    t['data'] = parsed[k];
  }
  try {
    return parseInferRequest(doc, undefined, spec, maxRows);
  } catch {
    // Whatever is wrong, the slow path says it in its own words.
    return undefined;
  } finally {
    if (scratch.length > SCRATCH_KEEP) scratch = new Float32Array(1 << 16);
  }
}

/** The index after the string that starts at b[start] (a quote), or -1 when it does not end by `last`. */
function stringEnd(b: Buffer, start: number, last: number): number {
  for (let i = start + 1; i <= last; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

function isKey(b: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) return false;
  return true;
}

/**
 * Reads the tensor at b[start]: a number or arrays of numbers nested to any depth (counted, not recursed), every
 * value finite in float32. Appends its ParsedData to `parsed`; the index after it, or -1 to give up.
 */
function readTensor(b: Buffer, start: number, parsed: ParsedData[]): number {
  let i = start;
  let count = 0;
  if (b[i] !== OPEN_ARRAY) {
    const x = readNumber(b, i);
    if (Number.isNaN(x)) return -1;
    parsed.push(new ParsedData(Float32Array.of(x), 0));
    return jsonNumberEnd();
  }
  let depth = 0;
  let maxDepth = 0;
  for (;;) {
    // At the start of a value, or of `]` right after `[`.
    let c = b[i];
    if (c === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      i = skipWs(b, i + 1);
      if (b[i] !== CLOSE_ARRAY) continue;
    } else {
      const x = readNumber(b, i);
      if (Number.isNaN(x)) return -1;
      if (count === scratch.length) {
        const grown = new Float32Array(scratch.length * 2);
        grown.set(scratch);
        scratch = grown;
      }
      scratch[count++] = x;
      i = skipWs(b, jsonNumberEnd());
    }
    // After a value (or an empty array's `[`): `,` then a value, or `]`s.
    for (;;) {
      c = b[i];
      if (c === COMMA) {
        i = skipWs(b, i + 1);
        if (b[i] === CLOSE_ARRAY) return -1;
        break;
      }
      if (c !== CLOSE_ARRAY) return -1;
      depth--;
      i++;
      if (depth === 0) {
        parsed.push(new ParsedData(scratch.slice(0, count), maxDepth));
        return i;
      }
      i = skipWs(b, i);
    }
  }
}
