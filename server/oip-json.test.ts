// The OIP JSON fast path (oip-json.ts) and the JSON output encoder against the old code as the oracle:
// JSON.parse + parseInferRequest (the old request path, unchanged in oip.ts) and a copy of the old
// encodeInferResponse below. Every valid request must give the same feeds, bit for bit, and every invalid one
// the same error; the encoder must write the same bytes.
import { Prng } from '../models/prng.js';
import { parseJson } from './body.js';
import { HttpError } from './http-error.js';
import type { ModelSpec } from './model-spec.js';
import { encodeInferResponse, oipDatatype, parseInferRequest, type InferRequest } from './oip.js';
import { parseInferJson, tryFastInferJson } from './oip-json.js';
import type { NumericArray, Outputs, Tensor } from './tensor.js';

const spec = (inputs: Array<{ name: string; shape: Array<number | string> }>): ModelSpec => ({
  inputs: inputs.map((i) => ({ ...i, type: 'float32' })),
  outputs: [{ name: 'y', type: 'float32', shape: ['batch', 3] }, { name: 'z', type: 'float32', shape: ['batch'] }],
  batchable: true,
  classifier: undefined,
});

type Outcome = { ok: true; id: string | undefined; outputs: InferRequest['outputs']; feeds: Array<[string, number[], string]> } | { ok: false; status: number; message: string; reason: string };

const outcomeOf = (parse: () => InferRequest): Outcome => {
  try {
    const r = parse();
    const feeds = Object.entries(r.feeds).map(([k, t]): [string, number[], string] => [k, t.dims, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]);
    return { ok: true, id: r.id, outputs: r.outputs, feeds };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { ok: false, status: err.status, message: err.message, reason: err.reason };
  }
};

/** The old path: JSON.parse, then parseInferRequest. */
const oracle = (body: Buffer, s: ModelSpec, maxRows: number): Outcome => outcomeOf(() => parseInferRequest(parseJson(body), undefined, s, maxRows));
const fast = (body: Buffer, s: ModelSpec, maxRows: number): Outcome => outcomeOf(() => parseInferJson(body, s, maxRows));

const pick = <T>(p: Prng, items: readonly T[]): T => items[p.int(items.length)] as T;
const digitString = (p: Prng, n: number): string => Array.from({ length: n }, () => String(p.int(10))).join('');

const SPECIALS = [
  '0', '-0', '0.0', '-0.0', '0e0', '-0E+5', '1e-45', '1e-46', '-1e-45', '1.4e-45', '7e-46', '3.4028235e38', '3.4028236e38',
  '-3.4028235e38', '3.4028234663852886e38', '3.40282356779733661637539395458142568448e38', '1e39', '1e22', '1e23', '1e-23',
  '9007199254740993', '123456789012345678901234567890', '0.1', '1E0', '1e+0', '5e-324', '1e400', '-1e400', '1e-400',
  '0.30000000000000004', '16777217', '1.00000000000000000000000000001',
];

/** A JSON number of a random kind (some out of float32 range: those requests are refused by both paths). */
function numberText(p: Prng, edgy: boolean): string {
  if (!edgy) return String(p.normal() * 10 ** (p.int(5) - 2));
  switch (p.int(6)) {
    case 0:
      return String(p.normal() * 10 ** (p.int(7) - 3));
    case 1:
      return String((p.next() < 0.5 ? -1 : 1) * p.next() * 10 ** (p.int(90) - 50));
    case 2: {
      const n = 1 + p.int(25);
      const mantissa = String(1 + p.int(9)) + (n > 1 ? `.${digitString(p, n - 1)}` : '');
      return `${p.next() < 0.3 ? '-' : ''}${mantissa}${pick(p, ['e', 'E'])}${pick(p, ['', '+', '-'])}${pick(p, ['0', '7', '22', '23', '38', '39', '45', '46', String(p.int(60))])}`;
    }
    case 3: {
      // Beside a float32 rounding midpoint.
      const f32 = new Float32Array(2);
      const u32 = new Uint32Array(f32.buffer);
      u32[0] = ((103 + p.int(70)) << 23) | p.int(1 << 23);
      u32[1] = (u32[0] as number) + 1;
      return (((f32[0] as number) + (f32[1] as number)) / 2).toPrecision(17 + p.int(9));
    }
    case 4:
      return pick(p, SPECIALS);
    default:
      return String(Math.fround(p.normal()));
  }
}

const ws = (p: Prng, density: number): string => (p.next() < density ? pick(p, [' ', '\n', '\t', '\r\n  ']) : '');

/** `values` as JSON data for `shape`: flat, nested once per dimension, partly nested, or (one value) bare. */
function dataText(p: Prng, values: string[], shape: number[], density: number): string {
  const w = (): string => ws(p, density);
  const form = p.int(4);
  if (values.length === 1 && form === 3) return values[0] as string;
  const list = (items: string[]): string => `[${w()}${items.join(`${w()},${w()}`)}${w()}]`;
  if (form === 0 || shape.length <= 1) return list(values);
  // Group by the trailing dims (all of them: fully nested; some: partly; random sizes: ragged but same count).
  let items = values;
  const levels = form === 1 ? shape.length - 1 : 1 + p.int(shape.length - 1);
  for (let l = 0; l < levels; l++) {
    const size = form === 2 && p.next() < 0.3 ? 1 + p.int(3) : (shape[shape.length - 1 - l] as number) || 1;
    const grouped: string[] = [];
    for (let i = 0; i < items.length; i += size) grouped.push(list(items.slice(i, i + size)));
    items = grouped;
  }
  return list(items);
}

function randomRequest(p: Prng): { body: Buffer; spec: ModelSpec } {
  const rank = 1 + p.int(4);
  const trailing = Array.from({ length: rank - 1 }, () => 1 + p.int(4));
  const rows = 1 + p.int(3);
  const shape = [rows, ...trailing];
  const count = shape.reduce((a, b) => a * b, 1);
  const edgy = p.next() < 0.3;
  const values = Array.from({ length: count }, () => numberText(p, edgy));
  const density = pick(p, [0, 0.1, 0.5]);
  const w = (): string => ws(p, density);
  const twoInputs = p.next() < 0.3;
  const names = twoInputs ? ['a', 'b'] : ['image'];
  const s = spec(names.map((name) => ({ name, shape: ['batch', ...trailing] })));
  const inputs = names.map((name) => {
    const fields = [
      `"name"${w()}:${w()}${JSON.stringify(name)}`,
      `"shape"${w()}:${w()}${JSON.stringify(shape)}`,
      `"datatype"${w()}:${w()}"FP32"`,
      `"data"${w()}:${w()}${dataText(p, name === 'b' ? [...values].reverse() : values, shape, density)}`,
    ];
    if (p.next() < 0.2) fields.push(`"parameters":{"content_type":"x"}`);
    // Any order: "data" before "shape" too.
    for (let i = fields.length - 1; i > 0; i--) {
      const j = p.int(i + 1);
      [fields[i], fields[j]] = [fields[j] as string, fields[i] as string];
    }
    return `{${w()}${fields.join(`${w()},${w()}`)}${w()}}`;
  });
  const extra = pick(p, ['', `"id"${w()}:${w()}"req-${p.int(1000)}",`, '"outputs":[{"name":"z"}],', '"parameters":{"binary_data_output":true},']);
  const text = `${w()}{${w()}${extra}"inputs"${w()}:${w()}[${w()}${inputs.join(`${w()},${w()}`)}${w()}]${w()}}${w()}`;
  return { body: Buffer.from(text), spec: s };
}

describe('parseInferJson', () => {
  it('answers like JSON.parse + parseInferRequest over random shapes, nesting forms and float edge cases', () => {
    const p = new Prng(2112);
    let fastAccepted = 0;
    let valid = 0;
    for (let n = 0; n < 3000; n++) {
      const { body, spec: s } = randomRequest(p);
      const want = oracle(body, s, 4096);
      const got = fast(body, s, 4096);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`differs for ${body.toString()}:\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
      }
      if (want.ok) valid++;
      if (tryFastInferJson(body, s, 4096)) fastAccepted++;
    }
    // Most valid requests take the fast path (the rest: a few numbers that need the exact conversion are
    // still fast; only refused ones go to the slow path).
    expect(valid).toBeGreaterThan(1500);
    expect(fastAccepted).toBe(valid);
  });

  const image = spec([{ name: 'image', shape: ['batch', 2] }]);
  it.each([
    ['trailing garbage', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]} x'],
    ['a marker that would merge with a digit', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]2}]}'],
    ['data twice (the last counts)', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2,3],"data":[4,5]}]}'],
    ['inputs twice', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[9]}],"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[4,5]}]}'],
    ['an escaped key', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","d\\u0061ta":[1,2]}]}'],
    ['an escaped inputs key', '{"\\u0069nputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]}'],
    ['a string value', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,"2"]}]}'],
    ['null', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,null]}]}'],
    ['too many values', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2,"x"]}]}'],
    ['nested too deep', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[[[1,2]]]}]}'],
    ['ragged but the same count', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[[1],[2]]}]}'],
    ['empty arrays among the values', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[[],[1,2],[]]}]}'],
    ['a trailing comma', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2,]}]}'],
    ['a leading zero', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[01,2]}]}'],
    ['overflow in float32', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1e39,2]}]}'],
    ['overflow in double', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,-1e400]}]}'],
    ['a bare number for two values', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":5}]}'],
    ['__proto__ keys', '{"__proto__":{"inputs":1},"inputs":[{"__proto__":{"data":[1,2]},"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]}'],
    ['strings with brackets and quotes', '{"id":"a\\"]}[{","inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2],"x":"\\\\"}]}'],
    ['a data key outside inputs', '{"data":[1,2],"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[3,4],"parameters":{"data":"x"}}]}'],
    ['no data', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32"}]}'],
    ['a BOM', '\ufeff{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]}'],
    ['not UTF-8 in a string', Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]}')])],
    ['an empty body', ''],
    ['an unclosed document', '{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":[1,2]}]'],
  ])('gives the old answer for %s', (_what, text) => {
    const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
    expect(fast(body, image, 4096)).toEqual(oracle(body, image, 4096));
  });

  it('refuses data nested a million deep without recursing', () => {
    const depth = 1_000_000;
    const body = Buffer.from(`{"inputs":[{"name":"image","shape":[1,2],"datatype":"FP32","data":${'['.repeat(depth)}1${']'.repeat(depth)}}]}`);
    expect(tryFastInferJson(body, image, 4096)).toBeUndefined();
    const got = fast(body, image, 4096);
    expect(got).toEqual(oracle(body, image, 4096));
    expect(got.ok).toBe(false);
  });

  it('reads a full-size image the fast way', () => {
    const p = new Prng(9);
    const s = spec([{ name: 'image', shape: ['batch', 3, 48, 192] }]);
    const values = Array.from({ length: 3 * 48 * 192 }, () => Math.fround(p.next()));
    for (const data of [values, [[0, 1, 2].map((c) => Array.from({ length: 48 }, (_, y) => values.slice((c * 48 + y) * 192, (c * 48 + y + 1) * 192)))]]) {
      const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', shape: [1, 3, 48, 192], datatype: 'FP32', data }] }));
      const r = tryFastInferJson(body, s, 4096);
      expect(r?.feeds['image']?.data).toEqual(Float32Array.from(values));
      expect(fast(body, s, 4096)).toEqual(oracle(body, s, 4096));
    }
  });
});

/** The encoder before this change (oip.ts), kept as the oracle. */
function oldEncode(modelName: string, modelVersion: string, id: string | undefined, outputs: Outputs, wanted: InferRequest['outputs']): { json: string; binary: Buffer[] } {
  const plainData = (data: NumericArray): number[] => (data instanceof BigInt64Array || data instanceof BigUint64Array ? Array.from(data, Number) : Array.from(data));
  const binary: Buffer[] = [];
  const list = wanted.map(({ name, binary: asBinary }) => {
    const t = outputs[name] as Tensor;
    const head = { name, datatype: oipDatatype(t.type), shape: t.dims };
    if (asBinary) {
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      binary.push(bytes);
      return { ...head, parameters: { binary_data_size: bytes.length } };
    }
    return { ...head, data: plainData(t.data) };
  });
  const doc = { model_name: modelName, model_version: modelVersion, ...(id !== undefined ? { id } : {}), outputs: list };
  return { json: JSON.stringify(doc), binary };
}

describe('encodeInferResponse', () => {
  it('writes the bytes the old encoder wrote', () => {
    const p = new Prng(77);
    const edge = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1.4e-45, 3.4028234663852886e38, 0.1, 1 / 3, 5e-324, 1e21, 1e-7, 123456789, -(2 ** 31)];
    const value = (): number => (p.next() < 0.3 ? pick(p, edge) : p.normal() * 10 ** (p.int(50) - 25));
    for (let n = 0; n < 500; n++) {
      const len = p.int(40);
      const kinds: Array<() => Tensor> = [
        () => ({ type: 'float32', dims: [len], data: Float32Array.from({ length: len }, value) }),
        () => ({ type: 'float64', dims: [1, len], data: Float64Array.from({ length: len }, value) }),
        () => ({ type: 'int32', dims: [len], data: Int32Array.from({ length: len }, () => p.int(2 ** 31) - 2 ** 30) }),
        () => ({ type: 'int64', dims: [len], data: BigInt64Array.from({ length: len }, () => BigInt(p.int(2 ** 30)) * BigInt(p.int(2 ** 30)) * (p.next() < 0.5 ? -1n : 1n)) }),
        () => ({ type: 'uint64', dims: [len], data: BigUint64Array.from({ length: len }, () => 2n ** 64n - 1n - BigInt(p.int(1000))) }),
        () => ({ type: 'uint8', dims: [len], data: Uint8Array.from({ length: len }, () => p.int(256)) }),
      ];
      const outputs: Outputs = { y: (pick(p, kinds))(), 'z "\u2028é': (pick(p, kinds))() };
      const wanted = Object.keys(outputs).filter(() => p.next() < 0.8).map((name) => ({ name, binary: p.next() < 0.2 }));
      const id = pick(p, [undefined, 'r-1', 'quote " and \\ and \u0000 and 😀']);
      const got = encodeInferResponse('image', '1.0.0', id, outputs, wanted);
      const want = oldEncode('image', '1.0.0', id, outputs, wanted);
      expect(got.json).toBe(want.json);
      expect(got.binary).toEqual(want.binary);
    }
  });
});
