// Dynamic batching: concurrent requests are concatenated along the first (batch) dimension into one
// session.run. When the runner is idle and nothing else is running, a request goes out at once (no added
// latency when the server is quiet); while batches are running, requests queue and go out together when a
// worker frees up, when max-batch-size rows are waiting, or after max-batch-delay-ms. A runner that can parse
// request bodies itself (runBodies: the worker pool) also takes /v1/predict bodies unparsed, batched the
// same way by an estimate of their rows, so that parsing happens off the event loop.
import { types } from 'node:util';
import type { ModelSpec } from './model-spec.js';
import type { InferRequest } from './oip.js';
import { elementCount, type Feeds, type NumericArray, type Outputs } from './tensor.js';

/** Where batches run (the worker pool, or any function in tests). */
export interface BatchRunner {
  run(feeds: Feeds): Promise<Outputs>;
  hasCapacity(): boolean;
  inFlight(): number;
  /** A float32 array of `length` for a batch, reused when the runner has one (else the batcher allocates). */
  allocate?(length: number): Float32Array;
  /** Takes back a request's buffer once the batcher has copied it into a batch (for `allocate` to reuse). */
  release?(buffer: ArrayBuffer): void;
  /**
   * Parses /v1/predict bodies (packed one after another in `bodies`, transferred) and runs the vectors of
   * those that parse as one batch of `input`; `results` says, per body, how many rows it gave or why it was
   * refused.
   */
  runBodies?(bodies: PackedBodies, shape: BodyShape): Promise<{ outputs: Outputs; results: BodyResult[] }>;
  /**
   * Parses an OIP JSON infer request body (its bytes, transferred) as oip-json.ts does, off the event loop;
   * rejects with its HttpError.
   */
  parseInferJson?(body: ArrayBuffer, spec: ModelSpec, maxRows: number): Promise<InferRequest>;
}

/** Request bodies one after another in one buffer (one transfer to a worker, however many bodies). */
export interface PackedBodies {
  bytes: ArrayBuffer;
  lengths: number[];
}

/** What the bodies of one batch must hold: vectors of `features` values for `input`, at most `maxRows` each. */
export interface BodyShape {
  input: string;
  features: number;
  maxRows: number;
}

/** The HTTP error a refused body gets: status, message and the rejection reason. */
export interface BodyError {
  status: number;
  message: string;
  reason: string;
}

/** Per body: the rows it gave, or its error. */
export type BodyResult = { rows: number } | BodyError;

/** A body's own outputs and rows, or its error. */
export type BodyOutcome = { rows: number; outputs: Outputs } | BodyError;

/** Batching limits. */
export interface BatcherOptions {
  maxBatchSize: number;
  maxBatchDelayMs: number;
  /** False when the model has a fixed batch dimension: every request then runs alone. */
  batchable: boolean;
  /** Called with the number of rows of every batch run. */
  onBatch?: (rows: number) => void;
}

interface QueuedCommon {
  /** Rows (for bodies, an estimate). */
  rows: number;
  signature: string;
  reject: (e: Error) => void;
}

interface QueuedFeeds extends QueuedCommon {
  feeds: Feeds;
  resolve: (o: Outputs) => void;
}

interface QueuedBody extends QueuedCommon {
  body: Uint8Array;
  shape: BodyShape;
  resolve: (o: BodyOutcome) => void;
}

type Queued = QueuedFeeds | QueuedBody;

/** Shape signature: requests batch together only when every input has the same trailing dims. */
function signatureOf(feeds: Feeds): string {
  return Object.keys(feeds).sort().map((k) => `${k}:${(feeds[k]?.dims ?? []).slice(1).join('x')}`).join(';');
}

/** Rows [from, from + rows) of every output whose first dimension is the batch's `totalRows`. */
function sliceOutputs(outputs: Outputs, totalRows: number, from: number, rows: number): Outputs {
  const mine: Outputs = {};
  for (const [name, t] of Object.entries(outputs)) {
    if (t.dims[0] !== totalRows) {
      mine[name] = t;
      continue;
    }
    const per = elementCount(t.dims.slice(1));
    mine[name] = { type: t.type, dims: [rows, ...t.dims.slice(1)], data: t.data.subarray(from * per, (from + rows) * per) as NumericArray };
  }
  return mine;
}

/** True when the array spans its whole ArrayBuffer (so it can be transferred to a worker, not copied). */
function ownsBuffer(data: Float32Array): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

/** The dynamic batcher for one model. */
export class Batcher {
  readonly #queue: Queued[] = [];
  #queuedRows = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runner: BatchRunner,
    private readonly options: BatcherOptions,
  ) {}

  /** Number of requests waiting. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Schedules one request. `feeds` must all share the same first dimension (the request's row count).
   * Resolves with this request's slice of the outputs. The batcher owns the feeds' buffers from here on
   * (they are transferred to a worker, or copied into a batch and handed to the runner's `release`).
   */
  submit(feeds: Feeds): Promise<Outputs> {
    const first = Object.values(feeds)[0];
    const rows = first?.dims[0] ?? 1;
    return new Promise<Outputs>((resolve, reject) => {
      this.#enqueue({ feeds, rows, signature: signatureOf(feeds), resolve, reject });
    });
  }

  /** True when the runner parses bodies itself (`submitBody` may be used). */
  get takesBodies(): boolean {
    return this.runner.runBodies !== undefined;
  }

  /**
   * Schedules one unparsed /v1/predict body (copied into the batch's buffer when the batch goes out; it must
   * not change until then). `estimatedRows` only guides batching. Resolves with the body's rows and
   * outputs, or its error.
   */
  submitBody(body: Uint8Array, estimatedRows: number, shape: BodyShape): Promise<BodyOutcome> {
    if (!this.runner.runBodies) return Promise.reject(new Error('this runner does not parse bodies'));
    const rows = Math.max(1, estimatedRows);
    return new Promise<BodyOutcome>((resolve, reject) => {
      this.#enqueue({ body, shape, rows, signature: `body:${shape.input}:${shape.features}:${shape.maxRows}`, resolve, reject });
    });
  }

  #enqueue(q: Queued): void {
    this.#queue.push(q);
    this.#queuedRows += q.rows;
    this.#pump(false);
  }

  #pump(fromCompletion: boolean): void {
    while (this.#queue.length > 0 && this.runner.hasCapacity()) {
      const full = this.#queuedRows >= this.options.maxBatchSize || !this.options.batchable;
      const quiet = this.runner.inFlight() === 0;
      if (!(full || quiet || fromCompletion || this.options.maxBatchDelayMs === 0)) {
        // Busy elsewhere but a worker is free: wait a little for more requests to join this batch.
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#pump(true);
        }, this.options.maxBatchDelayMs);
        return;
      }
      this.#dispatch();
    }
  }

  #take(): Queued[] {
    const head = this.#queue[0] as Queued;
    if (!this.options.batchable) {
      this.#queue.shift();
      return [head];
    }
    const taken: Queued[] = [];
    let rows = 0;
    for (let i = 0; i < this.#queue.length; ) {
      const q = this.#queue[i] as Queued;
      if (q.signature === head.signature && (taken.length === 0 || rows + q.rows <= this.options.maxBatchSize)) {
        taken.push(q);
        rows += q.rows;
        this.#queue.splice(i, 1);
        if (rows >= this.options.maxBatchSize) break;
      } else {
        i++;
      }
    }
    return taken;
  }

  #dispatch(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#take();
    const totalRows = batch.reduce((n, q) => n + q.rows, 0);
    this.#queuedRows -= totalRows;
    if ('body' in (batch[0] as Queued)) {
      this.#dispatchBodies(batch as QueuedBody[]);
      return;
    }
    this.#dispatchFeeds(batch as QueuedFeeds[], totalRows);
  }

  /** Runs a batch of unparsed bodies on the runner, which parses them; each body gets its own outcome. */
  #dispatchBodies(batch: QueuedBody[]): void {
    const runBodies = this.runner.runBodies?.bind(this.runner);
    if (!runBodies) throw new Error('queued bodies without a runner that parses them');
    const lengths = batch.map((q) => q.body.length);
    const packed = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const q of batch) {
      packed.set(q.body, at);
      at += q.body.length;
    }
    runBodies({ bytes: packed.buffer, lengths }, (batch[0] as QueuedBody).shape).then(
      ({ outputs, results }) => {
        const totalRows = results.reduce((n, r) => n + ('rows' in r ? r.rows : 0), 0);
        if (totalRows > 0) this.options.onBatch?.(totalRows);
        let row = 0;
        batch.forEach((q, i) => {
          const r = results[i];
          if (!r) q.reject(new Error('the runner gave no result for a body'));
          else if (!('rows' in r)) q.resolve(r);
          else {
            q.resolve({ rows: r.rows, outputs: sliceOutputs(outputs, totalRows, row, r.rows) });
            row += r.rows;
          }
        });
        this.#pump(true);
      },
      (err: Error) => {
        for (const q of batch) q.reject(err);
        this.#pump(true);
      },
    );
  }

  /** Concatenates the requests' feeds along the batch dimension and runs them. */
  #dispatchFeeds(batch: QueuedFeeds[], totalRows: number): void {
    const feeds: Feeds = {};
    for (const name of Object.keys((batch[0] as QueuedFeeds).feeds)) {
      const parts = batch.map((q) => q.feeds[name]);
      const firstPart = parts[0];
      if (!firstPart) continue;
      if (parts.length === 1 && ownsBuffer(firstPart.data)) {
        // One request that owns its whole buffer: hand it on as is (the worker pool transfers it, no copy).
        feeds[name] = firstPart;
        continue;
      }
      const length = parts.reduce((n, p) => n + (p?.data.length ?? 0), 0);
      const data = this.runner.allocate?.(length) ?? new Float32Array(length);
      let offset = 0;
      for (const p of parts) {
        if (!p) continue;
        data.set(p.data, offset);
        offset += p.data.length;
        // The request's own buffer is done with (submit took ownership): hand it back for reuse.
        if (ownsBuffer(p.data) && types.isArrayBuffer(p.data.buffer)) this.runner.release?.(p.data.buffer);
      }
      feeds[name] = { dims: [totalRows, ...firstPart.dims.slice(1)], data };
    }
    this.options.onBatch?.(totalRows);
    this.runner.run(feeds).then(
      (outputs) => {
        let row = 0;
        for (const q of batch) {
          q.resolve(batch.length === 1 ? outputs : sliceOutputs(outputs, totalRows, row, q.rows));
          row += q.rows;
        }
        this.#pump(true);
      },
      (err: Error) => {
        for (const q of batch) q.reject(err);
        this.#pump(true);
      },
    );
  }
}
