/**
 * The planner's contract: what one reconcile pass observed (input) and what it wants (output).
 * The planner is pure: the same input always gives the same output, and time comes in as `now`.
 */
import type { Command } from '../api/command-annotation.js';
import type { CheckResult, ModelRef, ModelReleaseStatus } from '../api/model-release-schema.js';
import type { Assess } from '../analysis/types.js';
import type { ResolvedRelease } from '../model/resolved-spec.js';
import type { Weights } from '../model/traffic.js';

/** What the cluster says about one track's Deployment (absent when the Deployment does not exist). */
export interface ObservedTrack {
  /** spec.replicas of the Deployment. */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  /** metadata.generation and status.observedGeneration: equal once the Deployment controller has seen the latest spec. */
  generation: number;
  observedGeneration: number;
  /** The model version the pod template runs (label serving.tern.dev/version). */
  version?: string;
  /** What the template runs, model and pod serving config (annotation serving.tern.dev/revision; absent on Deployments written before it existed). */
  revision?: string;
  /** status.replicas: non-terminated pods of every revision (old ones too while a template rolls). */
  pods?: number;
}

/** Manual commands (`tern promote|abort|...`): defined with their annotations in operator/api (see commands.ts). */
export type { Command, CommandName } from '../api/command-annotation.js';

/** The outcome of the staging golden queries, run by the reconciler against the candidate track. */
export interface GoldenResult {
  outcome: 'Successful' | 'Failed' | 'Error';
  message: string;
}

/**
 * Why a candidate pod is not ready, as the reconciler read it: the scheduler's PodScheduled condition, a
 * container's waiting state, or tern-server's own /readyz reason (e.g. `Sha256Mismatch: ...`).
 */
export interface PodProblem {
  pod: string;
  /** CamelCase: Unschedulable, CrashLoopBackOff, Sha256Mismatch, NotFound, NotOnnx, LoadFailed, NotReady, ... */
  reason: string;
  /** The sentence that came with it (scheduler message, container message, /readyz reason). */
  message: string;
  /** The pod says it will not recover on its own (tern-server's /readyz phase `failed`). */
  permanent: boolean;
  /** Container restarts of the pod (a crashed candidate; absent or 0 when none). */
  restarts?: number;
}

export interface PlanInput {
  /** The release with spec defaults applied; its status is the state carried between passes. */
  release: ResolvedRelease;
  /** previous: the track that keeps the previous stable model warm during a bake and serves a fast restore. */
  observed: { stable?: ObservedTrack; candidate?: ObservedTrack; previous?: ObservedTrack };
  /** Why candidate pods are not ready or restarted, read in Staging (while not ready) and Canary (absent otherwise). */
  candidateProblems?: PodProblem[];
  /** Fresh measurements taken this pass (absent when none was due). */
  measurements?: CheckResult[];
  /** Golden query outcome, when the reconciler ran them this pass. */
  golden?: GoldenResult;
  /** The pending command from the release's annotations, if any (handled once per nonce). */
  command?: Command;
  /**
   * false when the cluster's CRD is older than the operator and prunes status.*.serving: then serving
   * configs are not adopted into status (each write would be pruned and redone) and spec.serving applies
   * directly, as before serving changes were releases. Default true.
   */
  servingInStatus?: boolean;
  now: Date;
}

/** One track as the planner wants it: the model its pods run and how many pods. */
export interface DesiredTrack {
  model: ModelRef;
  replicas: number;
}

export interface Desired {
  /** Absent when there is nothing to serve yet (a first release that failed before pods existed). */
  stable?: DesiredTrack;
  /** Absent when no candidate Deployment is needed (first release, or none ever existed). */
  candidate?: DesiredTrack;
  /** Absent when no previous-track Deployment is needed (no bake or fast restore ever ran). */
  previous?: DesiredTrack;
  weights: Weights;
}

export interface PlanEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. StepAdvanced, RolledBack. */
  reason: string;
  /** A sentence for a person. */
  note: string;
}

/** A finished rollout, for the operator's tern_rollouts_total / tern_rollbacks_total metrics. */
export interface RolloutOutcome {
  outcome: 'Promoted' | 'RolledBack' | 'Failed' | 'Superseded';
  /** For rollbacks: the check name, Manual, GitOpsRevert, StagingGate, ... */
  reason?: string;
}

export interface PlanResult {
  desired: Desired;
  /** The complete new status (written through /status only when it differs from the old one). */
  status: ModelReleaseStatus;
  events: PlanEvent[];
  outcomes: RolloutOutcome[];
  /** Checks that raised a production alarm in this pass, for tern_production_alarms_total{check}. */
  alarms: string[];
  /** When the next pass is needed even if nothing changes in the cluster (undefined: only on change). */
  requeueAfterMs?: number;
}

/** The analysis judge the planner calls (operator/analysis's assess, injected to keep this module's imports pure). */
export type Judge = Assess;
