/**
 * Who may write an object the operator wants to apply. A ModelRelease writes only objects it owns (its
 * controller ownerReference) or, for an adopted HTTPRoute (spec.traffic.gatewayAPI.httpRouteName), a
 * route no other release claims. Two releases naming the same Service or HTTPRoute, or a hand-made object
 * in the way, would otherwise overwrite each other's selectors and weights on every pass.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { KIND } from '../api/model-release-schema.js';
import { LABEL_RELEASE } from '../desired/labels.js';
import type { KubeObject } from '../desired/kube-object.js';

/** Thrown when an object the release needs belongs to someone else; its reason names the condition. */
export class OwnershipConflictError extends Error {
  readonly reason = 'OwnershipConflict';
  constructor(message: string) {
    super(message);
    this.name = 'OwnershipConflictError';
  }
}

/** The release as far as ownership goes. */
export interface OwnerIdentity {
  metadata: { name: string; namespace?: string; uid?: string };
}

/** What to do about it, per kind of object (the release field that names it). */
function remedy(kind: string | undefined, name: string | undefined, release: OwnerIdentity): string {
  const self = release.metadata.name;
  if (kind === 'Service' && name !== undefined && !name.startsWith(`${self}-`)) return 'choose another spec.traffic.serviceName, or delete or rename that object';
  if (kind === 'HTTPRoute') return 'choose another spec.traffic.gatewayAPI.httpRouteName, or delete or rename that object';
  return 'delete or rename that object';
}

/**
 * Why `release` must not write `live` (a sentence), or undefined when it may. `desired` is what the release
 * would apply: with an ownerReference the release must be live's controller; without one (an adopted
 * route) no other ModelRelease may control or label it.
 */
export function ownershipConflict(desired: Pick<KubeObject, 'kind' | 'metadata'>, live: KubernetesObject | undefined, release: OwnerIdentity): string | undefined {
  if (!live || !release.metadata.uid) return undefined;
  const ns = live.metadata?.namespace ?? release.metadata.namespace ?? 'default';
  const what = `${desired.kind} ${ns}/${live.metadata?.name ?? desired.metadata.name}`;
  const mine = `ModelRelease ${ns}/${release.metadata.name}`;
  const refs = live.metadata?.ownerReferences ?? [];
  if (refs.some((r) => r.uid === release.metadata.uid)) return undefined;
  const controller = refs.find((r) => r.controller === true);
  const fix = remedy(desired.kind, desired.metadata.name, release);
  if (controller) {
    const other = controller.kind === KIND ? `ModelRelease ${ns}/${controller.name}` : `${controller.kind} ${controller.name}`;
    return `${what} is owned by ${other}, not by ${mine}: ${fix}`;
  }
  const wantsOwnership = (desired.metadata.ownerReferences ?? []).length > 0;
  if (wantsOwnership) return `${what} exists and is not owned by ${mine} (made by hand or another tool): ${fix}`;
  const label = live.metadata?.labels?.[LABEL_RELEASE];
  if (label !== undefined && label !== release.metadata.name) return `${what} is managed by ModelRelease ${ns}/${label}, not by ${mine}: ${fix}`;
  return undefined;
}
