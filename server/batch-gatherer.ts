// The inference worker's side of a batch: the shared slots it has been sent, and one reused input buffer per
// input name into which a batch's parts (slot ranges or arrays of their own) are copied before session.run.
// onnxruntime-node refuses arrays over a SharedArrayBuffer, so slot data is always copied, here, off the
// HTTP thread.
import type { BatchPart } from './worker-protocol.js';

/** Gathers batch inputs in a worker. */
export class BatchGatherer {
  readonly #slots = new Map<number, SharedArrayBuffer>();
  /** Reused input buffers by input name (grown when a larger batch comes). */
  readonly #buffers = new Map<string, Float32Array>();

  /** Remembers slots sent with a batch. */
  learn(slots: ReadonlyArray<{ id: number; buffer: SharedArrayBuffer }>): void {
    for (const s of slots) this.#slots.set(s.id, s.buffer);
  }

  #view(part: BatchPart): Float32Array {
    if ('data' in part) return part.data;
    const buffer = this.#slots.get(part.slot);
    if (!buffer) throw new Error(`batch refers to shared slot ${part.slot}, which this worker was never sent`);
    return new Float32Array(buffer, part.byteOffset, part.length);
  }

  /** The batch input as one array onnxruntime accepts: a lone array of its own as is, else a copy into the reused buffer. */
  gather(input: { name: string; parts: BatchPart[] }): Float32Array {
    const only = input.parts.length === 1 ? input.parts[0] : undefined;
    if (only && 'data' in only) return only.data;
    let length = 0;
    for (const p of input.parts) length += 'data' in p ? p.data.length : p.length;
    let buffer = this.#buffers.get(input.name);
    if (!buffer || buffer.length < length) {
      buffer = new Float32Array(length);
      this.#buffers.set(input.name, buffer);
    }
    const out = buffer.subarray(0, length);
    let offset = 0;
    for (const p of input.parts) {
      const view = this.#view(p);
      out.set(view, offset);
      offset += view.length;
    }
    return out;
  }
}
