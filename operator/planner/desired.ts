/**
 * What the cluster should run, derived from the new status alone (plus ready pod counts for the
 * replicas router, whose scaling comes injected as `pass.scale`). Because weights come from status and never from what the routes say now, a
 * restarted operator puts back exactly the weights it left: no flap.
 */
import type { ModelRef } from '../api/model-release-schema.js';
import type { Stage, Weights } from '../model/traffic.js';
import { durationMs } from '../api/duration.js';
import { BAKE_WARM_REPLICAS } from './bake.js';
import { runs } from './models.js';
import type { Pass } from './pass.js';
import { previousServing, previousWarm, trackSettled } from './restore.js';
import type { Desired, DesiredTrack, ObservedTrack } from './types.js';

/** How long candidate pods keep running after a rollback took their traffic, so in-flight requests finish. */
export const ROLLBACK_SCALE_DOWN_DELAY_MS = 5_000;

/** Whether a Deployment runs `model` (artifact and serving config) with at least `replicas` updated, ready pods of its latest spec. */
export function trackReady(track: ObservedTrack | undefined, model: ModelRef, replicas: number): boolean {
  if (!track) return false;
  return (
    runs(track, model) &&
    track.observedGeneration >= track.generation &&
    track.updatedReplicas >= replicas &&
    track.readyReplicas >= replicas
  );
}

/** The weights status puts in force. */
export function weightsOf(pass: Pass): Weights {
  const st = pass.status;
  const live = st.phase === 'Canary' || st.phase === 'Paused' || st.phase === 'Promoting';
  const candidate = live ? (st.canaryWeight ?? 0) : 0;
  const mirror = live ? (st.mirrorPercent ?? 0) : 0;
  return { stable: 100 - candidate, candidate, mirror };
}

function stageOf(pass: Pass): Stage {
  switch (pass.status.phase) {
    case 'Staging':
      return pass.status.stable ? 'staging' : 'idle';
    case 'Canary':
    case 'Paused':
      return (pass.status.canaryWeight ?? 0) > 0 ? 'canary' : 'staging';
    case 'Promoting':
      return 'promoting';
    case 'RolledBack':
      return 'rollback';
    default:
      return 'idle';
  }
}

/** Pods and weights for every track, from the pass's (new) status. */
export function desiredOf(pass: Pass): Desired {
  const st = pass.status;
  const { spec } = pass;
  const observed = pass.input.observed;
  const total = spec.serving.replicas;
  const weights = weightsOf(pass);
  const stage = stageOf(pass);

  // The stable track: status.stable; during Promoting the candidate's model; a first release runs its
  // candidate there (scaled to 0 once it failed).
  let stableModel: ModelRef | undefined = st.stable;
  let stableReplicas = total;
  // Promoting re-templates the stable track only once the model it replaces is warm on the previous track
  // (or the progress deadline passed): a failure during promotion always has ready known-good pods.
  // Once re-templated it stays so (no flip back if the fallback pod goes away).
  const stableRunsCandidate = st.candidate !== undefined && runs(observed.stable, st.candidate);
  if (st.phase === 'Promoting' && st.candidate && (!st.stable || stableRunsCandidate || previousWarm(pass, st.stable) || promotionOverdue(pass))) stableModel = st.candidate;
  if (!st.stable && st.candidate) {
    stableModel = st.candidate;
    if (st.phase === 'Failed') stableReplicas = 0;
  }

  // The candidate track (only once a stable exists).
  let candidateModel: ModelRef | undefined;
  let candidateReplicas = 0;
  if (st.stable) {
    const inFlight = st.phase === 'Staging' || st.phase === 'Canary' || st.phase === 'Paused' || st.phase === 'Promoting';
    if (inFlight && st.candidate) {
      candidateModel = st.candidate;
      candidateReplicas = total;
    } else if (observed.candidate) {
      candidateModel = st.candidate ?? st.stable;
      const draining = st.phase === 'RolledBack' && pass.since(st.phaseSince) < ROLLBACK_SCALE_DOWN_DELAY_MS;
      candidateReplicas = draining ? Math.min(observed.candidate.replicas, total) : 0;
      if (draining) pass.wakeIn(ROLLBACK_SCALE_DOWN_DELAY_MS - pass.since(st.phaseSince));
    }
  }

  const previous = previousTrack(pass);
  // A warm restore: all live traffic on the restored model's warm pods until the stable track runs it again.
  const restore = st.restore;
  if (restore?.warm && st.stable && previousServing(pass, st.stable) && !trackSettled(observed.stable, st.stable, total)) {
    weights.stable = 0;
    weights.candidate = 0;
    weights.mirror = 0;
    weights.previous = 100;
  }

  const ready = { stable: observed.stable?.readyReplicas ?? 0, candidate: observed.candidate?.readyReplicas ?? 0 };
  const scaled = pass.scale({
    total,
    planned: { stable: stableModel ? stableReplicas : 0, candidate: candidateModel ? candidateReplicas : 0 },
    weights,
    stage,
    ready,
  });
  return {
    ...(stableModel ? { stable: { model: stableModel, replicas: scaled.stable } } : {}),
    ...(candidateModel ? { candidate: { model: candidateModel, replicas: scaled.candidate } } : {}),
    ...(previous ? { previous } : {}),
    weights,
  };
}

/**
 * Whether the stable track may have no ready pod of the stable model while a candidate is in flight: at a
 * 100 % step (the replicas router scales stable to 0) and during promotion (stable is re-templated). The
 * previous track then keeps the stable model warm, so a failure always has ready known-good pods.
 */
function fallbackNeeded(pass: Pass): boolean {
  const st = pass.status;
  if (st.phase === 'Promoting') return true;
  return (st.phase === 'Canary' || st.phase === 'Paused') && (st.canaryWeight ?? 0) >= 100;
}

/** Whether Promoting has waited longer than the progress deadline for the previous track to be warm. */
export function promotionOverdue(pass: Pass): boolean {
  return pass.since(pass.status.phaseSince) > durationMs(pass.spec.rollout.analysis.progressDeadline);
}

/**
 * The previous track: at a 100 % step, during Promoting and the bake it keeps the model being replaced warm;
 * during a warm restore it runs the restored model at full size; otherwise it is scaled to 0 once it exists.
 */
function previousTrack(pass: Pass): DesiredTrack | undefined {
  const st = pass.status;
  const total = pass.spec.serving.replicas;
  if (st.restore?.warm && st.stable) return { model: st.stable, replicas: total };
  if (st.stable && fallbackNeeded(pass)) return { model: st.stable, replicas: BAKE_WARM_REPLICAS };
  if (st.bake && st.previousStable) return { model: st.previousStable, replicas: st.bake.warmReplicas };
  if (!pass.input.observed.previous) return undefined;
  const model = st.previousStable ?? st.stable;
  return model ? { model, replicas: 0 } : undefined;
}
