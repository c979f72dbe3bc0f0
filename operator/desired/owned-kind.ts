/**
 * OwnedKind: one kind of object the operator applies for a release, declared once beside what builds it
 * (desired/deployment.ts, desired/service.ts, each router's file for its own kinds): the API resource it
 * is written through, the label selector its informer caches it by, and how to tell that the live object
 * already carries what the operator would apply. reconciler/owned-kinds.ts gathers them into the one map
 * the reconciler, the operator's informers and the chart's RBAC check read.
 */
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { ResourceType } from '../runtime/resources.js';
import type { KubeObject } from './kube-object.js';

/** Selector of the objects the operator manages (labels of desired/labels.ts's releaseLabels). */
export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=tern-operator';

export interface OwnedKind {
  /** The `kind` of the objects the builders return (`Deployment`). */
  readonly kind: string;
  /** The API resource they are applied through and watched on. */
  readonly resource: ResourceType;
  /** The label selector of the operator's informer for this kind (what it caches, and so compares against). */
  readonly labelSelector: string;
  /**
   * Applied to both the desired and the live object before the subset test: fields the apiserver rewrites
   * into another spelling of the same value (a Deployment's resource quantities) written one way, so that
   * the spelling never counts as a change. Absent: the objects are compared as they are.
   */
  readonly comparable?: (obj: KubeObject) => KubeObject;
  /** The type may not be installed (a CRD such as Gateway API's): its informer then counts as synced and empty. */
  readonly optional?: boolean;
  /**
   * Beyond runtime/apply-diff's subset test, which cannot see a field the operator stops sending: true when
   * `live` (already a superset of `desired`) also carries no such field that matters. Absent: the subset test decides.
   */
  readonly sameOwnedFields?: (desired: KubeObject, live: KubeObject, release: ResolvedRelease) => boolean;
  /** Appended to an apply error of this kind (what to check). */
  readonly applyErrorHint?: string;
}
