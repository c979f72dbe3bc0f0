/**
 * The `gatewayAPI` router: exact weights on an HTTPRoute (gateway.networking.k8s.io/v1) whose one rule
 * sends traffic to the per-track Services `<release>-stable` and `<release>-canary`; a shadow step adds
 * a RequestMirror filter copying `mirror` % of requests to the candidate (responses are dropped).
 *
 * The route is created (named spec.traffic.gatewayAPI.httpRouteName, default the release name) or an
 * existing route of that name is adopted. Server-side apply with the field manager tern-operator sends
 * only the fields below, so labels, annotations, parentRefs and hostnames that others set are kept
 * (parentRefs and hostnames are sent only when the spec gives them). `spec.rules` is an atomic list in
 * the Gateway API schema: Tern owns the rules of the route it manages. An adopted route (httpRouteName
 * set) gets no ownerReference, so deleting the ModelRelease does not delete someone else's route.
 */
import type { ResolvedRelease } from '../model/resolved-spec.js';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../desired/kube-object.js';
import type { OwnedKind } from '../desired/owned-kind.js';
import { HTTP_ROUTES } from '../runtime/resources.js';
import { ownerReference, releaseLabels, trackObjectName } from '../desired/labels.js';
import { buildReleaseService, buildTrackService } from '../desired/service.js';
import { LABEL_RELEASE, LABEL_TRACK } from '../desired/labels.js';
import type { ReadyPods, Weights } from '../model/traffic.js';
import type { TrafficRouter } from './router.js';

export const HTTPROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';
const SERVICE_PORT = 80;

/** The HTTPRoute's name for `release`. */
export function httpRouteName(release: ResolvedRelease): string {
  return release.spec.traffic.gatewayAPI?.httpRouteName ?? release.metadata.name;
}

interface BackendRef {
  name: string;
  port?: number;
  weight?: number;
  kind?: string;
  group?: string;
}

/** The HTTPRoute carrying `weights`. */
export function buildHttpRoute(release: ResolvedRelease, weights: Weights): KubeObject {
  const name = release.metadata.name;
  const gw = release.spec.traffic.gatewayAPI;
  const canaryService = trackObjectName(name, 'canary');
  const backendRefs: BackendRef[] = [
    { name: trackObjectName(name, 'stable'), port: SERVICE_PORT, weight: weights.stable },
    { name: canaryService, port: SERVICE_PORT, weight: weights.candidate },
  ];
  // A warm restore: the previous track's Service takes the traffic (only then is it named).
  if ((weights.previous ?? 0) > 0) backendRefs.push({ name: trackObjectName(name, 'previous'), port: SERVICE_PORT, weight: weights.previous ?? 0 });
  const rule: Record<string, unknown> = { backendRefs };
  if (weights.mirror > 0) {
    const requestMirror: Record<string, unknown> = { backendRef: { name: canaryService, port: SERVICE_PORT } };
    if (weights.mirror < 100) requestMirror.percent = weights.mirror;
    rule.filters = [{ type: 'RequestMirror', requestMirror }];
  }
  const adopted = gw?.httpRouteName !== undefined;
  return {
    apiVersion: HTTPROUTE_API_VERSION,
    kind: 'HTTPRoute',
    metadata: {
      name: httpRouteName(release),
      namespace: release.metadata.namespace ?? 'default',
      labels: releaseLabels(name),
      ...(adopted ? {} : { ownerReferences: [ownerReference(release)] }),
    },
    spec: {
      ...(gw?.parentRefs ? { parentRefs: gw.parentRefs } : {}),
      ...(gw?.hostnames ? { hostnames: gw.hostnames } : {}),
      rules: [rule],
    },
  };
}

/** The weights an HTTPRoute carries (first rule), or undefined when it has no Tern backends. */
export function routeWeights(route: KubeObject, release: ResolvedRelease): Weights | undefined {
  const name = release.metadata.name;
  const rules = (route.spec?.rules ?? []) as { backendRefs?: BackendRef[]; filters?: { type: string; requestMirror?: { percent?: number } }[] }[];
  const rule = rules[0];
  if (!rule) return undefined;
  const weightOf = (service: string) => {
    const ref = (rule.backendRefs ?? []).find((b) => b.name === service);
    return ref === undefined ? undefined : (ref.weight ?? 1);
  };
  const stable = weightOf(trackObjectName(name, 'stable'));
  const candidate = weightOf(trackObjectName(name, 'canary'));
  if (stable === undefined && candidate === undefined) return undefined;
  const previous = weightOf(trackObjectName(name, 'previous')) ?? 0;
  if (previous > 0 && (stable ?? 0) + (candidate ?? 0) === 0) return { stable: 0, candidate: 0, mirror: 0, previous: 100 };
  const mirrorFilter = (rule.filters ?? []).find((f) => f.type === 'RequestMirror');
  const mirror = mirrorFilter ? (mirrorFilter.requestMirror?.percent ?? 100) : 0;
  const sum = (stable ?? 0) + (candidate ?? 0);
  const candidatePercent = sum === 0 ? 0 : Math.round(((candidate ?? 0) / sum) * 100);
  return { stable: 100 - candidatePercent, candidate: candidatePercent, mirror };
}

/**
 * HTTPRoutes: cached by the release label (an adopted route has it once applied). Its weights and mirror
 * filter are compared exactly: the subset test cannot see a backend or a RequestMirror filter that went away.
 */
export const HTTP_ROUTE_KIND: OwnedKind = {
  kind: 'HTTPRoute',
  resource: HTTP_ROUTES,
  labelSelector: LABEL_RELEASE,
  optional: true,
  applyErrorHint: 'router gatewayAPI needs the Gateway API CRDs installed',
  sameOwnedFields(desired, live, release) {
    const liveRules = (live.spec?.['rules'] ?? []) as { filters?: unknown[] }[];
    const desiredRules = (desired.spec?.['rules'] ?? []) as { filters?: unknown[] }[];
    const filtersMatch = (liveRules[0]?.filters?.length ?? 0) === (desiredRules[0]?.filters?.length ?? 0);
    return filtersMatch && isDeepStrictEqual(routeWeights(desired, release), routeWeights(live, release));
  },
};

export const gatewayApiRouter: TrafficRouter = {
  name: 'gatewayAPI',
  ownedKinds: [HTTP_ROUTE_KIND],

  // Weights are exact on the route: each track keeps the pods the planner asks for.
  scale({ planned }) {
    return planned;
  },

  routingObjects(release: ResolvedRelease, weights: Weights, _ready: ReadyPods): KubeObject[] {
    const name = release.metadata.name;
    // The release Service (for in-cluster callers that bypass the gateway) serves the stable track (the
    // previous track during a warm restore). The
    // route names both track Services, so both exist even before a release has a candidate.
    const releaseService = buildReleaseService(release, { [LABEL_RELEASE]: name, [LABEL_TRACK]: (weights.previous ?? 0) > 0 ? 'previous' : 'stable' });
    return [releaseService, buildTrackService(release, 'stable'), buildTrackService(release, 'canary'), buildHttpRoute(release, weights)];
  },
};
