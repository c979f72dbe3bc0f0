/**
 * A typed informer: a local cache of one resource type kept current by list + watch, with
 * add/update/delete handlers (client-go's SharedInformer, reduced to what the operator needs).
 *
 * Unlike client-node's makeInformer, it restarts itself: when a watch fails, is closed by the
 * server, or goes silent, it re-watches from the last resourceVersion it saw, or relists (after an
 * error, a 410 Gone, or every `relistPeriodMs`) with exponential backoff between failures. A
 * relist diffs the fresh list against the cache and delivers what changed while it was not
 * watching: `add` for new objects, `update` for changed ones, `delete` for vanished ones.
 *
 * Scope: all namespaces, or a list of namespaces (one list/watch loop each, one shared cache),
 * optionally narrowed by a label selector.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { KubeApiError } from './kube-client.js';
import type { ListWatchSource, WatchEventType, WatchHandle } from './list-watch.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { makeKey, objectKey } from './object-key.js';
import type { ResourceType } from './resources.js';

/** Callbacks for cache changes. Called synchronously, in order; exceptions are logged and ignored. */
export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/** Options of an {@link Informer}. */
export interface InformerOptions {
  source: ListWatchSource;
  type: ResourceType;
  /** Namespaces to watch; all namespaces when absent or empty. */
  namespaces?: string[];
  labelSelector?: string;
  fieldSelector?: string;
  /** Relist at the first watch restart after this long, even when healthy (default 10 min; 0 = never). */
  relistPeriodMs?: number;
  /** Backoff between failed list/watch attempts (default 1 s doubling to 30 s, 20 % jitter). */
  restartBackoff?: BackoffPolicy;
  /**
   * The resource type may not be installed (e.g. Gateway API's HTTPRoute): a list answered 404
   * counts as synced and empty, and the informer keeps retrying at its longest backoff until the
   * type appears. Default false (a 404 is an error like any other).
   */
  optional?: boolean;
  /**
   * Applied to every object before it is cached and handed to handlers. The default drops
   * `metadata.managedFields` (a large part of an SSA-managed object, never needed by the reconciler), which
   * keeps the cache of thousands of Deployments small; pass `(o) => o` to keep everything.
   */
  transform?: <T extends KubernetesObject>(obj: T) => T;
  /** Server-side watch timeout range in seconds (default 300–600, like client-go). */
  watchTimeoutSeconds?: [number, number];
  clock?: Clock;
  logger?: Logger;
}

/** The default transform: the object without `metadata.managedFields`. */
export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

const DEFAULT_RESTART_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** One list/watch loop (one namespace, or all). */
interface Scope {
  namespace: string | undefined;
  synced: boolean;
  failures: number;
  lastError: string | undefined;
  watch: WatchHandle | undefined;
  /** Resolves the current watch wait early (stop, watchdog). */
  interrupt: (() => void) | undefined;
  sleepTimer: TimerHandle | undefined;
  /** Keys this scope put in the cache (a relist only diffs its own). */
  keys: Set<string>;
}

interface WatchOutcome {
  error?: unknown;
  /** The server said our resourceVersion is too old (410): relist. */
  gone?: boolean;
  events: number;
}

/** Status for /healthz and logs. */
export interface InformerHealth {
  resource: string;
  synced: boolean;
  alive: boolean;
  restarts: number;
  lastError: string | undefined;
}

/** A self-restarting list+watch cache of one resource type. */
export class Informer<T extends KubernetesObject> {
  readonly #source: ListWatchSource;
  readonly #type: ResourceType;
  readonly #labelSelector: string | undefined;
  readonly #fieldSelector: string | undefined;
  readonly #relistPeriodMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #timeoutRange: [number, number];
  readonly #optional: boolean;
  readonly #transform: <O extends KubernetesObject>(obj: O) => O;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #scopes: Scope[];
  readonly #cache = new Map<string, T>();
  readonly #handlers: InformerHandlers<T>[] = [];
  readonly #syncWaiters: Array<() => void> = [];
  #loops: Promise<void>[] = [];
  #started = false;
  #stopped = false;
  #crashed = false;
  #restarts = 0;

  constructor(options: InformerOptions) {
    this.#source = options.source;
    this.#type = options.type;
    this.#labelSelector = options.labelSelector;
    this.#fieldSelector = options.fieldSelector;
    this.#relistPeriodMs = options.relistPeriodMs ?? 10 * 60_000;
    this.#backoff = options.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
    this.#timeoutRange = options.watchTimeoutSeconds ?? [300, 600];
    this.#optional = options.optional ?? false;
    this.#transform = options.transform ?? stripManagedFields;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.logger ?? silentLogger).child({ informer: options.type.plural });
    const namespaces = options.namespaces?.length ? [...new Set(options.namespaces)] : [undefined];
    this.#scopes = namespaces.map((namespace) => ({
      namespace,
      synced: false,
      failures: 0,
      lastError: undefined,
      watch: undefined,
      interrupt: undefined,
      sleepTimer: undefined,
      keys: new Set<string>(),
    }));
  }

  /** Registers handlers. Objects already cached are delivered as `add` at once (like client-go). */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
    if (handlers.add) for (const obj of this.#cache.values()) this.#call(() => handlers.add?.(obj));
  }

  /** True once every namespace has been listed at least once. */
  get hasSynced(): boolean {
    return this.#scopes.every((s) => s.synced);
  }

  /** True while the list/watch loops run (false after stop() or if a loop crashed on a bug). */
  get alive(): boolean {
    return this.#started && !this.#stopped && !this.#crashed;
  }

  /** Health summary for probes and logs. */
  get health(): InformerHealth {
    const lastError = this.#scopes.map((s) => s.lastError).find((e) => e !== undefined);
    return { resource: this.#type.plural, synced: this.hasSynced, alive: this.alive, restarts: this.#restarts, lastError };
  }

  /** A cached object. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(makeKey(namespace, name));
  }

  /** Cached objects, of one namespace or all. */
  list(namespace?: string): T[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  /** Starts the list/watch loops (returns at once; see {@link Informer.waitForSync}). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#loops = this.#scopes.map((scope) =>
      this.#runScope(scope).catch((err: unknown) => {
        this.#crashed = true;
        this.#log.error('informer loop crashed; /healthz reports it', { err });
      }),
    );
  }

  /** Resolves when synced; rejects after `timeoutMs` naming what is missing. */
  waitForSync(timeoutMs = 60_000): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        const missing = this.#scopes.filter((s) => !s.synced).map((s) => s.namespace ?? '(all namespaces)');
        reject(
          new Error(
            `informer ${this.#type.plural} not synced after ${timeoutMs} ms (namespaces ${missing.join(', ')}; last error: ${this.health.lastError ?? 'none'})`,
          ),
        );
      }, timeoutMs);
      this.#syncWaiters.push(() => {
        this.#clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops watching; the cache stays readable. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const scope of this.#scopes) {
      scope.watch?.abort();
      scope.interrupt?.();
      if (scope.sleepTimer !== undefined) this.#clock.clearTimeout(scope.sleepTimer);
    }
    await Promise.all(this.#loops);
  }

  async #runScope(scope: Scope): Promise<void> {
    let resourceVersion: string | undefined;
    let listedAt = 0;
    while (!this.#stopped) {
      try {
        if (resourceVersion === undefined || (this.#relistPeriodMs > 0 && this.#clock.now() - listedAt >= this.#relistPeriodMs)) {
          const list = await this.#source.list<T>(this.#type, {
            namespace: scope.namespace,
            labelSelector: this.#labelSelector,
            fieldSelector: this.#fieldSelector,
          });
          if (this.#stopped) return;
          this.#replace(scope, list.items);
          resourceVersion = list.resourceVersion;
          listedAt = this.#clock.now();
          this.#markSynced(scope);
        }
        const started = this.#clock.now();
        const { outcome, lastResourceVersion } = await this.#watchOnce(scope, resourceVersion);
        if (this.#stopped) return;
        resourceVersion = outcome.gone ? undefined : lastResourceVersion;
        if (outcome.error !== undefined) throw outcome.error;
        if (outcome.gone) {
          this.#log.info('watch expired (410 Gone); relisting', { namespace: scope.namespace });
          continue;
        }
        // A clean close (server timeout) re-watches at once; one that closes immediately without
        // events counts as a failure, so a misbehaving server cannot make us spin.
        if (outcome.events === 0 && this.#clock.now() - started < 1000) throw new Error('watch closed immediately');
        scope.failures = 0;
      } catch (err) {
        if (this.#stopped) return;
        if (this.#optional && err instanceof KubeApiError && err.statusCode === 404) {
          if (!scope.synced) this.#log.info('resource type not served; treating it as empty until it appears', { namespace: scope.namespace });
          this.#replace(scope, []);
          this.#markSynced(scope);
          resourceVersion = undefined;
          await this.#sleep(scope, this.#backoff.maxMs);
          continue;
        }
        scope.failures++;
        this.#restarts++;
        scope.lastError = err instanceof Error ? err.message : String(err);
        resourceVersion = undefined;
        const delay = backoffDelay(this.#backoff, scope.failures);
        this.#log.warn('list/watch failed; restarting', {
          namespace: scope.namespace,
          err: scope.lastError,
          failures: scope.failures,
          retryInMs: delay,
        });
        await this.#sleep(scope, delay);
      }
    }
  }

  /** Runs one watch until it ends; resolves with how it ended and the last resourceVersion seen. */
  #watchOnce(scope: Scope, fromVersion: string): Promise<{ outcome: WatchOutcome; lastResourceVersion: string }> {
    const [lo, hi] = this.#timeoutRange;
    const timeoutSeconds = Math.round(lo + Math.random() * Math.max(0, hi - lo));
    // No event or bookmark for this long means the connection is dead without having said so.
    const silenceMs = (timeoutSeconds + 60) * 1000;
    let lastResourceVersion = fromVersion;
    let events = 0;
    return new Promise((resolve) => {
      let settled = false;
      let watchdog: TimerHandle | undefined;
      const finish = (outcome: Omit<WatchOutcome, 'events'>): void => {
        if (settled) return;
        settled = true;
        if (watchdog !== undefined) this.#clock.clearTimeout(watchdog);
        scope.watch?.abort();
        scope.watch = undefined;
        scope.interrupt = undefined;
        resolve({ outcome: { ...outcome, events }, lastResourceVersion });
      };
      const arm = (): void => {
        if (watchdog !== undefined) this.#clock.clearTimeout(watchdog);
        watchdog = this.#clock.setTimeout(() => finish({ error: new Error(`watch silent for ${silenceMs / 1000} s`) }), silenceMs);
      };
      scope.interrupt = () => finish({});
      arm();
      const onEvent = (type: WatchEventType, obj: KubernetesObject): void => {
        if (settled) return;
        events++;
        arm();
        if (type === 'ERROR') {
          const status = obj as { code?: number; message?: string; reason?: string };
          if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') finish({ gone: true });
          else finish({ error: new Error(`watch error ${status.code ?? ''} ${status.reason ?? ''}: ${status.message ?? ''}`) });
          return;
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) lastResourceVersion = rv;
        if (type === 'BOOKMARK') return;
        this.#apply(scope, type, obj as T);
      };
      this.#source
        .watch(
          this.#type,
          {
            namespace: scope.namespace,
            labelSelector: this.#labelSelector,
            fieldSelector: this.#fieldSelector,
            resourceVersion: fromVersion,
            timeoutSeconds,
          },
          onEvent,
          (err) => finish(err === undefined ? {} : { error: err }),
        )
        .then(
          (handle) => {
            if (settled) handle.abort();
            else scope.watch = handle;
          },
          (err: unknown) => finish({ error: err }),
        );
    });
  }

  #apply(scope: Scope, type: 'ADDED' | 'MODIFIED' | 'DELETED', raw: T): void {
    const obj = this.#transform(raw);
    const key = objectKey(obj);
    const old = this.#cache.get(key);
    if (type === 'DELETED') {
      this.#cache.delete(key);
      scope.keys.delete(key);
      this.#emit('delete', old ?? obj);
      return;
    }
    this.#cache.set(key, obj);
    scope.keys.add(key);
    if (old === undefined) this.#emit('add', obj);
    else this.#emit('update', obj, old);
  }

  /** Replaces a scope's part of the cache with a fresh list, delivering the differences. */
  #replace(scope: Scope, items: T[]): void {
    const fresh = new Set<string>();
    for (const raw of items) {
      const obj = this.#transform(raw);
      const key = objectKey(obj);
      fresh.add(key);
      const old = this.#cache.get(key);
      this.#cache.set(key, obj);
      scope.keys.add(key);
      if (old === undefined) this.#emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.#emit('update', obj, old);
    }
    for (const key of [...scope.keys]) {
      if (fresh.has(key)) continue;
      const old = this.#cache.get(key);
      this.#cache.delete(key);
      scope.keys.delete(key);
      if (old !== undefined) this.#emit('delete', old);
    }
  }

  #emit(kind: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.#handlers) {
      if (kind === 'add') this.#call(() => h.add?.(obj));
      else if (kind === 'update') this.#call(() => h.update?.(old as T, obj));
      else this.#call(() => h.delete?.(obj));
    }
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error('informer handler threw', { err });
    }
  }

  #markSynced(scope: Scope): void {
    if (scope.synced) return;
    scope.synced = true;
    if (this.hasSynced) for (const w of this.#syncWaiters.splice(0)) w();
  }

  #sleep(scope: Scope, ms: number): Promise<void> {
    return new Promise((resolve) => {
      scope.interrupt = () => {
        if (scope.sleepTimer !== undefined) this.#clock.clearTimeout(scope.sleepTimer);
        scope.sleepTimer = undefined;
        scope.interrupt = undefined;
        resolve();
      };
      scope.sleepTimer = this.#clock.setTimeout(() => {
        scope.sleepTimer = undefined;
        scope.interrupt = undefined;
        resolve();
      }, ms);
    });
  }
}
