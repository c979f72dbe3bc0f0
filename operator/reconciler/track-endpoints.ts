/**
 * The ready pods of a release's track (IP and port), for the pods metrics provider and golden queries.
 * Read from the API by label (a list, never a write).
 */
import type { ModelRelease } from '../api/model-release-schema.js';
import type { TrackEndpoint } from '../analysis/pods.js';
import type { Track } from '../analysis/types.js';
import { LABEL_RELEASE, LABEL_TRACK } from '../desired/labels.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { PODS } from '../runtime/resources.js';

import type { KubernetesObject } from '@kubernetes/client-node';

/** A Pod as JSON (timestamps stay strings). */
interface PodLike extends KubernetesObject {
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}

/** The Ready pods of `track`, with the serving port of the release. */
export async function listTrackEndpoints(client: KubeClient, release: ModelRelease, track: Track): Promise<TrackEndpoint[]> {
  const namespace = release.metadata.namespace ?? 'default';
  const port = release.spec.serving?.port ?? 8080;
  const { items } = await client.list<PodLike>(PODS, {
    namespace,
    labelSelector: `${LABEL_RELEASE}=${release.metadata.name},${LABEL_TRACK}=${track}`,
  });
  return items
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => ({ podName: p.metadata?.name ?? '', ip: p.status?.podIP ?? '', port }));
}
