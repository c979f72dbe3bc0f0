/**
 * Kubernetes resource quantities ("500m", "1Gi", "1e3"): parse one, write it exactly as the apiserver
 * stores it (its canonical form: 1024Mi -> 1Gi, 1000m -> 1, 0.5 -> 500m, 2000k -> 2M), and compare two by
 * value. The apiserver rewrites every quantity of a built-in object (a Deployment's resources, an
 * emptyDir's sizeLimit) in that form, so an object written in any other spelling reads back different.
 *
 * A port of k8s.io/apimachinery/pkg/api/resource (quantity.go: parseQuantityString, ParseQuantity,
 * CanonicalizeBytes, MarshalJSON; suffix.go; amount.go's canonical forms), in exact BigInt arithmetic,
 * never a float: the three formats (DecimalSI, BinarySI, DecimalExponent) a quantity keeps from its
 * suffix, rounding up (away from zero) to 1n, the 2^63-1 cap of BinarySI, BinarySI below 1024 or with a
 * fraction written as DecimalSI, and a text already in canonical form kept verbatim (as Go keeps it).
 * Hand-written: no kept npm package does this (@kubernetes/client-node's quantityToScalar turns a
 * quantity into a JS number or bigint, refuses "1.5Gi" and writes none back; the registry has no other
 * Kubernetes quantity library). quantity.test.ts checks it against apimachinery's own tables. Pure.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its value is `unscaled` × 10^`exponent` (exact). */
export interface Quantity {
  readonly unscaled: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
  /** The text as given, when ParseQuantity keeps it (already canonical): the apiserver writes it back unchanged. */
  readonly kept?: string;
}

/** Thrown for a text that is not a quantity (ParseQuantity's error). */
export class QuantityError extends Error {
  constructor(text: string, why: string) {
    super(`"${text}" is not a quantity (${why}); write one such as 500m, 2, 512Mi or 1e3`);
    this.name = 'QuantityError';
  }
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map([['', 0] as const, ...Object.entries(BINARY_SUFFIXES)].map(([s, e]) => [e, s]));
const MAX_INT64 = 2n ** 63n - 1n;
/** Digits an int64 always holds (apimachinery's maxInt64Factors). */
const MAX_INT64_DIGITS = 18;
const NANO = -9;
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** apimachinery's parseQuantityString: sign, numerator (leading zeros dropped), denominator, suffix. */
function scan(str: string): Scanned {
  let pos = 0;
  let positive = true;
  if (str[0] === '-' || str[0] === '+') {
    positive = str[0] === '+';
    pos = 1;
  }
  while (str[pos] === '0') pos++;
  if (pos >= str.length) return { positive, num: '0', denom: '', suffix: '' };
  let end = pos;
  while (isDigit(str[end])) end++;
  const num = str.slice(pos, end) || '0';
  pos = end;
  let denom = '';
  if (str[pos] === '.') {
    end = ++pos;
    while (isDigit(str[end])) end++;
    denom = str.slice(pos, end);
    pos = end;
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw new QuantityError(str, 'it must be a number with an optional suffix');
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

/** The suffix as base, exponent and format (suffix.go's interpret); undefined when it is none. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const parsed = BigInt(suffix.slice(1));
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined;
    // Go converts the parsed int64 to int32 (wrapping): kept for exactness, unreachable by a sane text.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Parses `text` as the apiserver does (ParseQuantity); throws QuantityError for what it refuses. */
export function parseQuantity(text: string): Quantity {
  if (text.length === 0) throw new QuantityError(text, 'it is empty');
  if (text === '0') return { unscaled: 0n, exponent: 0, format: 'DecimalSI', kept: text };
  const { positive, num, denom, suffix } = scan(text);
  const unit = interpret(suffix);
  if (!unit) throw new QuantityError(text, `unknown suffix "${suffix}"`);
  const { base, exponent } = unit;
  let format = unit.format;
  const sign = positive ? 1n : -1n;

  // The int64 fast path: the only one that keeps the text, when it is canonical already.
  let precision = -1;
  let scale = 0;
  let mantissa = 1n;
  if (base === 10) {
    scale = exponent;
    precision = MAX_INT64_DIGITS - (num.length + denom.length);
  } else if (denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= NANO) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= MAX_INT64) {
        const canonical =
          base === 2 ? exponent % 10 === 0 && (value & 7n) !== 0n : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return { unscaled: sign * result, exponent: scale, format, ...(canonical ? { kept: text } : {}) };
      }
    }
  }

  // Arbitrary precision: the suffix folded into the value, rounded up to 1n, BinarySI capped at 2^63-1.
  let unscaled = BigInt(num + denom);
  let exp = -denom.length;
  if (base === 10) exp += exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (unscaled !== 0n && exp < NANO) {
    // Below 1n: round up. A shift longer than the digits leaves 1 (and builds no huge power of ten).
    const shift = NANO - exp;
    if (shift > unscaled.toString().length) {
      unscaled = 1n;
    } else {
      const divisor = pow10(shift);
      unscaled = (unscaled + divisor - 1n) / divisor;
    }
    exp = NANO;
  }
  if (format === 'BinarySI' && compare(unscaled, exp, MAX_INT64, 0) > 0) {
    unscaled = MAX_INT64;
    exp = 0;
  }
  if (format === 'BinarySI' && unscaled !== 0n && compare(unscaled, exp, 1n, 0) < 0) format = 'DecimalSI';
  return { unscaled: sign * unscaled, exponent: exp, format };
}

/** Sign of a×10^ea − b×10^eb. */
function compare(a: bigint, ea: number, b: bigint, eb: number): number {
  const e = Math.min(ea, eb);
  const x = a * pow10(ea - e);
  const y = b * pow10(eb - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** `v` without its factors of `base`, and how many were removed. */
function removeFactors(v: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    times++;
  }
  return [v, times];
}

/** The text the apiserver writes for `q` (MarshalJSON: the kept text, else CanonicalizeBytes). */
export function formatQuantity(q: Quantity): string {
  if (q.kept !== undefined) return q.kept;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  let rounded = 0n;
  if (format === 'BinarySI') {
    if (compare(abs(q.unscaled), q.exponent, 1024n, 0) < 0) {
      format = 'DecimalSI';
    } else if (q.exponent >= 0) {
      rounded = q.unscaled * pow10(q.exponent);
    } else {
      const divisor = pow10(-q.exponent);
      if (q.unscaled % divisor !== 0n) format = 'DecimalSI'; // a fraction: don't lose it
      else rounded = q.unscaled / divisor;
    }
  }
  if (format === 'BinarySI') {
    const [amount, times] = removeFactors(rounded, 1024n);
    return `${amount}${BINARY_BY_EXPONENT.get(times * 10) ?? ''}`;
  }
  const [withoutTens, times] = removeFactors(q.unscaled, 10n);
  let amount = withoutTens;
  let exponent = q.exponent + times;
  while (exponent % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  const si = format === 'DecimalSI' ? DECIMAL_BY_EXPONENT.get(exponent) : undefined;
  // DecimalSI has no suffix past E (10^18): the exponent is written out instead.
  return `${amount}${si ?? (exponent === 0 ? '' : `e${exponent}`)}`;
}

/** `text` as the apiserver stores it (1024Mi -> 1Gi); throws QuantityError for a text that is no quantity. */
export function canonicalQuantity(text: string): string {
  return formatQuantity(parseQuantity(text));
}

/** True when `text` is a quantity the apiserver accepts (CEL's isQuantity). */
export function isQuantity(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch (err) {
    if (err instanceof QuantityError) return false;
    throw err;
  }
}

/** True when both are quantities of the same value, however written (1Gi and 1024Mi; 1 and 1000m). */
export function sameQuantity(a: string, b: string): boolean {
  if (a === b) return true;
  return isQuantity(a) && isQuantity(b) && quantityValueKey(a) === quantityValueKey(b);
}

/** The value as (unscaled without factors of ten, exponent): one pair per value, so equal values compare equal. */
function normalized(q: Quantity): [bigint, number] {
  if (q.unscaled === 0n) return [0n, 0];
  const [amount, times] = removeFactors(q.unscaled, 10n);
  return [amount, q.exponent + times];
}

/** One text per value (`1Gi`, `1024Mi` and `1073741824` give the same), for comparing by value; a non-quantity keeps its own text. */
export function quantityValueKey(text: string): string {
  if (!isQuantity(text)) return `not a quantity: ${text}`;
  const [amount, exponent] = normalized(parseQuantity(text));
  return `${amount}e${exponent}`;
}
