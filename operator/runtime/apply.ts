/**
 * ApiKubeClient: the real KubeClient over the apiserver's REST API.
 *
 * - Owned objects are written with server-side apply (`PATCH application/apply-patch+yaml`,
 *   `fieldManager=tern-operator`, `force=true` by default — see ApplyOptions.force for why that is
 *   safe: the operator sends only the fields it owns). Applying the same object twice changes
 *   nothing (same resourceVersion), so a converged release causes no updates — but every request
 *   still counts as a write, so the reconciler should skip applies whose fields already match
 *   (see `appliedFieldsMatch` in apply-diff.ts).
 * - Status goes through the `/status` subresource (`applyStatus`, SSA; or `patch` with
 *   `subresource: 'status'`), so the operator never writes a ModelRelease's spec.
 * - Every write request (apply, create, update, patch, delete; successful or not) increments
 *   `tern_api_writes_total{verb,resource}` through the `onWrite` hook.
 * - Lists are read in pages (`limit`/`continue`, {@link LIST_PAGE_SIZE} objects each), so a cluster with many
 *   objects never produces one huge answer; every page is served from the first page's snapshot, whose
 *   resourceVersion the list returns. An expired continue token (410) restarts the list once.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  KubeApiError,
  LIST_PAGE_SIZE,
  type ApplyOptions,
  type DeleteOptions,
  type KubeClient,
  type ListOptions,
  type ObjectList,
  type PatchOptions,
  type PatchType,
} from './kube-client.js';
import { apiVersionOf, collectionPath, objectPath, resourceLabel, type ResourceType } from './resources.js';
import type { RestClient } from './rest-client.js';

/** Write verbs as counted in `tern_api_writes_total`. */
export type WriteVerb = 'apply' | 'create' | 'update' | 'patch' | 'delete';

/** Called once per write request. */
export type WriteCounter = (verb: WriteVerb, resource: string) => void;

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};
const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';

function describe(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.plural} ${namespace ? `${namespace}/` : ''}${name}`;
}

function nameOf(type: ResourceType, obj: KubernetesObject, verb: string): { namespace: string | undefined; name: string } {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${verb} ${type.plural}: the object has no metadata.name`);
  const namespace = type.namespaced ? obj.metadata?.namespace : undefined;
  if (type.namespaced && !namespace) throw new Error(`${verb} ${type.plural} ${name}: the object has no metadata.namespace`);
  return { namespace, name };
}

/** Fills in apiVersion and kind from the resource type when the object lacks them (SSA requires both). */
function withTypeMeta<T extends KubernetesObject>(type: ResourceType, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(type), kind: obj.kind ?? type.kind };
}

/** A continue token's snapshot expired mid-list. */
class ExpiredContinue extends KubeApiError {
  constructor(message: string) {
    super(message, 410, 'Expired');
  }
}

/** The KubeClient the operator runs with. */
export class ApiKubeClient implements KubeClient {
  readonly #rest: RestClient;
  readonly #onWrite: WriteCounter;
  readonly #fieldManager: string;

  /**
   * @param rest the transport
   * @param onWrite counts writes (wire to ControllerMetrics.countWrite)
   * @param fieldManager SSA field manager (default `tern-operator`)
   */
  constructor(rest: RestClient, onWrite: WriteCounter = () => undefined, fieldManager = FIELD_MANAGER) {
    this.#rest = rest;
    this.#onWrite = onWrite;
    this.#fieldManager = fieldManager;
  }

  async get<T extends KubernetesObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.#rest.request<T>({
        method: 'GET',
        path: objectPath(type, namespace, name),
        what: `get ${describe(type, namespace, name)}`,
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubernetesObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    try {
      return await this.#listPages<T>(type, options);
    } catch (err) {
      // The snapshot of a continue token expired (410 Gone, reason Expired): list again from the start, once.
      if (err instanceof ExpiredContinue) return this.#listPages<T>(type, options);
      throw err;
    }
  }

  async #listPages<T extends KubernetesObject>(type: ResourceType, options: ListOptions): Promise<ObjectList<T>> {
    const limit = options.pageSize ?? LIST_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`list ${type.plural}: pageSize must be a positive integer, not ${limit}`);
    const what = `list ${type.plural}${options.namespace ? ` in ${options.namespace}` : ''}`;
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    for (let page = 1; ; page++) {
      let list: { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
      try {
        list = await this.#rest.request({
          method: 'GET',
          path: collectionPath(type, options.namespace),
          query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit, continue: token },
          what: page === 1 ? what : `${what} (page ${page})`,
        });
      } catch (err) {
        if (token !== undefined && err instanceof KubeApiError && err.statusCode === 410) throw new ExpiredContinue(err.message);
        throw err;
      }
      // List items carry no apiVersion/kind; add them so they can be handled like single objects.
      for (const item of list.items ?? []) items.push(withTypeMeta(type, item));
      resourceVersion ??= list.metadata?.resourceVersion ?? '';
      const next = list.metadata?.continue;
      if (!next) return { items, resourceVersion };
      if (next === token) throw new KubeApiError(`${what}: the server answered page ${page} with the continue token it was given`, 0, 'BadContinue');
      token = next;
    }
  }

  apply<T extends KubernetesObject>(type: ResourceType, obj: T, options: ApplyOptions = {}): Promise<T> {
    return this.#apply(type, obj, undefined, options);
  }

  applyStatus<T extends KubernetesObject>(type: ResourceType, obj: T, options: ApplyOptions = {}): Promise<T> {
    return this.#apply(type, obj, 'status', options);
  }

  async create<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T> {
    const { namespace, name } = nameOf(type, obj, 'create');
    this.#onWrite('create', resourceLabel(type));
    return this.#rest.request<T>({
      method: 'POST',
      path: collectionPath(type, namespace),
      query: { fieldManager: this.#fieldManager },
      body: withTypeMeta(type, obj),
      what: `create ${describe(type, namespace, name)}`,
    });
  }

  async update<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T> {
    const { namespace, name } = nameOf(type, obj, 'update');
    this.#onWrite('update', resourceLabel(type));
    return this.#rest.request<T>({
      method: 'PUT',
      path: objectPath(type, namespace, name),
      query: { fieldManager: this.#fieldManager },
      body: withTypeMeta(type, obj),
      what: `update ${describe(type, namespace, name)}`,
    });
  }

  async patch<T extends KubernetesObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<T> {
    const patchType = options.patchType ?? 'merge';
    this.#onWrite('patch', resourceLabel(type, options.subresource));
    return this.#rest.request<T>({
      method: 'PATCH',
      path: objectPath(type, namespace, name, options.subresource),
      query: { fieldManager: this.#fieldManager },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[patchType],
      what: `patch (${patchType}) ${describe(type, namespace, name)}${options.subresource ? `/${options.subresource}` : ''}`,
    });
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<boolean> {
    this.#onWrite('delete', resourceLabel(type));
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.propagationPolicy) body['propagationPolicy'] = options.propagationPolicy;
    if (options.uid) body['preconditions'] = { uid: options.uid };
    try {
      await this.#rest.request<unknown>({
        method: 'DELETE',
        path: objectPath(type, namespace, name),
        body,
        what: `delete ${describe(type, namespace, name)}`,
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return false;
      throw err;
    }
  }

  async #apply<T extends KubernetesObject>(
    type: ResourceType,
    obj: T,
    subresource: string | undefined,
    options: ApplyOptions,
  ): Promise<T> {
    const verb = subresource ? `apply ${subresource} of` : 'apply';
    const { namespace, name } = nameOf(type, obj, verb);
    const body = withTypeMeta(type, obj);
    // SSA refuses managedFields in the body and treats resourceVersion as a precondition: drop both
    // so that applying an object read from the cache is not an accidental conditional write.
    if (body.metadata) {
      const { managedFields: _mf, resourceVersion: _rv, ...metadata } = body.metadata;
      body.metadata = metadata;
    }
    this.#onWrite('apply', resourceLabel(type, subresource));
    return this.#rest.request<T>({
      method: 'PATCH',
      path: objectPath(type, namespace, name, subresource),
      query: { fieldManager: this.#fieldManager, force: options.force ?? true },
      body,
      contentType: APPLY_CONTENT_TYPE,
      what: `${verb} ${describe(type, namespace, name)} (field manager ${this.#fieldManager})`,
    });
  }
}
