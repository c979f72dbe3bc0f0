/**
 * The narrow interface the reconciler talks to Kubernetes through. The real implementation is
 * ApiKubeClient (apply.ts); code above it takes a KubeClient, so its tests can pass their own.
 *
 * Conventions: objects are plain JSON as the apiserver returns them; `get` answers undefined for a
 * missing object and `delete` false; every other failure is a {@link KubeApiError} that names the
 * object.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from './resources.js';

/** The field manager of every write the operator makes. */
export const FIELD_MANAGER = 'tern-operator';

/** A list and the resourceVersion to watch from. */
export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

/** Which objects a list returns. */
export interface ListOptions {
  /** One namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per page (`limit`; default {@link LIST_PAGE_SIZE}): a list is read page by page (`continue`). */
  pageSize?: number;
}

/** The default page of a list: client-go's pager reads 500 objects a page too. */
export const LIST_PAGE_SIZE = 500;

/** Server-side apply options. */
export interface ApplyOptions {
  /**
   * Take fields another manager owns (default true). The operator only ever sends fields it owns
   * (e.g. an adopted HTTPRoute's `backendRefs`, never its annotations), so forcing means "these
   * fields are mine": a `kubectl edit` of them is reverted, while fields the operator does not send
   * stay with their managers. Pass false to get a 409 {@link KubeApiError} on conflict instead.
   */
  force?: boolean;
}

/** Patch kinds besides server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic';

/** Options of {@link KubeClient.patch}. */
export interface PatchOptions {
  patchType?: PatchType;
  /** e.g. `status`. */
  subresource?: string;
}

/** Delete options. */
export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Only delete this exact object (uid precondition). */
  uid?: string;
}

/** Everything the operator does to the API. */
export interface KubeClient {
  /** One object, or undefined when it does not exist. */
  get<T extends KubernetesObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T | undefined>;
  /** Objects of a type (one namespace or all), with the list's resourceVersion. */
  list<T extends KubernetesObject>(type: ResourceType, options?: ListOptions): Promise<ObjectList<T>>;
  /** Server-side apply of `obj` (needs apiVersion, kind, metadata.name, and namespace when namespaced). */
  apply<T extends KubernetesObject>(type: ResourceType, obj: T, options?: ApplyOptions): Promise<T>;
  /** Server-side apply to the `/status` subresource: `obj` carries apiVersion, kind, metadata.name/namespace and status. */
  applyStatus<T extends KubernetesObject>(type: ResourceType, obj: T, options?: ApplyOptions): Promise<T>;
  /** Creates an object (fails with 409 AlreadyExists if it exists). */
  create<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T>;
  /** Replaces an object; `metadata.resourceVersion` makes it conditional (409 Conflict when stale). */
  update<T extends KubernetesObject>(type: ResourceType, obj: T): Promise<T>;
  /** Merge (default), JSON or strategic-merge patch of an object or subresource. */
  patch<T extends KubernetesObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options?: PatchOptions,
  ): Promise<T>;
  /** Deletes an object; false when it was already gone. */
  delete(type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<boolean>;
}

/** An error answer of the apiserver, naming the request and object. */
export class KubeApiError extends Error {
  /** HTTP status (0 when no answer came: connection refused, timeout). */
  readonly statusCode: number;
  /** The Status reason (`NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Forbidden`, ...). */
  readonly reason: string;

  constructor(message: string, statusCode: number, reason: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** True for a 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

/** True for a 409 (optimistic-concurrency conflict, SSA field conflict, or AlreadyExists). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409;
}
