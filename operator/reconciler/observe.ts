/**
 * Reading the owned objects back: a Deployment becomes the planner's ObservedTrack.
 */
import { LABEL_VERSION } from '../desired/labels.js';
import { ANNOTATION_REVISION } from '../model/pod-serving.js';
import type { ObservedTrack } from '../planner/types.js';

/** The fields of an apps/v1 Deployment the operator reads. */
export interface DeploymentLike {
  metadata?: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

/** The planner's view of a Deployment (undefined stays undefined). */
export function observeDeployment(d: DeploymentLike | undefined): ObservedTrack | undefined {
  if (!d) return undefined;
  const version = d.spec?.template?.metadata?.labels?.[LABEL_VERSION];
  const revision = d.metadata?.annotations?.[ANNOTATION_REVISION];
  return {
    replicas: d.spec?.replicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    pods: d.status?.replicas ?? 0,
    ...(version ? { version } : {}),
    ...(revision ? { revision } : {}),
  };
}
