/**
 * Glue between informers and the work queue: which key an informer event queues.
 * - A reconciled object (a ModelRelease) queues itself (`enqueueObject`).
 * - An owned object (Deployment, Service, HTTPRoute) queues its owner: the controller ownerReference
 *   of the owner's kind, else the owner's label (for objects the operator adopts but does not own, like
 *   an existing HTTPRoute) (`enqueueOwner`). The kind and the label are the caller's (operator.ts).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerHandlers } from './informer.js';
import { makeKey, objectKey } from './object-key.js';

/** How an owned object names its owner: a controller ownerReference of `kind`, else the label `label`. */
export interface OwnerRef {
  kind: string;
  /** Label whose value is the owner's name, in the object's namespace. */
  label: string;
}

/** Anything keys can be added to (a WorkQueue). */
export interface KeySink {
  add(key: string): void;
}

/** Options of {@link enqueueObject}. */
export interface EnqueueObjectOptions {
  /**
   * Skip updates that change neither metadata.generation (spec) nor labels, annotations or
   * deletionTimestamp — i.e. the operator's own status writes. Default false. Only safe when every
   * timed step is driven by `requeueAfterMs`, not by status changes.
   */
  ignoreStatusOnlyUpdates?: boolean;
}

function metadataChanged(a: KubernetesObject, b: KubernetesObject): boolean {
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  return (
    ma.generation !== mb.generation ||
    ma.deletionTimestamp !== mb.deletionTimestamp ||
    JSON.stringify(ma.labels ?? {}) !== JSON.stringify(mb.labels ?? {}) ||
    JSON.stringify(ma.annotations ?? {}) !== JSON.stringify(mb.annotations ?? {})
  );
}

/** Handlers that queue the object's own key on add, update (resourceVersion changed) and delete. */
export function enqueueObject<T extends KubernetesObject>(queue: KeySink, options: EnqueueObjectOptions = {}): InformerHandlers<T> {
  return {
    add: (obj) => queue.add(objectKey(obj)),
    update: (oldObj, newObj) => {
      if (oldObj.metadata?.resourceVersion === newObj.metadata?.resourceVersion) return;
      if (options.ignoreStatusOnlyUpdates && !metadataChanged(oldObj, newObj)) return;
      queue.add(objectKey(newObj));
    },
    delete: (obj) => queue.add(objectKey(obj)),
  };
}

/** The key of the object's owner, or undefined when the object belongs to none. */
export function ownerKey(obj: KubernetesObject, owner: OwnerRef): string | undefined {
  const namespace = obj.metadata?.namespace;
  const ref = obj.metadata?.ownerReferences?.find((r) => r.kind === owner.kind && r.controller === true);
  if (ref) return makeKey(namespace, ref.name);
  const label = obj.metadata?.labels?.[owner.label];
  return label ? makeKey(namespace, label) : undefined;
}

/** Handlers that queue the owner's key when an owned object is added, changed or deleted. */
export function enqueueOwner<T extends KubernetesObject>(queue: KeySink, owner: OwnerRef): InformerHandlers<T> {
  const push = (obj: T): void => {
    const key = ownerKey(obj, owner);
    if (key) queue.add(key);
  };
  return {
    add: push,
    update: (oldObj, newObj) => {
      if (oldObj.metadata?.resourceVersion === newObj.metadata?.resourceVersion) return;
      push(newObj);
      // An object moved to another owner (label edited): the old owner must notice too.
      const before = ownerKey(oldObj, owner);
      if (before && before !== ownerKey(newObj, owner)) queue.add(before);
    },
    delete: push,
  };
}
