/**
 * The keyed work queue every controller loop runs on (client-go's rate-limiting workqueue, Pepr's
 * per-key queue): keys are `namespace/name`, never objects, so a reconcile always reads the latest
 * state from the informer cache.
 *
 * Guarantees:
 * - Deduplicated: a key waiting to run is queued once however often it is added.
 * - One reconcile in flight per key: a key added while it runs is marked dirty and runs again
 *   right after (so no change is lost and no two passes race on one object).
 * - `concurrency` keys run at once across different keys.
 * - A reconcile that throws is retried with per-key exponential backoff (500 ms doubling to 5 min by
 *   default); success resets the key's failure count.
 * - `{ requeueAfterMs }` from a reconcile (or `addAfter`) schedules a timed run; when several are
 *   pending for a key the earliest wins. When a key starts running, its pending timed run is
 *   cancelled: the outcome of this pass decides the next one (retry, requeue-after or nothing), so
 *   an idle, converged object causes no extra passes.
 * - `stop()` takes no new work and resolves when in-flight reconciles have finished.
 */
import { backoffDelay, DEFAULT_RETRY_BACKOFF, type BackoffPolicy } from './backoff.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { silentLogger, type Logger } from '../../common/log.js';

/** What a reconcile asks of the queue: run again after a delay (timed steps), or nothing. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** Reconciles one key. Throwing schedules a retry with backoff. */
export type ReconcileFn = (key: string) => Promise<ReconcileResult | void>;

/** Told about every finished reconcile (metrics hook). */
export interface WorkQueueObserver {
  onReconciled?(key: string, durationSeconds: number, error: unknown | undefined): void;
  onDepthChanged?(depth: number): void;
}

/** Options of a {@link WorkQueue}. */
export interface WorkQueueOptions {
  reconcile: ReconcileFn;
  /** Keys reconciled at once (default 2). */
  concurrency?: number;
  /** Retry spacing for failing keys (default {@link DEFAULT_RETRY_BACKOFF}). */
  retryBackoff?: BackoffPolicy;
  clock?: Clock;
  logger?: Logger;
  observer?: WorkQueueObserver;
}

interface Delayed {
  at: number;
  handle: TimerHandle;
}

/** A deduplicating, per-key serialised, rate-limited work queue. Call {@link WorkQueue.start} to begin. */
export class WorkQueue {
  readonly #reconcile: ReconcileFn;
  readonly #concurrency: number;
  readonly #backoff: BackoffPolicy;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #observer: WorkQueueObserver;

  /** Keys ready to run, in order; `#queued` mirrors it for O(1) dedupe. */
  #ready: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  /** Keys added while they were processing: re-run when the current pass ends. */
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #inFlight = new Set<Promise<void>>();

  #started = false;
  #stopped = false;

  constructor(options: WorkQueueOptions) {
    this.#reconcile = options.reconcile;
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
    this.#backoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
    this.#clock = options.clock ?? realClock;
    this.#log = options.logger ?? silentLogger;
    this.#observer = options.observer ?? {};
  }

  /** Keys waiting to run now (not counting running or timed ones): the `tern_workqueue_depth` gauge. */
  get depth(): number {
    return this.#ready.length;
  }

  /** Keys whose reconcile is running. */
  get processing(): number {
    return this.#processing.size;
  }

  /** Keys waiting for a timer (retry backoff or requeue-after). */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Consecutive failures of a key (0 once it succeeds). */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** True after {@link WorkQueue.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Begins processing (keys added before are kept and run now). */
  start(): void {
    if (this.#stopped) throw new Error('WorkQueue.start: the queue was stopped; make a new one');
    this.#started = true;
    this.#pump();
  }

  /** Queues a key to run as soon as a worker is free (deduplicated; re-run after the current pass if running). */
  add(key: string): void {
    if (this.#stopped) return;
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#ready.push(key);
    this.#depthChanged();
    this.#pump();
  }

  /** Queues a key after `ms` milliseconds. When a timed run is already pending, the earlier one wins. */
  addAfter(key: string, ms: number): void {
    if (this.#stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.#clock.clearTimeout(existing.handle);
    const handle = this.#clock.setTimeout(() => {
      const current = this.#delayed.get(key);
      if (current?.handle === handle) this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, handle });
  }

  /** Re-queues a failing key after its backoff delay and returns that delay. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = backoffDelay(this.#backoff, failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count (done automatically after a successful reconcile). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Takes no new work, cancels timers and queued keys, and resolves when in-flight reconciles have ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const d of this.#delayed.values()) this.#clock.clearTimeout(d.handle);
    this.#delayed.clear();
    this.#ready = [];
    this.#queued.clear();
    this.#dirty.clear();
    this.#depthChanged();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #depthChanged(): void {
    this.#observer.onDepthChanged?.(this.#ready.length);
  }

  #pump(): void {
    while (this.#started && !this.#stopped && this.#processing.size < this.#concurrency && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      this.#queued.delete(key);
      this.#depthChanged();
      this.#processing.add(key);
      const pending = this.#delayed.get(key);
      if (pending) {
        this.#clock.clearTimeout(pending.handle);
        this.#delayed.delete(key);
      }
      const run = this.#run(key).finally(() => this.#inFlight.delete(run));
      this.#inFlight.add(run);
    }
  }

  async #run(key: string): Promise<void> {
    const started = this.#clock.now();
    let result: ReconcileResult | void = undefined;
    let error: unknown = undefined;
    try {
      result = await this.#reconcile(key);
    } catch (err) {
      error = err ?? new Error('reconcile failed');
    }
    const seconds = (this.#clock.now() - started) / 1000;
    try {
      this.#observer.onReconciled?.(key, seconds, error);
    } catch (err) {
      this.#log.warn('work queue observer threw', { key, err });
    }
    this.#processing.delete(key);
    if (!this.#stopped) {
      if (error !== undefined) {
        const delay = this.addRateLimited(key);
        this.#log.warn('reconcile failed; retrying with backoff', {
          key,
          err: error,
          retryInMs: delay,
          failures: this.failures(key),
        });
      } else {
        this.forget(key);
        const after = result?.requeueAfterMs;
        if (after !== undefined && after >= 0) this.addAfter(key, after);
      }
      if (this.#dirty.delete(key)) this.add(key);
    }
    this.#pump();
  }
}
