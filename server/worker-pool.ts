// The pool of inference workers (worker threads, one onnxruntime session each). `run` sends a batch to the
// least busy worker; a worker that dies is replaced and its batches fail with an inference error.
import { Worker } from 'node:worker_threads';
import type { ExecutionProvider } from './config.js';
import type { BodyResult, BodyShape, PackedBodies } from './batcher.js';
import { HttpError } from './http-error.js';
import type { ModelSpec, TensorSpec } from './model-spec.js';
import type { InferRequest } from './oip.js';
import type { Feeds, Outputs } from './tensor.js';
import type { ParseInferMessage, RunBodiesMessage, RunMessage, WorkerInit, WorkerMessage } from './worker-protocol.js';

/** What loading the model found out. */
export interface LoadedModel {
  provider: ExecutionProvider;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  warning: string | undefined;
}

interface Pending {
  resolve: (o: { outputs: Outputs; results?: BodyResult[] }) => void;
  reject: (e: Error) => void;
}

interface PendingParse {
  resolve: (r: InferRequest) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  /** OIP bodies being parsed (apart from inFlight: parsing does not hold up batches). */
  parsing: Map<number, PendingParse>;
  loaded: Promise<LoadedModel>;
}

/** Reused input buffers: at most this many distinct sizes, this many buffers of each, and this many bytes. */
const MAX_FREE_SIZES = 16;
const MAX_FREE_PER_SIZE = 64;
const MAX_FREE_BYTES = 32 * 1024 * 1024;

const WORKER_URL = new URL('./inference-worker.js', import.meta.url);

/** Fixed-size pool of inference workers. */
export class WorkerPool {
  readonly #slots: Slot[] = [];
  #nextId = 1;
  /** Input buffers handed back by the workers, by byte length. */
  readonly #free = new Map<number, ArrayBuffer[]>();
  #freeBytes = 0;
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

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: this.init });
    const inFlight = new Map<number, Pending>();
    const parsing = new Map<number, PendingParse>();
    let onLoad: (m: LoadedModel) => void = () => {};
    let onLoadFail: (e: Error) => void = () => {};
    const loaded = new Promise<LoadedModel>((resolve, reject) => {
      onLoad = resolve;
      onLoadFail = reject;
    });
    loaded.catch(() => {}); // observed by load(); avoid an unhandled rejection for respawned workers
    const slot: Slot = { worker, inFlight, parsing, loaded };
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'loaded') onLoad({ provider: m.provider, inputs: m.inputs, outputs: m.outputs, warning: m.warning });
      else if (m.kind === 'load-failed') onLoadFail(new Error(m.message));
      else if (m.kind === 'parsed-infer' || m.kind === 'parse-refused') {
        const p = parsing.get(m.id);
        parsing.delete(m.id);
        if (m.kind === 'parsed-infer') p?.resolve(m.request);
        else p?.reject(new HttpError(m.error.status, m.error.message, m.error.reason));
      } else {
        const p = inFlight.get(m.id);
        inFlight.delete(m.id);
        if (m.kind === 'result') {
          for (const b of m.inputs) this.#recycle(b);
          p?.resolve({ outputs: m.outputs });
        } else if (m.kind === 'bodies-result') p?.resolve({ outputs: m.outputs, results: m.results });
        else p?.reject(new Error(m.message));
      }
    });
    const fail = (why: string): void => {
      onLoadFail(new Error(why));
      for (const p of inFlight.values()) p.reject(new Error(why));
      inFlight.clear();
      for (const p of parsing.values()) p.reject(new Error(why));
      parsing.clear();
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

  /** Runs one batch on the least busy worker. The feeds' buffers are transferred (unusable afterwards). */
  async run(feeds: Feeds): Promise<Outputs> {
    const transfer: ArrayBuffer[] = [];
    for (const t of Object.values(feeds)) {
      const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
      if (whole && t.data.buffer instanceof ArrayBuffer && !transfer.includes(t.data.buffer)) transfer.push(t.data.buffer);
    }
    return (await this.#post((id) => ({ kind: 'run', id, feeds }), transfer)).outputs;
  }

  /**
   * Has the least busy worker parse /v1/predict bodies and run their vectors as one batch (the packed bodies
   * are transferred). Resolves with the batch's outputs and, per body, its rows or its error.
   */
  async runBodies(bodies: PackedBodies, shape: BodyShape): Promise<{ outputs: Outputs; results: BodyResult[] }> {
    const { outputs, results } = await this.#post((id) => ({ kind: 'run-bodies', id, bodies, shape }), [bodies.bytes]);
    if (!results) throw new Error('an inference worker answered parsed bodies without per-body results');
    return { outputs, results };
  }

  /**
   * Has the worker with the fewest bodies being parsed parse an OIP JSON infer request (oip-json.ts) off the
   * event loop; `body` is transferred (unusable afterwards). Rejects with the request's HttpError, or an Error
   * when the worker died.
   */
  parseInferJson(body: ArrayBuffer, spec: ModelSpec, maxRows: number): Promise<InferRequest> {
    let best = this.#slots[0] as Slot;
    for (const s of this.#slots) if (s.parsing.size + s.inFlight.size < best.parsing.size + best.inFlight.size) best = s;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      best.parsing.set(id, { resolve, reject });
      const message: ParseInferMessage = { kind: 'parse-infer', id, body, spec, maxRows };
      best.worker.postMessage(message, [body]);
    });
  }

  #post(message: (id: number) => RunMessage | RunBodiesMessage, transfer: ArrayBuffer[]): Promise<{ outputs: Outputs; results?: BodyResult[] }> {
    let best = this.#slots[0] as Slot;
    for (const s of this.#slots) if (s.inFlight.size < best.inFlight.size) best = s;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      best.inFlight.set(id, { resolve, reject });
      best.worker.postMessage(message(id), transfer);
    });
  }

  /** Keeps a returned input buffer for `allocate`, within MAX_FREE_SIZES, MAX_FREE_PER_SIZE and MAX_FREE_BYTES. */
  #recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.#freeBytes + buffer.byteLength > MAX_FREE_BYTES) return;
    let list = this.#free.get(buffer.byteLength);
    if (!list) {
      if (this.#free.size >= MAX_FREE_SIZES) return;
      list = [];
      this.#free.set(buffer.byteLength, list);
    }
    if (list.length >= MAX_FREE_PER_SIZE) return;
    list.push(buffer);
    this.#freeBytes += buffer.byteLength;
  }

  /** Takes back a request buffer the batcher has copied into a batch. */
  release(buffer: ArrayBuffer): void {
    this.#recycle(buffer);
  }

  /**
   * A float32 array of `length` for the next batch: a buffer an earlier batch handed back, or a new one.
   * Reuse spares the allocation and the garbage collection of a batch-sized buffer per batch. The contents
   * are stale: the caller overwrites all of it.
   */
  allocate(length: number): Float32Array {
    const buffer = this.#free.get(length * 4)?.pop();
    if (!buffer) return new Float32Array(length);
    this.#freeBytes -= buffer.byteLength;
    return new Float32Array(buffer);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
