/**
 * The one map of the kinds a release owns: kind -> its API resource, informer selector and comparison
 * (desired/owned-kind.ts). Deployments and Services come from desired/; every router adds the kinds its
 * routing objects use. The reconciler applies through it, operator.ts starts one informer per entry, the
 * fixture tests cache by it and the chart test checks the RBAC against it: a new kind is declared once,
 * beside the code that builds it.
 */
import { DEPLOYMENT_KIND } from '../desired/deployment.js';
import type { KubeObject } from '../desired/kube-object.js';
import type { OwnedKind } from '../desired/owned-kind.js';
import { SERVICE_KIND } from '../desired/service.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import { allRouters } from '../routers/factory.js';
import { appliedFieldsMatch } from '../runtime/apply-diff.js';
import type { ResourceType } from '../runtime/resources.js';

/** The declarations by kind; one kind declared twice (two different declarations) is a programming error. */
export function gatherOwnedKinds(kinds: readonly OwnedKind[]): ReadonlyMap<string, OwnedKind> {
  const map = new Map<string, OwnedKind>();
  for (const k of kinds) {
    const seen = map.get(k.kind);
    if (seen && seen !== k) throw new Error(`owned kind ${k.kind} is declared twice: declare it once and share it`);
    map.set(k.kind, k);
  }
  return map;
}

/** Every kind the operator applies, by `kind`. */
export const OWNED_KINDS: ReadonlyMap<string, OwnedKind> = gatherOwnedKinds([DEPLOYMENT_KIND, SERVICE_KIND, ...allRouters().flatMap((r) => r.ownedKinds)]);

/** The declaration of `kind`; throws for a kind nothing declares (a builder returned something new). */
export function ownedKind(kind: string): OwnedKind {
  const found = OWNED_KINDS.get(kind);
  if (!found) throw new Error(`${kind} is not an owned kind: declare it (desired/owned-kind.ts) in its router's ownedKinds`);
  return found;
}

/** The API resource to apply a desired object through. */
export function resourceOf(obj: KubeObject): ResourceType {
  return ownedKind(obj.kind).resource;
}

/**
 * True when `live` already carries everything `desired` says: the subset test on both as the kind makes
 * them comparable (quantities by value), then the kind's own comparison.
 */
export function ownedFieldsMatch(desired: KubeObject, live: Record<string, unknown> | undefined, release: ResolvedRelease): boolean {
  if (!live) return false;
  const kind = ownedKind(desired.kind);
  const comparable = kind.comparable ?? ((o: KubeObject) => o);
  if (!appliedFieldsMatch(comparable(desired) as unknown as Record<string, unknown>, comparable(live as unknown as KubeObject) as unknown as Record<string, unknown>)) return false;
  return kind.sameOwnedFields?.(desired, live as unknown as KubeObject, release) ?? true;
}
