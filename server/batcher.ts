// Dynamic batching: concurrent requests are concatenated along the first (batch) dimension into one
// session.run. When the runner is idle and nothing else is running, a request goes out at once (no added
// latency when the server is quiet); while batches are running, requests queue and go out together when a
// worker frees up, when max-batch-size rows are waiting, or after max-batch-delay-ms.
import { types } from 'node:util';
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
}

/** Batching limits. */
export interface BatcherOptions {
  maxBatchSize: number;
  maxBatchDelayMs: number;
  /** False when the model has a fixed batch dimension: every request then runs alone. */
  batchable: boolean;
  /** Called with the number of rows of every batch run. */
  onBatch?: (rows: number) => void;
}

interface Queued {
  feeds: Feeds;
  rows: number;
  signature: string;
  resolve: (o: Outputs) => void;
  reject: (e: Error) => void;
}

/** Shape signature: requests batch together only when every input has the same trailing dims. */
function signatureOf(feeds: Feeds): string {
  return Object.keys(feeds).sort().map((k) => `${k}:${(feeds[k]?.dims ?? []).slice(1).join('x')}`).join(';');
}

function sliceRows(data: NumericArray, from: number, to: number): NumericArray {
  return data.subarray(from, to);
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
      this.#queue.push({ feeds, rows, signature: signatureOf(feeds), resolve, reject });
      this.#queuedRows += rows;
      this.#pump(false);
    });
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
    const feeds: Feeds = {};
    for (const name of Object.keys((batch[0] as Queued).feeds)) {
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
          const mine: Outputs = {};
          for (const [name, t] of Object.entries(outputs)) {
            if (batch.length === 1 || t.dims[0] !== totalRows) {
              mine[name] = t;
              continue;
            }
            const per = elementCount(t.dims.slice(1));
            mine[name] = { type: t.type, dims: [q.rows, ...t.dims.slice(1)], data: sliceRows(t.data, row * per, (row + q.rows) * per) };
          }
          row += q.rows;
          q.resolve(mine);
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
