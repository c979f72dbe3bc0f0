// BatchGatherer: a batch's parts (shared slot ranges and arrays of their own) become one onnxruntime input.
import { types } from 'node:util';
import { BatchGatherer } from './batch-gatherer.js';

/** True for a plain ArrayBuffer (jest's realm has its own ArrayBuffer, so no instanceof). */
const plain = (b: ArrayBufferLike): boolean => types.isArrayBuffer(b) && !types.isSharedArrayBuffer(b);

const shared = (values: number[]): SharedArrayBuffer => {
  const sab = new SharedArrayBuffer(values.length * 4);
  new Float32Array(sab).set(values);
  return sab;
};

describe('BatchGatherer', () => {
  it('passes a lone array of its own through untouched', () => {
    const g = new BatchGatherer();
    const data = Float32Array.from([1, 2, 3]);
    expect(g.gather({ name: 'x', parts: [{ data }] })).toBe(data);
  });

  it('copies slot ranges and arrays, in order, into one plain (non-shared) array', () => {
    const g = new BatchGatherer();
    g.learn([{ id: 7, buffer: shared([9, 1, 2, 9]) }, { id: 8, buffer: shared([5, 6]) }]);
    const out = g.gather({ name: 'x', parts: [{ slot: 7, byteOffset: 4, length: 2 }, { data: Float32Array.from([3, 4]) }, { slot: 8, byteOffset: 0, length: 2 }] });
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(plain(out.buffer)).toBe(true);
    // A lone slot part is copied too: onnxruntime-node refuses arrays over shared memory.
    const lone = g.gather({ name: 'y', parts: [{ slot: 8, byteOffset: 0, length: 2 }] });
    expect(Array.from(lone)).toEqual([5, 6]);
    expect(plain(lone.buffer)).toBe(true);
  });

  it('reuses its buffer per input, growing it for a larger batch', () => {
    const g = new BatchGatherer();
    const two = (a: number, b: number) => [{ data: Float32Array.from([a]) }, { data: Float32Array.from([b]) }];
    const first = g.gather({ name: 'x', parts: two(1, 2) });
    const second = g.gather({ name: 'x', parts: two(3, 4) });
    expect(second.buffer).toBe(first.buffer);
    expect(Array.from(second)).toEqual([3, 4]);
    const bigger = g.gather({ name: 'x', parts: [...two(5, 6), { data: Float32Array.from([7]) }] });
    expect(Array.from(bigger)).toEqual([5, 6, 7]);
  });

  it('says which slot it was never sent', () => {
    const g = new BatchGatherer();
    expect(() => g.gather({ name: 'x', parts: [{ slot: 3, byteOffset: 0, length: 1 }, { data: new Float32Array(1) }] })).toThrow(/slot 3/);
  });
});
