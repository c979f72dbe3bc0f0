// The pool of inference workers (worker threads, one onnxruntime session each). `run` sends a batch to the
// least busy worker; a worker that dies is replaced and its batches fail with an inference error. Request
// tensors reach the workers as shared slots (tensor-slots.ts) or transferred arrays, never copied here.
import { Worker } from 'node:worker_threads';
import type { ExecutionProvider } from './config.js';
import type { TensorSpec } from './model-spec.js';
import type { BatchFeeds, Outputs } from './tensor.js';
import { SharedTensorSlots, type SlotLease } from './tensor-slots.js';
import type { BatchPart, RunMessage, WorkerInit, WorkerMessage } from './worker-protocol.js';

/** What loading the model found out. */
export interface LoadedModel {
  provider: ExecutionProvider;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  warning: string | undefined;
}

interface Pending {
  resolve: (o: Outputs) => void;
  reject: (e: Error) => void;
}

interface WorkerSlot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  loaded: Promise<LoadedModel>;
  /** Shared tensor slots this worker has been sent. */
  knownSlots: Set<number>;
}

/** Bytes of shared memory for request tensors (beyond it, requests use plain memory that is transferred). */
const SHARED_TENSOR_BYTES = 64 * 1024 * 1024;

const WORKER_URL = new URL('./inference-worker.js', import.meta.url);

/** Fixed-size pool of inference workers. */
export class WorkerPool {
  readonly #slots: WorkerSlot[] = [];
  #nextId = 1;
  /** Shared memory that binary requests read their tensors into. */
  readonly tensorSlots = new SharedTensorSlots(SHARED_TENSOR_BYTES);
  #closing = false;

  /**
   * @param size number of workers
   * @param maxInFlightPerWorker batches queued on one worker at once (2 keeps it busy while results travel back)
   */
  constructor(
    readonly size: number,
    private readonly init: WorkerInit,
    private readonly maxInFlightPerWorker = 1,
    private readonly onWorkerExit: (message: string) => void = () => {},
  ) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): WorkerSlot {
    const worker = new Worker(WORKER_URL, { workerData: this.init });
    const inFlight = new Map<number, Pending>();
    let onLoad: (m: LoadedModel) => void = () => {};
    let onLoadFail: (e: Error) => void = () => {};
    const loaded = new Promise<LoadedModel>((resolve, reject) => {
      onLoad = resolve;
      onLoadFail = reject;
    });
    loaded.catch(() => {}); // observed by load(); avoid an unhandled rejection for respawned workers
    const slot: WorkerSlot = { worker, inFlight, loaded, knownSlots: new Set() };
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'loaded') onLoad({ provider: m.provider, inputs: m.inputs, outputs: m.outputs, warning: m.warning });
      else if (m.kind === 'load-failed') onLoadFail(new Error(m.message));
      else {
        const p = inFlight.get(m.id);
        inFlight.delete(m.id);
        if (m.kind === 'result') p?.resolve(m.outputs);
        else p?.reject(new Error(m.message));
      }
    });
    const fail = (why: string): void => {
      onLoadFail(new Error(why));
      for (const p of inFlight.values()) p.reject(new Error(why));
      inFlight.clear();
      if (this.#closing) return;
      this.onWorkerExit(why);
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawn();
    };
    worker.on('error', (err) => fail(`inference worker crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.#closing) fail(`inference worker exited with code ${code}`);
    });
    return slot;
  }

  /** Waits until every worker has loaded the model; resolves with what the first one reported. */
  async load(): Promise<LoadedModel> {
    const all = await Promise.all(this.#slots.map((s) => s.loaded));
    return all[0] as LoadedModel;
  }

  /** True when some worker can take another batch now. */
  hasCapacity(): boolean {
    return this.#slots.some((s) => s.inFlight.size < this.maxInFlightPerWorker);
  }

  /** Batches currently being run. */
  inFlight(): number {
    return this.#slots.reduce((n, s) => n + s.inFlight.size, 0);
  }

  /**
   * Runs one batch on the least busy worker. Parts in shared slots go as slot numbers and their slots are
   * released once the worker is done with them; other parts are transferred (unusable afterwards).
   */
  run(feeds: BatchFeeds): Promise<Outputs> {
    let best = this.#slots[0] as WorkerSlot;
    for (const s of this.#slots) if (s.inFlight.size < best.inFlight.size) best = s;
    const id = this.#nextId++;
    const message: RunMessage = { id, inputs: [], slots: [] };
    const transfer: ArrayBuffer[] = [];
    const shared: SharedArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const parts = t.parts.map((data): BatchPart => {
        const slot = this.tensorSlots.slotOf(data.buffer);
        if (slot) {
          shared.push(slot.buffer);
          if (!best.knownSlots.has(slot.id)) {
            best.knownSlots.add(slot.id);
            message.slots.push(slot);
          }
          return { slot: slot.id, byteOffset: data.byteOffset, length: data.length };
        }
        // An array over part of a larger buffer would be cloned whole: send a copy of just its values.
        const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer ? data : data.slice();
        if (!transfer.includes(own.buffer as ArrayBuffer)) transfer.push(own.buffer as ArrayBuffer);
        return { data: own };
      });
      message.inputs.push({ name, dims: t.dims, parts });
    }
    const done = (): void => {
      for (const b of shared) this.tensorSlots.releaseMemory(b);
    };
    return new Promise<Outputs>((resolve, reject) => {
      best.inFlight.set(id, {
        resolve: (o) => {
          done();
          resolve(o);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      try {
        best.worker.postMessage(message, transfer);
      } catch (err) {
        best.inFlight.delete(id);
        done();
        reject(err as Error);
      }
    });
  }

  /** A shared slot of `bytes` for one request's tensor, or undefined when the shared budget is spent. */
  slot(bytes: number): SlotLease | undefined {
    return this.tensorSlots.acquire(bytes);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
