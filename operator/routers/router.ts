/**
 * TrafficRouter: how a weight reaches live traffic (after Flagger's pkg/router/router.go).
 * One file per implementation (replicas.ts, gateway-api.ts); factory.ts picks one by name.
 * Routers are pure: they turn a desired split into pod counts and routing objects; the reconciler applies them.
 */
import type { ResolvedRelease } from '../planner/resolved-spec.js';
import type { Weights } from '../planner/types.js';
import type { KubeObject } from '../desired/kube-object.js';
import type { OwnedKind } from '../desired/owned-kind.js';

export type RouterName = 'replicas' | 'gatewayAPI';

/** Where a release is in its rollout, as far as pod counts are concerned. */
export type Stage = 'idle' | 'staging' | 'canary' | 'promoting' | 'rollback';

export interface ReadyPods {
  stable: number;
  candidate: number;
  /** Ready pods of the previous track (absent: none). */
  previous?: number;
}

export interface ScaleInput {
  /** spec.serving.replicas: pods of a track at full weight. */
  total: number;
  /** What the planner wants before routing: each track 0 or total. */
  planned: { stable: number; candidate: number };
  weights: Weights;
  stage: Stage;
  ready: ReadyPods;
}

export interface TrafficRouter {
  readonly name: RouterName;
  /**
   * The kinds routingObjects() returns besides Deployments and Services (desired/), each with how to
   * compare it: the operator watches, applies and is granted (chart RBAC) exactly these.
   */
  readonly ownedKinds: readonly OwnedKind[];
  /** Pods per track that carry `weights` (a weight-based router returns `planned` unchanged). */
  scale(input: ScaleInput): { stable: number; candidate: number };
  /** The routing objects (Services, HTTPRoute) that put `weights` in force, given what is ready now. */
  routingObjects(release: ResolvedRelease, weights: Weights, ready: ReadyPods): KubeObject[];
  /** The split live traffic gets now, from the routing objects in the cluster and the ready pods; undefined when the objects do not exist. */
  observedWeights(objects: KubeObject[], release: ResolvedRelease, ready: ReadyPods): Weights | undefined;
}
