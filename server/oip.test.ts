// The float32 finite check of binary OIP tensors against Number.isFinite, value by value.
import { allFinite } from './oip.js';

describe('allFinite', () => {
  const reference = (data: Float32Array): boolean => data.every((x) => Number.isFinite(x));

  it('accepts every finite float32, including zeros, subnormals and the extremes', () => {
    const data = Float32Array.from([0, -0, 1, -1, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 0.5, 123.25]);
    expect(allFinite(data)).toBe(true);
    expect(allFinite(new Float32Array(0))).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity])('finds %p at every position, in the unrolled part and the tail', (bad) => {
    for (let length = 1; length <= 11; length++) {
      for (let at = 0; at < length; at++) {
        const data = new Float32Array(length).fill(0.25);
        data[at] = bad;
        expect(allFinite(data)).toBe(false);
        expect(reference(data)).toBe(false);
      }
    }
  });

  it('agrees with Number.isFinite on random bit patterns (every exponent, sign and mantissa)', () => {
    let seed = 12345;
    const bits = new Uint32Array(4096).map(() => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    });
    for (let i = 0; i < bits.length; i += 7) {
      const data = new Float32Array(bits.buffer.slice(i * 4, i * 4 + 7 * 4));
      expect(allFinite(data)).toBe(reference(data));
    }
    // A view that starts inside a larger buffer.
    const big = new Float32Array(16).fill(1);
    big[2] = NaN;
    expect(allFinite(big.subarray(3))).toBe(true);
    expect(allFinite(big.subarray(1))).toBe(false);
  });
});
