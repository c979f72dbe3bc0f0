// Jest environment for tests that call onnxruntime-node in-process: onnxruntime's native side creates
// typed arrays in Node's main realm, and onnxruntime-common checks `instanceof Float32Array`, so the test
// realm must share the main realm's typed-array constructors. Selected per file with a @jest-environment docblock.
import { TestEnvironment } from 'jest-environment-node';

export default class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array',
      'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer', 'Uint8ClampedArray',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}
