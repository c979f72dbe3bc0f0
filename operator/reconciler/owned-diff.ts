/**
 * Whether applying a desired object would change anything, on top of runtime/apply-diff's subset test.
 * A subset test cannot see a field the operator stops sending; two such fields matter to routing and
 * are compared exactly: a Service's selector (the replicas router drops the track label) and an
 * HTTPRoute's weights and mirror filter (the shadow step's RequestMirror goes away).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../desired/kube-object.js';
import { appliedFieldsMatch } from '../runtime/apply-diff.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import { routeWeights } from '../routers/gateway-api.js';

type Json = Record<string, unknown>;

/** True when `live` already carries everything `desired` says. */
export function ownedFieldsMatch(desired: KubeObject, live: Json | undefined, release: ResolvedRelease): boolean {
  if (!live || !appliedFieldsMatch(desired as unknown as Json, live)) return false;
  const liveSpec = (live['spec'] ?? {}) as Json;
  if (desired.kind === 'Service') return isDeepStrictEqual(desired.spec?.['selector'], liveSpec['selector']);
  if (desired.kind === 'HTTPRoute') {
    const liveRules = (liveSpec['rules'] ?? []) as { filters?: unknown[] }[];
    const desiredRules = (desired.spec?.['rules'] ?? []) as { filters?: unknown[] }[];
    const filtersMatch = (liveRules[0]?.filters?.length ?? 0) === (desiredRules[0]?.filters?.length ?? 0);
    return filtersMatch && isDeepStrictEqual(routeWeights(desired, release), routeWeights(live as unknown as KubeObject, release));
  }
  return true;
}
