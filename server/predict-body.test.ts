// parsePredictBody against the slow path (JSON.parse + parsePredictRequest): the same float32 bits, rows,
// HTTP statuses and messages on generated, mutated and hand-written bodies; and the fast path is really taken.
// Also the row estimate that sizes batches of bodies parsed in the workers.
import { Prng } from '../models/prng.js';
import { parseJson } from './body.js';
import { HttpError } from './http-error.js';
import { estimateRows, parsePredictBody, tryFastPredictBody } from './predict-body.js';
import { parsePredictRequest, type PredictBatch } from './predict-request.js';

/** What a parse gave: rows and the float32 bit patterns, or the HttpError's status and message. */
type Outcome = { rows: number; bits: number[] } | { status: number; message: string };

function outcome(parse: () => PredictBatch): Outcome {
  try {
    const { rows, data } = parse();
    expect(data.byteLength).toBe(data.buffer.byteLength); // its own buffer: the batch may be transferred
    return { rows, bits: Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length)) };
  } catch (err) {
    if (err instanceof HttpError) return { status: err.status, message: err.message };
    throw err;
  }
}

const slow = (body: Buffer, features: number, maxRows: number): Outcome =>
  outcome(() => parsePredictRequest(parseJson(body), features, maxRows));
const fast = (body: Buffer, features: number, maxRows: number): Outcome => outcome(() => parsePredictBody(body, features, maxRows));

interface Case {
  body: Buffer;
  features: number;
  maxRows: number;
}

/** The cases where the two paths differ (at most a few, with both answers), so a failure shows them. */
function differences(cases: Case[]): Array<{ body: string; fast: Outcome; slow: Outcome }> {
  const out: Array<{ body: string; fast: Outcome; slow: Outcome }> = [];
  for (const { body, features, maxRows } of cases) {
    const f = fast(body, features, maxRows);
    const s = slow(body, features, maxRows);
    if (JSON.stringify(f) !== JSON.stringify(s) && out.length < 5) out.push({ body: body.toString('latin1'), fast: f, slow: s });
  }
  return out;
}

const pick = <T>(p: Prng, items: readonly T[]): T => items[p.int(items.length)] as T;
const digitString = (p: Prng, n: number): string => Array.from({ length: n }, () => String(p.int(10))).join('');

const SPECIALS = [
  '0', '-0', '0.0', '-0.0', '0e0', '-0E+5', '0.000e-7', '-0.00', '1e-45', '1e-46', '-1e-45', '1.4e-45', '7e-46', '7.000000000000001e-46',
  '3.4028235e38', '3.4028236e38', '-3.4028235e38', '3.4028234663852886e38', '3.40282356779733661637539395458142568448e38', '1e39',
  '1e22', '1e23', '1e-22', '1e-23', '123456789012345e22', '123456789012345e-22', '9007199254740993', '123456789012345678901234567890',
  '0.1', '1', '1E0', '1e+0', '1e-0', '5e-324', '1e400', '-1e400', '1e-400', '0.30000000000000004', '1.00000000000000000000000000001',
  '16777217', '16777216.000000000000000001', '0.000000000000000000000000000000000000000000000000012345678901234567890',
];

/** A float32 rounding midpoint (or a decimal next to one) between two adjacent float32s, as JSON text. */
function midpointText(p: Prng): string {
  const f32 = new Float32Array(2);
  const u32 = new Uint32Array(f32.buffer);
  // Exponent fields across the whole range, but mostly where the fast arithmetic works (about 1e-7..1e22).
  const exponent = p.next() < 0.6 ? 103 + p.int(70) : p.int(255);
  u32[0] = (exponent << 23) | p.int(1 << 23);
  u32[1] = (u32[0] as number) + 1;
  const mid = ((f32[0] as number) + (f32[1] as number)) / 2; // exact in a double
  const sign = p.next() < 0.3 ? '-' : '';
  const kind = p.int(4);
  if (kind === 0) return sign + mid.toPrecision(100).replace(/0+(e|$)/, '$1').replace(/\.(e|$)/, '$1');
  const text = mid.toPrecision(17 + p.int(9));
  if (kind === 1) return sign + text;
  // Nudge the last mantissa digit by one either way.
  const mantissa = text.split('e')[0] as string;
  const rest = text.slice(mantissa.length);
  const last = Number(mantissa[mantissa.length - 1]);
  const nudged = kind === 2 ? Math.min(9, last + 1) : Math.max(0, last - 1);
  return sign + mantissa.slice(0, -1) + String(nudged) + rest;
}

/** One JSON number of a random kind. */
function numberText(p: Prng): string {
  switch (p.int(9)) {
    case 0:
    case 1:
      return String(p.normal() * 10 ** (p.int(7) - 3)); // typical: shortest round trip, 16-17 digits
    case 2:
      return String((p.next() < 0.5 ? -1 : 1) * p.next() * 10 ** (p.int(90) - 50)); // any magnitude, some overflow
    case 3: {
      const digits = digitString(p, 18 + p.int(15)).replace(/^0+/, '') || '0';
      const point = p.int(digits.length + 1);
      const text = point === 0 || point === digits.length ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
      const exp = p.next() < 0.5 ? '' : `${pick(p, ['e', 'E'])}${pick(p, ['', '+', '-'])}${p.int(40)}`;
      return (p.next() < 0.3 ? '-' : '') + (text.startsWith('.') ? `0${text}` : text) + exp;
    }
    case 4: {
      const n = 1 + p.int(20);
      const mantissa = String(1 + p.int(9)) + (n > 1 ? `.${digitString(p, n - 1)}` : '');
      return `${p.next() < 0.3 ? '-' : ''}${mantissa}${pick(p, ['e', 'E'])}${pick(p, ['', '+', '-'])}${pick(p, ['0', '00', '7', '22', '23', '38', '39', '45', '46', '100', String(p.int(60))])}`;
    }
    case 5:
      return midpointText(p);
    case 6:
      return pick(p, [String(p.int(2 ** 31)), String(-p.int(1000)), String(BigInt(p.int(2 ** 30)) * BigInt(p.int(2 ** 30)) * 1000n)]);
    case 7:
      return pick(p, SPECIALS);
    default:
      return String(Math.fround(p.normal())); // values that are float32s already
  }
}

/** JSON whitespace: mostly none. */
function ws(p: Prng, density: number): string {
  if (p.next() >= density) return '';
  return Array.from({ length: 1 + p.int(3) }, () => pick(p, [' ', '\t', '\n', '\r'])).join('');
}

type Shape = 'instances' | 'one-features' | 'many-features';

function bodyText(p: Prng, shape: Shape, rows: number, features: number, num: () => string, density: number): string {
  const w = (): string => ws(p, density);
  const vector = (): string => `[${w()}${Array.from({ length: features }, () => num()).join(`${w()},${w()}`)}${w()}]`;
  const value = shape === 'one-features' ? vector() : `[${w()}${Array.from({ length: rows }, vector).join(`${w()},${w()}`)}${w()}]`;
  return `${w()}{${w()}"${shape === 'instances' ? 'instances' : 'features'}"${w()}:${w()}${value}${w()}}${w()}`;
}

function randomCase(p: Prng, num: () => string): Case & { shape: Shape } {
  const shape = pick(p, ['instances', 'one-features', 'many-features'] as const);
  const features = 1 + p.int(20);
  const rows = shape === 'one-features' ? 1 : 1 + p.int(40);
  const body = Buffer.from(bodyText(p, shape, rows, features, num, pick(p, [0, 0.2, 1])));
  return { body, features, maxRows: 64, shape };
}

/** A typical request: 32 vectors of 16 normal draws printed by JSON.stringify. */
function typicalBody(seed: number): Buffer {
  const p = new Prng(seed);
  return Buffer.from(JSON.stringify({ instances: Array.from({ length: 32 }, () => Array.from({ length: 16 }, () => p.normal())) }));
}

describe('parsePredictBody', () => {
  it('gives the slow path\'s exact float32 bits on thousands of generated bodies, and takes the fast path on every valid one', () => {
    const p = new Prng(20240611);
    const cases: Case[] = [];
    let valid = 0;
    let declined = 0;
    for (let n = 0; n < 3000; n++) {
      const c = randomCase(p, () => numberText(p));
      cases.push(c);
      if ('rows' in slow(c.body, c.features, c.maxRows)) {
        valid++;
        if (tryFastPredictBody(c.body, c.features, c.maxRows) === undefined) declined++;
      }
    }
    expect(differences(cases)).toEqual([]);
    expect(declined).toBe(0);
    expect(valid).toBeGreaterThan(300); // overflowing values make many bodies invalid; enough are not
  });

  it('matches the slow path value by value on every kind of number, one per body', () => {
    const p = new Prng(99);
    const cases: Case[] = [];
    for (let n = 0; n < 20000; n++) cases.push({ body: Buffer.from(`{"features":[${numberText(p)}]}`), features: 1, maxRows: 1 });
    for (let n = 0; n < 20000; n++) cases.push({ body: Buffer.from(`{"features":[${midpointText(p)}]}`), features: 1, maxRows: 1 });
    for (const s of SPECIALS) cases.push({ body: Buffer.from(`{"instances":[[${s},-${s.replace(/^-/, '')}]]}`), features: 2, maxRows: 1 });
    expect(differences(cases)).toEqual([]);
  });

  it('keeps negative zero', () => {
    for (const z of ['-0', '-0.0', '-0e5', '-0.000E-3']) {
      const batch = tryFastPredictBody(Buffer.from(`{"features": [${z}, 0]}`), 2, 1);
      expect(batch && Object.is(batch.data[0], -0)).toBe(true);
      expect(batch && Object.is(batch.data[1], 0)).toBe(true);
    }
  });

  it('takes the fast path for typical bodies, whitespace anywhere JSON allows, and all three shapes', () => {
    for (const seed of [1, 2, 3]) {
      const body = typicalBody(seed);
      expect(tryFastPredictBody(body, 16, 4096)?.rows).toBe(32);
      expect(fast(body, 16, 4096)).toEqual(slow(body, 16, 4096));
    }
    const taken = [
      '{"instances":[[1,2]]}',
      ' \t\r\n{ \t\r\n"instances" \t\r\n: \t\r\n[ \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n, \t\r\n[3,4] \t\r\n] \t\r\n} \t\r\n',
      '{"features":[1.5,-2e-3]}',
      '{"features":[[1.5,-2e-3],[0,-0]]}',
      '{"instances":[[1E+2,2e-2],[0.5,12345678901234567890123]]}',
    ];
    for (const text of taken) {
      const body = Buffer.from(text);
      expect(tryFastPredictBody(body, 2, 8)).toBeDefined();
      expect(fast(body, 2, 8)).toEqual(slow(body, 2, 8));
    }
  });

  it('declines odd bodies the slow path still accepts', () => {
    for (const text of ['{"\\u0069nstances":[[1,2]]}', '{"instances":[[1,2]],"instances":[[3,4]]}', '{"instances":[[1,2]],"model":"x"}', '{"features":[[1,2]],"instances":[[3,4]]}', '{"x":1,"instances":[[1,2]]}']) {
      const body = Buffer.from(text);
      expect(tryFastPredictBody(body, 2, 8)).toBeUndefined();
      expect(fast(body, 2, 8)).toEqual(slow(body, 2, 8));
      expect('rows' in fast(body, 2, 8)).toBe(true);
    }
  });

  const malformed = [
    '', ' ', '{}', '[]', 'null', '"instances"', '{"instances":[[1,2]]', '{"instances":[[1,2]}', '{"instances":[[1,2]]}}', '{"instances":[[1,2]]}x',
    '{"instances":[[1,2]]} {}', '{"instances":[[1,2]]}\u0000', '\uFEFF{"instances":[[1,2]]}', '\u00a0{"instances":[[1,2]]}',
    '{"instances":[[01,2]]}', '{"instances":[[1.,2]]}', '{"instances":[[.5,2]]}', '{"instances":[[-,2]]}', '{"instances":[[+1,2]]}',
    '{"instances":[[1e,2]]}', '{"instances":[[1e+,2]]}', '{"instances":[[- 1,2]]}', '{"instances":[[0x10,2]]}', '{"instances":[[1_0,2]]}',
    '{"instances":[[NaN,2]]}', '{"instances":[[Infinity,2]]}', '{"instances":[[-Infinity,2]]}', '{"instances":[[1,2,]]}', '{"instances":[[1,2],]}',
    '{"instances":[[1,,2]]}', '{"instances":[[1 2]]}', '{"instances":[[1,2]],}', '{"instances":[]}', '{"features":[]}', '{"instances":[[]]}',
    '{"instances":[[1,2,3]]}', '{"instances":[[1]]}', '{"instances":[[1,2],[3]]}', '{"features":[1,2,3]}', '{"instances":[[[1,2]]]}',
    '{"instances":[1,2]}', '{"features":[1,[2]]}', '{"features":[[1,2],3]}', '{"instances":[["1",2]]}', '{"instances":[[null,2]]}',
    '{"instances":[[true,2]]}', '{"instances":[[1,{}]]}', '{"instances":{"0":[1,2]}}', '{"instances":[[1e400,2]]}', '{"instances":[[1e39,2]]}',
    '{"instances":[[-3.4028236e38,2]]}', '{"Instances":[[1,2]]}', '{"instancesx":[[1,2]]}', '{"instance":[[1,2]]}',
    '{"__proto__":[[1,2]]}', '{instances:[[1,2]]}', "{'instances':[[1,2]]}", '{"instances"[[1,2]]}', '{"instances"::[[1,2]]}',
    '{"instances":[[1,2]],[3,4]]}', '{"instances":[[1,2]][3,4]]}', '{"instances":[[1,2],[3,4],[5,6],[7,8],[9,0]]}',
  ];

  it.each(malformed)('answers %j as the slow path does', (text) => {
    const body = Buffer.from(text);
    expect(tryFastPredictBody(body, 2, 4)).toBeUndefined();
    const f = fast(body, 2, 4);
    expect(f).toEqual(slow(body, 2, 4));
    expect('status' in f).toBe(true);
  });

  it('answers mutated bodies (bytes deleted, inserted or replaced) as the slow path does', () => {
    const p = new Prng(4242);
    const alphabet = Buffer.from('0123456789-+.eE,[]{}": \t\n\r\\x:a\u0000');
    const cases: Case[] = [];
    for (let n = 0; n < 6000; n++) {
      const features = 1 + p.int(4);
      const shape = pick(p, ['instances', 'one-features', 'many-features'] as const);
      const bytes = Array.from(Buffer.from(bodyText(p, shape, 1 + p.int(3), features, () => numberText(p), pick(p, [0, 0.3]))));
      for (let m = 1 + p.int(3); m > 0; m--) {
        const at = p.int(bytes.length + 1);
        const byte = p.next() < 0.9 ? (alphabet[p.int(alphabet.length)] as number) : p.int(256);
        const op = p.int(3);
        if (op === 0) bytes.splice(at, 1);
        else if (op === 1) bytes.splice(at, 0, byte);
        else bytes[Math.min(at, bytes.length - 1)] = byte;
      }
      cases.push({ body: Buffer.from(bytes), features, maxRows: 2 });
    }
    expect(differences(cases)).toEqual([]);
  });

  it('answers 413 for too many rows as the slow path does', () => {
    const body = Buffer.from(`{"instances":[${Array.from({ length: 9 }, () => '[1,2]').join(',')}]}`);
    expect(fast(body, 2, 8)).toEqual(slow(body, 2, 8));
    expect(fast(body, 2, 8)).toMatchObject({ status: 413 });
    expect(tryFastPredictBody(body, 2, 9)?.rows).toBe(9);
  });

  it('grows its scratch space for large batches', () => {
    const p = new Prng(5);
    const body = Buffer.from(bodyText(p, 'instances', 1000, 20, () => String(p.normal()), 0));
    expect(tryFastPredictBody(body, 20, 4096)?.rows).toBe(1000);
    expect(fast(body, 20, 4096)).toEqual(slow(body, 20, 4096));
  });
});

describe('estimateRows', () => {
  it('counts the vectors of the usual shapes, and at least one for anything else', () => {
    expect(estimateRows(Buffer.from('{"instances": [[1, 2], [3, 4], [5, 6]]}'))).toBe(3);
    expect(estimateRows(Buffer.from('{"features": [[1, 2]]}'))).toBe(1);
    expect(estimateRows(Buffer.from('{"features": [1, 2]}'))).toBe(1);
    expect(estimateRows(Buffer.from('not json'))).toBe(1);
    expect(estimateRows(Buffer.from(''))).toBe(1);
  });
});
