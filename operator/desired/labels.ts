/**
 * Labels, annotations and names of the objects a ModelRelease owns, exactly as docs/conventions.md
 * lists them (the chart's PodMonitor, Prometheus relabelling and the tests select by these).
 */
import { API_VERSION, KIND } from '../api/model-release-schema.js';
import type { ModelRef } from '../api/model-release-schema.js';
import type { OwnerReference } from './kube-object.js';

export const LABEL_RELEASE = 'serving.tern.dev/release';
export const LABEL_TRACK = 'serving.tern.dev/track';
export const LABEL_VERSION = 'serving.tern.dev/version';
export const LABEL_MODEL = 'serving.tern.dev/model';
export const FIELD_MANAGER = 'tern-operator';
/** Hash of the desired object last applied; equal hash = nothing to apply (a converged release writes nothing). */
export const ANNOTATION_APPLIED_HASH = 'serving.tern.dev/applied-hash';

/** previous: the model replaced by the last promotion, kept warm during its bake and used by a fast restore. */
export type TrackName = 'stable' | 'canary' | 'previous';

/** Labels every object of `release` carries (selectors use a subset). */
export function releaseLabels(release: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tern-server',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/managed-by': 'tern-operator',
    [LABEL_RELEASE]: release,
  };
}

/** Labels of a track's Deployment and pods: the release's plus track, version and model. */
export function trackLabels(release: string, track: TrackName, model: ModelRef): Record<string, string> {
  return {
    ...releaseLabels(release),
    'app.kubernetes.io/version': model.version,
    [LABEL_TRACK]: track,
    [LABEL_VERSION]: model.version,
    [LABEL_MODEL]: model.name,
  };
}

/** Selector of a track's pods (stable across model versions, so a Deployment's selector never changes). */
export function trackSelector(release: string, track: TrackName): Record<string, string> {
  return { [LABEL_RELEASE]: release, [LABEL_TRACK]: track };
}

/** Names: the Deployment and Service of a track are `<release>-<track>`. */
export function trackObjectName(release: string, track: TrackName): string {
  return `${release}-${track}`;
}

/** The ownerReference that makes Kubernetes delete an owned object with its ModelRelease. */
export function ownerReference(release: { metadata: { name: string; uid?: string } }): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: release.metadata.name,
    uid: release.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
