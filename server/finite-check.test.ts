// The float32 finite check of binary OIP tensors, both implementations, against Number.isFinite value by
// value; and the embedded WebAssembly module against its source, finite-check.wat.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { allFiniteScalar, createFiniteCheck, FINITE_CHECK_WASM, finiteCheck } from './finite-check.js';

const reference = (data: Float32Array): boolean => data.every((x) => Number.isFinite(x));

/** Deterministic pseudo-random 32-bit words. */
function randomBits(n: number, seed: number): Uint32Array {
  let s = seed;
  return new Uint32Array(n).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  });
}

describe('finiteCheck', () => {
  it('is the WebAssembly SIMD version here (node 20 on x86-64 and arm64 has it)', () => {
    expect(finiteCheck.kind).toBe('wasm-simd');
  });

  it('falls back to JavaScript when the module is missing or does not compile', () => {
    expect(createFiniteCheck(undefined)).toEqual({ allFinite: allFiniteScalar, kind: 'scalar' });
    expect(createFiniteCheck(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])).kind).toBe('scalar');
  });

  it('embeds exactly what finite-check.wat compiles to', async () => {
    const wabt = await wabtInit();
    const source = readFileSync(new URL('./finite-check.wat', import.meta.url), 'utf8');
    const module = wabt.parseWat('finite-check.wat', source, { simd: true });
    try {
      expect(Buffer.from(module.toBinary({}).buffer).toString('base64')).toBe(FINITE_CHECK_WASM);
    } finally {
      module.destroy();
    }
  });
});

describe.each([
  ['WebAssembly SIMD', finiteCheck.allFinite],
  ['JavaScript', allFiniteScalar],
])('allFinite (%s)', (_name, allFinite) => {
  it('accepts every finite float32, including zeros, subnormals and the extremes', () => {
    const data = Float32Array.from([0, -0, 1, -1, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 0.5, 123.25]);
    expect(allFinite(data)).toBe(true);
    expect(allFinite(new Float32Array(0))).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity])('finds %p at every position of every length up to 70 (whole 64-byte steps and padded tails)', (bad) => {
    for (let length = 1; length <= 70; length++) {
      for (let at = 0; at < length; at++) {
        const data = new Float32Array(length).fill(0.25);
        data[at] = bad;
        expect(allFinite(data)).toBe(false);
      }
    }
  });

  it('finds NaNs with any payload and sign', () => {
    for (const word of [0x7f800001, 0x7fc00000, 0x7fffffff, 0xff800001, 0xffc00000, 0xffffffff]) {
      const bits = new Uint32Array(40).fill(0x3f800000);
      bits[37] = word;
      expect(allFinite(new Float32Array(bits.buffer))).toBe(false);
    }
  });

  it('agrees with Number.isFinite on random bit patterns (every exponent, sign and mantissa)', () => {
    const bits = randomBits(8192, 12345);
    for (let i = 0; i + 23 <= bits.length; i += 23) {
      const data = new Float32Array(bits.buffer.slice(i * 4, i * 4 + 23 * 4));
      expect(allFinite(data)).toBe(reference(data));
    }
  });

  it('checks views that start inside a larger buffer, at any offset', () => {
    const big = new Float32Array(100).fill(1);
    big[2] = NaN;
    expect(allFinite(big.subarray(3))).toBe(true);
    expect(allFinite(big.subarray(1))).toBe(false);
    expect(allFinite(big.subarray(3, 3))).toBe(true);
    const shifted = new Float32Array(big.buffer, 4 * 5, 50);
    expect(allFinite(shifted)).toBe(true);
  });

  it('checks tensors larger than one 256 KiB block: bad values at, just before and just after block edges', () => {
    const length = 3 * 65536 + 1000;
    const data = new Float32Array(length).fill(-2.5);
    expect(allFinite(data)).toBe(true);
    for (const at of [0, 65535, 65536, 65537, 2 * 65536 - 1, 2 * 65536, 3 * 65536, length - 1]) {
      data[at] = Infinity;
      expect(allFinite(data)).toBe(false);
      data[at] = -2.5;
    }
    expect(allFinite(data)).toBe(true);
  });

  it('is not fooled by a bad value left in its memory by an earlier, longer tensor', () => {
    const long = new Float32Array(1000).fill(1);
    long[500] = NaN;
    expect(allFinite(long)).toBe(false);
    expect(allFinite(new Float32Array(10).fill(1))).toBe(true);
    expect(allFinite(new Float32Array(130).fill(1))).toBe(true);
  });
});
