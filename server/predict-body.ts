// Parses a /v1/predict body straight from its bytes into a Float32Array for the usual shapes (see
// predict-request.ts), bit-identical to JSON.parse + parsePredictRequest; anything unusual goes to that slow
// path, which also gives every error message, so this file never produces an error of its own.
import { parseJson } from './body.js';
import { parsePredictRequest, type PredictBatch } from './predict-request.js';

/** The batch in `body` for a model that takes `features` values per input; throws HttpError like the slow path. */
export function parsePredictBody(body: Buffer, features: number, maxRows: number): PredictBatch {
  return tryFastPredictBody(body, features, maxRows) ?? parsePredictRequest(parseJson(body), features, maxRows);
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, COMMA = 0x2c, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, COLON = 0x3a;
const ZERO = 0x30, NINE = 0x39, E_UPPER = 0x45, E_LOWER = 0x65;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
const INSTANCES = Buffer.from('instances"', 'latin1');
const FEATURES = Buffer.from('features"', 'latin1');

/**
 * How many feature vectors `body` probably holds, without parsing it: the number of '[' less the outer one
 * (at least 1). Exact for the usual shapes; only used to size batches before the body is parsed.
 */
export function estimateRows(body: Buffer): number {
  let brackets = 0;
  for (let at = body.indexOf(OPEN_ARRAY); at >= 0; at = body.indexOf(OPEN_ARRAY, at + 1)) brackets++;
  return Math.max(1, brackets - 1);
}

/** 10^0 .. 10^22: every one is an exact double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Values are written here first (the row count is unknown until the end), then copied out at their exact size. */
let scratch = new Float32Array(4096);
/** A scratch array grown past this many values is let go after the call. */
const SCRATCH_KEEP = 1 << 16;
/** Index just after the number readNumber last read. */
let numberEnd = 0;
const bits32 = new Float32Array(1);
const bitsU32 = new Uint32Array(bits32.buffer);

/**
 * The batch when `body` is exactly `{"instances": [[n, ...], ...]}`, `{"features": [n, ...]}` or
 * `{"features": [[n, ...], ...]}` (any JSON whitespace; that one key, spelled without escapes), every row
 * has `features` numbers, there are 1..maxRows rows and every value fits in float32; otherwise undefined.
 */
export function tryFastPredictBody(body: Buffer, features: number, maxRows: number): PredictBatch | undefined {
  if (!Number.isSafeInteger(features) || features < 1 || !(maxRows >= 1)) return undefined;
  // The document must end with `}` (then whitespace): every read below stops at or before it, so none reads
  // past the end (an out-of-bounds read would make V8 compile every byte load slower).
  let last = body.length - 1;
  while (last >= 0 && isWs(body[last])) last--;
  if (last < 0 || body[last] !== CLOSE_OBJECT) return undefined;
  let i = skipWs(body, 0);
  if (body[i] !== OPEN_OBJECT) return undefined;
  i = skipWs(body, i + 1);
  if (body[i] !== QUOTE) return undefined;
  const instances = startsWith(body, i + 1, INSTANCES);
  if (!instances && !startsWith(body, i + 1, FEATURES)) return undefined;
  i = skipWs(body, i + 1 + (instances ? INSTANCES.length : FEATURES.length));
  if (body[i] !== COLON) return undefined;
  i = skipWs(body, i + 1);
  if (body[i] !== OPEN_ARRAY) return undefined;
  i = skipWs(body, i + 1);
  let rows = 0;
  if (body[i] !== OPEN_ARRAY) {
    // {"features": [n, ...]}: one vector.
    if (instances) return undefined;
    reserve(features);
    i = readRow(body, i, 0, features);
    if (i < 0) return undefined;
    rows = 1;
  } else {
    for (;;) {
      if (body[i] !== OPEN_ARRAY || rows === maxRows) return undefined;
      reserve((rows + 1) * features);
      i = readRow(body, skipWs(body, i + 1), rows * features, features);
      if (i < 0) return undefined;
      rows++;
      i = skipWs(body, i);
      if (body[i] === CLOSE_ARRAY) break;
      if (body[i] !== COMMA) return undefined;
      i = skipWs(body, i + 1);
    }
    i++;
  }
  if (skipWs(body, i) !== last) return undefined;
  const data = scratch.slice(0, rows * features);
  if (scratch.length > SCRATCH_KEEP) scratch = new Float32Array(4096);
  return { rows, data };
}

function isWs(c: number | undefined): boolean {
  return c !== undefined && c <= SPACE && (c === SPACE || c === LF || c === CR || c === TAB);
}

function skipWs(b: Buffer, i: number): number {
  while (isWs(b[i])) i++;
  return i;
}

function startsWith(b: Buffer, at: number, text: Buffer): boolean {
  if (at + text.length > b.length) return false;
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text[k]) return false;
  return true;
}

function reserve(values: number): void {
  if (values > scratch.length) {
    const grown = new Float32Array(Math.max(values, scratch.length * 2));
    grown.set(scratch);
    scratch = grown;
  }
}

/** Reads `count` numbers and the `]` after them into scratch from index `at`; the index after `]`, or -1. */
function readRow(b: Buffer, i: number, at: number, count: number): number {
  for (let n = 0; ; ) {
    const x = readNumber(b, i);
    if (Number.isNaN(x)) return -1;
    scratch[at + n] = x;
    i = skipWs(b, numberEnd);
    if (++n === count) return b[i] === CLOSE_ARRAY ? i + 1 : -1;
    if (b[i] !== COMMA) return -1;
    i = skipWs(b, i + 1);
  }
}

/**
 * Reads the JSON number at b[start] (exactly -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and sets
 * numberEnd; returns the value JSON.parse would give rounded to float32, or NaN to give up (not a number,
 * or not finite in float32).
 *
 * Up to 15 significant digits go into `mant` exactly (< 10^15 < 2^53); later digits are checked and counted
 * in the decimal exponent k but dropped. With no nonzero digit dropped and |k| <= 22, mant and 10^|k| are
 * exact doubles, so one multiply or divide is the correctly rounded double JSON.parse gives (Clinger's
 * fast path), and Math.fround of it is what the slow path stores. With digits dropped, mant >= 10^14 and the
 * true value is under (1 + 1e-14) times mant·10^k, so the double d we compute and the one JSON.parse gives
 * differ by under ~1.03e-14·|d|; both round to the same float32 f unless a float32 rounding midpoint next to
 * f lies within that distance of d. When one lies within 1e-13·|d| (ten times the bound) we convert this one
 * number exactly with Number() instead, as we do for |k| > 22 and for zero with an exponent.
 */
function readNumber(b: Buffer, start: number): number {
  // Reads stay in bounds (see tryFastPredictBody), hence `as number`.
  let i = start;
  let c = b[i] as number;
  const negative = c === MINUS;
  if (negative) c = b[++i] as number;
  // The significant digits: the first 9 in `high`, the next 6 in `low` (int32 arithmetic: a double
  // multiply-add per digit is a slow dependency chain), `digits` of them in all; one tight loop each.
  let high = 0;
  let low = 0;
  let digits = 0;
  let k = 0;
  let dropped = false;
  if (c === ZERO) c = b[++i] as number;
  else if (c > ZERO && c <= NINE) {
    do {
      high = high * 10 + (c - ZERO);
      digits++;
      c = b[++i] as number;
    } while (digits < 9 && c >= ZERO && c <= NINE);
    while (digits < 15 && c >= ZERO && c <= NINE) {
      low = low * 10 + (c - ZERO);
      digits++;
      c = b[++i] as number;
    }
    while (c >= ZERO && c <= NINE) {
      k++;
      if (c !== ZERO) dropped = true;
      c = b[++i] as number;
    }
  } else return NaN;
  if (c === DOT) {
    c = b[++i] as number;
    if (!(c >= ZERO && c <= NINE)) return NaN;
    const fractionStart = i;
    if (digits === 0) while (c === ZERO) c = b[++i] as number; // leading zeros only move the exponent
    while (digits < 9 && c >= ZERO && c <= NINE) {
      high = high * 10 + (c - ZERO);
      digits++;
      c = b[++i] as number;
    }
    while (digits < 15 && c >= ZERO && c <= NINE) {
      low = low * 10 + (c - ZERO);
      digits++;
      c = b[++i] as number;
    }
    k -= i - fractionStart;
    while (c >= ZERO && c <= NINE) {
      if (c !== ZERO) dropped = true;
      c = b[++i] as number;
    }
  }
  let hasExponent = false;
  let hasHugeExponent = false;
  if (c === E_LOWER || c === E_UPPER) {
    hasExponent = true;
    c = b[++i] as number;
    const expNegative = c === MINUS;
    if (expNegative || c === PLUS) c = b[++i] as number;
    if (!(c >= ZERO && c <= NINE)) return NaN;
    let e = 0;
    do {
      if (e < 1e8) e = e * 10 + (c - ZERO);
      else hasHugeExponent = true;
      c = b[++i] as number;
    } while (c >= ZERO && c <= NINE);
    k += expNegative ? -e : e;
  }
  numberEnd = i;
  if (digits === 0) return hasExponent ? exactly(b, start, i) : negative ? -0 : 0;
  if (k > 22 || k < -22 || hasHugeExponent) return exactly(b, start, i);
  const mant = digits > 9 ? high * (POW10[digits - 9] as number) + low : high; // < 10^15 < 2^53: exact
  const d = k < 0 ? mant / (POW10[-k] as number) : mant * (POW10[k] as number);
  const f = Math.fround(d);
  if (dropped && nearMidpoint(d, f)) return exactly(b, start, i);
  return negative ? -f : f;
}

/** Whether positive d lies within 1e-13·d of a float32 rounding midpoint beside f = Math.fround(d) (normal). */
function nearMidpoint(d: number, f: number): boolean {
  const margin = d * 1e-13;
  // Every midpoint beside a normal float32 f is at least f·2^-25 from it (f·2^-25 only below a power of
  // two), and d - f is exact (Sterbenz): most values are decided here without the bit view.
  if (Math.abs(d - f) + margin < f * 2 ** -25) return false;
  bits32[0] = f;
  const bits = bitsU32[0] as number;
  bitsU32[0] = bits - 1;
  const below = bits32[0] as number;
  bitsU32[0] = bits + 1;
  const above = bits32[0] as number; // finite: d < 10^37 here
  return d - (f + below) / 2 <= margin || (f + above) / 2 - d <= margin;
}

/** The number b[start..end) converted exactly (as JSON.parse does) and rounded to float32; NaN when not finite. */
function exactly(b: Buffer, start: number, end: number): number {
  const f = Math.fround(Number(b.toString('latin1', start, end)));
  return Number.isFinite(f) ? f : NaN;
}

// For oip-json.ts, which reads OIP tensor data with the same number reader. Wrappers, so that the functions
// above stay plain module bindings (an exported binding is reached through a cell on every use in this file).
/** readNumber: the float32 that JSON.parse + rounding gives for the number at b[start], or NaN to give up. */
export const readJsonNumber = (b: Buffer, start: number): number => readNumber(b, start);
/** The index just after the number readJsonNumber last read. */
export const jsonNumberEnd = (): number => numberEnd;
export const isJsonWs = (c: number | undefined): boolean => isWs(c);
export const skipJsonWs = (b: Buffer, i: number): number => skipWs(b, i);
