/**
 * An in-memory ListWatchSource with the apiserver's watch semantics, for unit tests of the informer:
 * a resourceVersion counter, an event log replayed to a watch that starts from an older version,
 * 410 Gone for versions older than the compaction point, and knobs to break, close or expire
 * running watches and to fail lists.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ListOptions, ObjectList } from '../kube-client.js';
import type { ListWatchSource, WatchEventType, WatchHandle, WatchOptions } from '../list-watch.js';
import { objectKey } from '../object-key.js';
import type { ResourceType } from '../resources.js';

interface LoggedEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KubernetesObject;
}

interface Watcher {
  namespace: string | undefined;
  onEvent: (type: WatchEventType, obj: KubernetesObject) => void;
  onDone: (err?: unknown) => void;
}

function inScope(obj: KubernetesObject, namespace: string | undefined): boolean {
  return namespace === undefined || obj.metadata?.namespace === namespace;
}

/** A fake apiserver for one resource type. */
export class MemoryListWatch implements ListWatchSource {
  #rv = 100;
  #compactedRv = 0;
  readonly #objects = new Map<string, KubernetesObject>();
  readonly #log: LoggedEvent[] = [];
  readonly #watchers = new Set<Watcher>();
  /** Lists to fail before answering. */
  failLists = 0;
  /** The error failed lists throw (default: connection refused). */
  listError: Error = new Error('connection refused');
  /** Calls made (assertions). */
  lists = 0;
  watches = 0;

  /** Creates or updates an object, notifying watchers. */
  upsert(obj: KubernetesObject): KubernetesObject {
    const key = objectKey(obj);
    const type = this.#objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    this.#objects.set(key, stored);
    this.#record(type, stored);
    return stored;
  }

  /** Deletes an object, notifying watchers. */
  remove(key: string): void {
    const obj = this.#objects.get(key);
    if (!obj) return;
    this.#objects.delete(key);
    this.#record('DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } });
  }

  /** Forgets history up to now: watches from older versions get 410 Gone. */
  compact(): void {
    this.#compactedRv = this.#rv;
  }

  /** Ends every running watch with an error (a dropped connection). */
  breakWatches(err: Error = new Error('socket hang up')): void {
    for (const w of [...this.#watchers]) {
      this.#watchers.delete(w);
      w.onDone(err);
    }
  }

  /** Ends every running watch cleanly (the server's timeout). */
  closeWatches(): void {
    for (const w of [...this.#watchers]) {
      this.#watchers.delete(w);
      w.onDone(undefined);
    }
  }

  /** Sends 410 Gone to every running watch. */
  expireWatches(): void {
    for (const w of [...this.#watchers]) w.onEvent('ERROR', { code: 410, reason: 'Expired', message: 'too old' } as KubernetesObject);
  }

  /** Running watches. */
  get activeWatches(): number {
    return this.#watchers.size;
  }

  async list<T extends KubernetesObject>(_type: ResourceType, options: ListOptions): Promise<ObjectList<T>> {
    this.lists++;
    if (this.failLists > 0) {
      this.failLists--;
      throw this.listError;
    }
    const items = [...this.#objects.values()].filter((o) => inScope(o, options.namespace)) as T[];
    return { items: structuredClone(items), resourceVersion: String(this.#rv) };
  }

  async watch(
    _type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubernetesObject) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle> {
    this.watches++;
    const from = Number(options.resourceVersion);
    const watcher: Watcher = { namespace: options.namespace, onEvent, onDone };
    if (from < this.#compactedRv) {
      onEvent('ERROR', { code: 410, reason: 'Expired', message: 'too old resource version' } as KubernetesObject);
    } else {
      for (const e of this.#log) if (e.rv > from && inScope(e.obj, options.namespace)) onEvent(e.type, structuredClone(e.obj));
    }
    this.#watchers.add(watcher);
    return { abort: () => this.#watchers.delete(watcher) };
  }

  #record(type: LoggedEvent['type'], obj: KubernetesObject): void {
    this.#log.push({ rv: this.#rv, type, obj });
    for (const w of this.#watchers) if (inScope(obj, w.namespace)) w.onEvent(type, structuredClone(obj));
  }
}
