/**
 * The bake: after a promotion the new stable model stays under analysis for spec.rollout.bakeTime
 * (the same checks, providers and outcomes as a canary step, measured on the stable track) while the
 * previous model is kept warm on the previous track (BAKE_WARM_REPLICAS pods, no traffic). A Fail moves
 * all traffic back to the previous model at once (restore.ts); a clean end scales the previous model to 0.
 */
import { durationMs } from '../api/duration.js';
import type { ModelRef } from '../api/model-release-schema.js';
import type { Pass } from './pass.js';
import { startRestore } from './restore.js';

/** Pods of the previous model kept ready during promotion and the bake: enough to take all traffic at once, at the least cost. */
export const BAKE_WARM_REPLICAS = 1;

/** Whether spec.rollout.bakeTime asks for a bake ("0s" turns it off). */
export function bakeEnabled(pass: Pass): boolean {
  return durationMs(pass.spec.rollout.bakeTime) > 0;
}

/** Called by the promotion once `previous` gave its place to status.stable: start the bake (if on). */
export function startBake(pass: Pass, previous: ModelRef | undefined): void {
  const st = pass.status;
  if (!previous) {
    delete st.previousStable;
    delete st.bake;
    return;
  }
  st.previousStable = { ...previous };
  if (!bakeEnabled(pass)) {
    delete st.bake;
    return;
  }
  const bakeMs = durationMs(pass.spec.rollout.bakeTime);
  st.bake = { since: pass.nowIso, until: new Date(pass.now.getTime() + bakeMs).toISOString(), warmReplicas: BAKE_WARM_REPLICAS };
  st.analysis = [];
  delete st.lastVerdict;
  pass.event('Normal', 'BakeStarted', `${st.stable?.version ?? ''} is analysed for ${pass.spec.rollout.bakeTime}; ${previous.version} stays warm (${BAKE_WARM_REPLICAS} pod) for an instant rollback`);
}

/** End the bake without a rollback (clean end, or a new release starts): the previous model goes to 0. */
export function endBake(pass: Pass, why: 'clean' | 'superseded'): void {
  const st = pass.status;
  if (!st.bake) return;
  const previous = st.previousStable?.version ?? 'the previous model';
  const version = st.stable?.version ?? '';
  delete st.bake;
  if (why === 'superseded') {
    pass.event('Normal', 'BakeEnded', `the bake of ${version} ended early: a new release starts; ${previous} is scaled to 0`);
    return;
  }
  const entry = st.history?.find((h) => h.version === version && h.outcome === 'Promoted');
  if (entry) entry.reason = `baked ${pass.spec.rollout.bakeTime}`;
  pass.event('Normal', 'BakeFinished', `${version} passed its bake of ${pass.spec.rollout.bakeTime}; ${previous} is scaled to 0`);
}

/** A bake in progress (phase Healthy): end it when its time is up and analysis has a verdict. */
export function planBake(pass: Pass): void {
  const st = pass.status;
  const bake = st.bake;
  if (!bake) return;
  const analysis = pass.spec.rollout.analysis;
  pass.wakeIn(durationMs(analysis.interval));
  const left = Date.parse(bake.until) - pass.now.getTime();
  if (left > 0) {
    pass.wakeIn(left);
    return;
  }
  // Like a canary step: time alone does not end it while analysis cannot judge, up to the progress deadline.
  const undecided = st.lastVerdict === 'Hold' || st.lastVerdict === 'Wait';
  if (undecided && -left <= durationMs(analysis.progressDeadline)) return;
  if (undecided) pass.event('Warning', 'BakeInconclusive', `analysis could not judge ${st.stable?.version ?? ''} within the progress deadline ${analysis.progressDeadline} after the bake; ending the bake`);
  endBake(pass, 'clean');
}

/** Analysis failed during the bake: all traffic back to the previous model now, which is stable again. */
export function failBake(pass: Pass, check: string, message: string): void {
  const st = pass.status;
  const bad = startRestore(pass, check, 'BakeFailed');
  if (!bad || !st.stable) return;
  // The failed model stays as the (weight 0) candidate: spec.model still names it, and no release restarts it.
  st.candidate = { ...bad };
  const text = `${bad.version} failed its bake: ${message}`;
  pass.resetStep();
  pass.enter('RolledBack', `${text} ${st.stable.version} serves all traffic again. Change spec.model back to ${st.stable.version} in Git, or fix the model and change spec.model (\`tern retry\` releases ${bad.version} again).`);
  pass.event('Warning', 'RolledBack', `${text}; all traffic is back on ${st.stable.version}`);
  pass.condition({ type: 'Degraded', status: 'True', reason: 'BakeFailed', message: text });
}
