// The finite check of float32 tensors: binary OIP inputs may hold no NaN or infinity (a 400 names the first).
// It runs on the event loop for every binary request, over every value, so its cost per image counts. The
// WebAssembly SIMD version (finite-check.wat) copies the tensor into its memory block by block and checks 4
// values per instruction, several times faster than JavaScript, copy included (figures: docs/benchmarks.md,
// "What changed"). Where WebAssembly or its SIMD is missing (e.g. node --jitless), the JavaScript version serves.

/**
 * True when no value of `data` is NaN or infinite. A float32 is one of those exactly when its 8 exponent bits
 * are all ones; adding 1 to the exponent field then carries into the sign bit, so OR-ing that sum over all
 * values (four independent accumulators, no branch per value) leaves the sign bit set iff one is bad.
 */
export function allFiniteScalar(data: Float32Array): boolean {
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  const n = bits.length;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a0 |= ((bits[i] as number) & 0x7f800000) + 0x00800000;
    a1 |= ((bits[i + 1] as number) & 0x7f800000) + 0x00800000;
    a2 |= ((bits[i + 2] as number) & 0x7f800000) + 0x00800000;
    a3 |= ((bits[i + 3] as number) & 0x7f800000) + 0x00800000;
  }
  for (; i < n; i++) a0 |= ((bits[i] as number) & 0x7f800000) + 0x00800000;
  return ((a0 | a1 | a2 | a3) & 0x80000000) === 0;
}

/** finite-check.wat compiled (wabt's wat2wasm, SIMD enabled); finite-check.test.ts recompiles and compares. */
export const FINITE_CHECK_WASM =
  'AGFzbQEAAAABBwFgAn9/AX8DAgEABQMBAAQHFgIGbWVtb3J5AgAJYWxsRmluaXRlAAAKwAEBvQECAX8EeyAAIAFqIQL9DAAAgH8AAIB/AACAfwAAgH8hBf0MAACAAAAAgAAAAIAAAACAACEGAkADQCAAIAJPDQEgAyAA/QAEACAF/U4gBv2uAf1QIQMgBCAA/QAEECAF/U4gBv2uAf1QIQQgAyAA/QAEICAF/U4gBv2uAf1QIQMgBCAA/QAEMCAF/U4gBv2uAf1QIQQgAEHAAGohAAwACwsgAyAE/VD9DAAAAIAAAACAAAAAgAAAAID9Tv1TRQs=';

/**
 * The little of the WebAssembly JavaScript API used here: Node has it, but the TypeScript libs this project
 * compiles against (ES2022 and node, no DOM) do not declare it.
 */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

/** The module's memory (4 pages): the block each part of a tensor is copied into. */
const BLOCK_BYTES = 4 * 65536;

/** A finite check, and which implementation it is. */
export interface FiniteCheck {
  allFinite: (data: Float32Array) => boolean;
  kind: 'wasm-simd' | 'scalar';
}

/** The WebAssembly check from `wasm` (the module's bytes), or the JavaScript one where it cannot load. */
export function createFiniteCheck(wasm: Uint8Array | undefined): FiniteCheck {
  let exports: Record<string, unknown>;
  try {
    if (!wasm || typeof WebAssembly !== 'object') return { allFinite: allFiniteScalar, kind: 'scalar' };
    exports = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports;
  } catch {
    // No WebAssembly (--jitless) or no SIMD on this CPU: the module does not compile.
    return { allFinite: allFiniteScalar, kind: 'scalar' };
  }
  const memory = exports['memory'] as { buffer: ArrayBuffer };
  const check = exports['allFinite'] as (at: number, bytes: number) => number;
  // The memory never grows, so this view stays valid.
  const block = new Uint8Array(memory.buffer, 0, BLOCK_BYTES);
  const allFinite = (data: Float32Array): boolean => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let at = 0; at < bytes.length; at += BLOCK_BYTES) {
      const n = Math.min(BLOCK_BYTES, bytes.length - at);
      block.set(n === bytes.length ? bytes : bytes.subarray(at, at + n));
      // The SIMD loop takes 64 bytes at a time: pad the last part with zeros (finite).
      const padded = (n + 63) & ~63;
      if (padded > n) block.fill(0, n, padded);
      if (check(0, padded) === 0) return false;
    }
    return true;
  };
  return { allFinite, kind: 'wasm-simd' };
}

/** The check tern-server uses: WebAssembly SIMD where it loads, else JavaScript. */
export const finiteCheck = createFiniteCheck(Buffer.from(FINITE_CHECK_WASM, 'base64'));
