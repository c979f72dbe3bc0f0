/**
 * The two calls an informer makes — list, then watch from the list's resourceVersion — behind a
 * narrow interface. KubeListWatch is the real one: list through a KubeClient, watch through the
 * RestClient's watch stream (one long-lived HTTP stream per watch).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient, ListOptions, ObjectList } from './kube-client.js';
import type { RestClient } from './rest-client.js';
import { apiVersionOf, collectionPath, type ResourceType } from './resources.js';

/** A watch event type as the apiserver sends it. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Options of one watch request. */
export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  /** The server closes the watch after this long (client-go picks 5–10 min at random). */
  timeoutSeconds: number;
}

/** A running watch. */
export interface WatchHandle {
  /** Ends the watch; `onDone` is then not called. */
  abort(): void;
}

/** List and watch one resource type. */
export interface ListWatchSource {
  list<T extends KubernetesObject>(type: ResourceType, options: ListOptions): Promise<ObjectList<T>>;
  /**
   * Starts a watch. `onEvent` gets each event; `onDone` is called once when the stream ends
   * (undefined: closed cleanly, e.g. the server's timeout) or fails. Rejects if it cannot start.
   */
  watch(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubernetesObject) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle>;
}

/** list via KubeClient, watch via RestClient. */
export class KubeListWatch implements ListWatchSource {
  readonly #client: KubeClient;
  readonly #rest: RestClient;

  constructor(client: KubeClient, rest: RestClient) {
    this.#client = client;
    this.#rest = rest;
  }

  list<T extends KubernetesObject>(type: ResourceType, options: ListOptions): Promise<ObjectList<T>> {
    return this.#client.list<T>(type, options);
  }

  async watch(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubernetesObject) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle> {
    const apiVersion = apiVersionOf(type);
    return this.#rest.watch({
      path: collectionPath(type, options.namespace),
      query: {
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      what: `watch ${type.plural}${options.namespace ? ` in ${options.namespace}` : ''}`,
      onEvent: (event) => {
        const { type: phase, object: obj } = (event ?? {}) as { type?: string; object?: KubernetesObject };
        if (!phase || !obj) return;
        // Items of a watch carry no apiVersion/kind for some types: the cache wants them.
        const object = phase === 'ERROR' ? obj : { ...obj, apiVersion: obj.apiVersion ?? apiVersion, kind: obj.kind ?? type.kind };
        onEvent(phase as WatchEventType, object);
      },
      onDone,
    });
  }
}
