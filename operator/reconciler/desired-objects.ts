/**
 * Turns the planner's Desired into the Kubernetes objects to apply, in a safe order: Deployments that
 * grow first (new pods start before traffic moves to them), then the routing objects, then Deployments
 * that shrink (pods go only after traffic has left them).
 *
 * Each track's Service comes with its Deployment: a release that never had a candidate has no
 * `<release>-canary` Service (unless its router needs one, as gatewayAPI's HTTPRoute does). A Service
 * costs the cluster a ClusterIP, an EndpointSlice and their upkeep, which adds up over many releases.
 */
import { buildDeployment } from '../desired/deployment.js';
import { buildTrackService } from '../desired/service.js';
import type { KubeObject } from '../desired/kube-object.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { Desired } from '../planner/types.js';
import { routerFor } from '../routers/factory.js';
import type { ReadyPods } from '../model/traffic.js';
/**
 * The objects for `desired` in three waves to apply one after the other (growing Deployments, routing
 * objects, shrinking Deployments); the objects of one wave are independent and may be applied at once.
 * `liveReplicas` are the Deployments' current spec.replicas.
 */
export function desiredObjects(
  release: ResolvedRelease,
  desired: Desired,
  ready: ReadyPods,
  liveReplicas: { stable?: number; candidate?: number; previous?: number },
): KubeObject[][] {
  const grow: KubeObject[] = [];
  const shrink: KubeObject[] = [];
  const trackServices: KubeObject[] = [];
  const tracks = [
    ['stable', desired.stable, liveReplicas.stable],
    ['canary', desired.candidate, liveReplicas.candidate],
    ['previous', desired.previous, liveReplicas.previous],
  ] as const;
  for (const [track, want, live] of tracks) {
    if (!want) continue;
    const deployment = buildDeployment(release, track, want.model, want.replicas);
    (live !== undefined && want.replicas < live ? shrink : grow).push(deployment);
    trackServices.push(buildTrackService(release, track));
  }
  const routing = routerFor(release.spec.traffic.router).routingObjects(release, desired.weights, ready);
  const named = new Set(routing.map((o) => `${o.kind}/${o.metadata.name}`));
  routing.push(...trackServices.filter((o) => !named.has(`${o.kind}/${o.metadata.name}`)));
  return [grow, routing, shrink].filter((wave) => wave.length > 0);
}
