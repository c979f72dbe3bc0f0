/**
 * TrafficRouter: how a weight reaches live traffic (after Flagger's pkg/router/router.go).
 * One file per implementation (replicas.ts, gateway-api.ts); factory.ts picks one by name.
 * Routers are pure: they turn a desired split into pod counts and routing objects; the reconciler applies them.
 */
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { ReadyPods, ScaleInput, TrackPods, Weights } from '../model/traffic.js';
import type { KubeObject } from '../desired/kube-object.js';
import type { OwnedKind } from '../desired/owned-kind.js';

export type RouterName = 'replicas' | 'gatewayAPI';

export interface TrafficRouter {
  readonly name: RouterName;
  /**
   * The kinds routingObjects() returns besides Deployments and Services (desired/), each with how to
   * compare it: the operator watches, applies and is granted (chart RBAC) exactly these.
   */
  readonly ownedKinds: readonly OwnedKind[];
  /** Pods per track that carry `weights` (a weight-based router returns `planned` unchanged); the planner gets it injected. */
  scale(input: ScaleInput): TrackPods;
  /** The routing objects (Services, HTTPRoute) that put `weights` in force, given what is ready now. */
  routingObjects(release: ResolvedRelease, weights: Weights, ready: ReadyPods): KubeObject[];
}
