// SharedTensorSlots: reuse by size, the byte budget, and leases that can be released only once.
import { types } from 'node:util';
import { SharedTensorSlots } from './tensor-slots.js';

describe('SharedTensorSlots', () => {
  it('hands out shared slots of the asked size and reuses a released one', () => {
    const slots = new SharedTensorSlots(1024);
    const a = slots.acquire(64);
    expect(types.isSharedArrayBuffer(a?.buffer)).toBe(true);
    expect(a?.buffer.byteLength).toBe(64);
    const b = slots.acquire(64);
    expect(b?.buffer).not.toBe(a?.buffer);
    a?.release();
    expect(slots.acquire(64)?.buffer).toBe(a?.buffer);
    expect(slots.bytes).toBe(128);
  });

  it('gives nothing beyond its byte budget, or for more than 16 sizes, or for 0 bytes', () => {
    const slots = new SharedTensorSlots(100);
    expect(slots.acquire(64)).toBeDefined();
    expect(slots.acquire(64)).toBeUndefined();
    expect(slots.acquire(0)).toBeUndefined();
    const many = new SharedTensorSlots(1 << 20);
    for (let size = 4; size <= 64; size += 4) expect(many.acquire(size)).toBeDefined();
    expect(many.acquire(68)).toBeUndefined();
  });

  it('finds the slot behind memory, and only for its own slots', () => {
    const slots = new SharedTensorSlots(1024);
    const lease = slots.acquire(16);
    const found = slots.slotOf(lease?.buffer as SharedArrayBuffer);
    expect(found?.buffer).toBe(lease?.buffer);
    expect(typeof found?.id).toBe('number');
    expect(slots.slotOf(new SharedArrayBuffer(16))).toBeUndefined();
    expect(slots.slotOf(new ArrayBuffer(16))).toBeUndefined();
  });

  it('a late release of an old lease never frees the slot from its next user', () => {
    const slots = new SharedTensorSlots(1024);
    const first = slots.acquire(32);
    slots.releaseMemory(first?.buffer as SharedArrayBuffer); // the pool, once a worker has read it
    expect(first?.released).toBe(true);
    const second = slots.acquire(32);
    expect(second?.buffer).toBe(first?.buffer);
    first?.release(); // e.g. the route's error path, too late: must not touch `second`
    expect(second?.released).toBe(false);
    expect(slots.acquire(32)?.buffer).not.toBe(second?.buffer);
  });
});
