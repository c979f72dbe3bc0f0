/**
 * Services of a release: `<release>` (what clients call; its selector is the replicas router's lever)
 * and `<release>-stable` / `<release>-canary` (one track each, created with the track's Deployment; HTTPRoute
 * backends use them, and people reach one track through them).
 */
import type { ResolvedRelease } from '../model/resolved-spec.js';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from './kube-object.js';
import { MANAGED_SELECTOR, type OwnedKind } from './owned-kind.js';
import { SERVICES } from '../runtime/resources.js';
import { ownerReference, releaseLabels, trackObjectName, trackSelector, type TrackName } from './labels.js';

/** The name of the Service clients call: spec.traffic.serviceName or the release name. */
export function releaseServiceName(release: ResolvedRelease): string {
  return release.spec.traffic.serviceName ?? release.metadata.name;
}

function service(release: ResolvedRelease, name: string, selector: Record<string, string>, extraLabels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: release.metadata.namespace ?? 'default',
      labels: { ...releaseLabels(release.metadata.name), ...extraLabels },
      ownerReferences: [ownerReference(release)],
    },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** The release Service with the given pod selector (the router decides it). */
export function buildReleaseService(release: ResolvedRelease, selector: Record<string, string>): KubeObject {
  return service(release, releaseServiceName(release), selector, {});
}

/** The Service of one track: selects exactly that track's pods. */
export function buildTrackService(release: ResolvedRelease, track: TrackName): KubeObject {
  const name = release.metadata.name;
  return service(release, trackObjectName(name, track), trackSelector(name, track), { 'serving.tern.dev/track': track });
}

/** Services: the selector is compared exactly (the replicas router drops the track label to widen it). */
export const SERVICE_KIND: OwnedKind = {
  kind: 'Service',
  resource: SERVICES,
  labelSelector: MANAGED_SELECTOR,
  sameOwnedFields: (desired, live) => isDeepStrictEqual(desired.spec?.['selector'], live.spec?.['selector']),
};
