/**
 * The traffic vocabulary the planner, the builders, the routers and the reconciler share: the split of
 * live traffic, where a rollout stands as far as pod counts go, and the scaling a router applies to the
 * planner's pod counts. Types only; the planner gets a router's `scale` injected (plan.ts), as it gets
 * the analysis judge, so it never imports a router.
 */

/**
 * Traffic split: percent of live traffic to the candidate, and percent mirrored to it (shadow).
 * `previous` (0 or 100; absent means 0) puts all live traffic on the previous track during a fast restore.
 */
export interface Weights {
  stable: number;
  candidate: number;
  mirror: number;
  previous?: number;
}

/** Where a release is in its rollout, as far as pod counts are concerned. */
export type Stage = 'idle' | 'staging' | 'canary' | 'promoting' | 'rollback';

export interface ReadyPods {
  stable: number;
  candidate: number;
  /** Ready pods of the previous track (absent: none). */
  previous?: number;
}

/** Pods of the stable and candidate tracks. */
export interface TrackPods {
  stable: number;
  candidate: number;
}

export interface ScaleInput {
  /** spec.serving.replicas: pods of a track at full weight. */
  total: number;
  /** What the planner wants before routing: each track 0 or total. */
  planned: TrackPods;
  weights: Weights;
  stage: Stage;
  ready: ReadyPods;
}

/** Pods per track that carry `weights` (a router's `scale`; a weight-based router returns `planned` unchanged). */
export type Scale = (input: ScaleInput) => TrackPods;
