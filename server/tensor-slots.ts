// Shared memory for request tensors on their way to the inference workers. A binary request's tensor bytes
// are read from the socket straight into a slot (a SharedArrayBuffer the workers already know), so a batch
// travels to a worker as slot numbers, not as transferred ArrayBuffers. Transfers made the HTTP thread's V8
// heap account every batch as new external memory; requests that waited in the queue long enough to be
// promoted then forced a full mark-compact every few tens of milliseconds under load.
// Slots are kept per byte size and reused; beyond the byte budget callers get plain memory instead.

/** One use of a slot; releasing it twice, or after the pool took it back, does nothing. */
export class SlotLease {
  #released = false;

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly onRelease: (lease: SlotLease) => void,
  ) {}

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.onRelease(this);
  }
}

interface Slot {
  id: number;
  buffer: SharedArrayBuffer;
  lease: SlotLease | undefined;
}

/** Most distinct slot sizes kept (a model sees few request shapes; odd sizes get plain memory). */
const MAX_SIZES = 16;

/** A bounded set of reusable shared slots, by byte size. */
export class SharedTensorSlots {
  readonly #byBuffer = new Map<SharedArrayBuffer, Slot>();
  readonly #free = new Map<number, Slot[]>();
  #bytes = 0;
  #nextId = 1;

  /** @param maxBytes total bytes of all slots together */
  constructor(readonly maxBytes: number) {}

  /** Bytes held in slots, in use or free. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A slot of exactly `bytes` bytes, or undefined when the budget is spent (the caller then uses plain memory). */
  acquire(bytes: number): SlotLease | undefined {
    if (bytes <= 0) return undefined;
    let slot = this.#free.get(bytes)?.pop();
    if (!slot) {
      if (this.#bytes + bytes > this.maxBytes) return undefined;
      if (!this.#free.has(bytes)) {
        if (this.#free.size >= MAX_SIZES) return undefined;
        this.#free.set(bytes, []);
      }
      slot = { id: this.#nextId++, buffer: new SharedArrayBuffer(bytes), lease: undefined };
      this.#byBuffer.set(slot.buffer, slot);
      this.#bytes += bytes;
    }
    const taken = slot;
    const lease = new SlotLease(taken.buffer, (l) => {
      if (taken.lease !== l) return;
      taken.lease = undefined;
      this.#free.get(taken.buffer.byteLength)?.push(taken);
    });
    taken.lease = lease;
    return lease;
  }

  /** Slot number and buffer of `memory` when it is one of these slots. */
  slotOf(memory: ArrayBufferLike): { id: number; buffer: SharedArrayBuffer } | undefined {
    if (!(memory instanceof SharedArrayBuffer)) return undefined;
    const slot = this.#byBuffer.get(memory);
    return slot ? { id: slot.id, buffer: slot.buffer } : undefined;
  }

  /** Ends the current use of the slot behind `memory` (after the worker has read it). */
  releaseMemory(memory: ArrayBufferLike): void {
    if (memory instanceof SharedArrayBuffer) this.#byBuffer.get(memory)?.lease?.release();
  }
}
