/**
 * Fast restore: the previous stable model back in production with no staging and no canary steps
 * (a bake that failed, spec.model changed back to it, or `tern undo`). While its pods are still warm on
 * the previous track, all live traffic moves there at once and the stable track is rebuilt behind it;
 * otherwise the stable track rolls back to it and serves as soon as its pods are ready.
 */
import { durationMs } from '../api/duration.js';
import type { ModelRef } from '../api/model-release-schema.js';
import { describeModel, isServingChange, runs } from './models.js';
import type { Pass } from './pass.js';
import { checkRecord } from './record.js';
import type { ObservedTrack } from './types.js';

/** Whether a Deployment runs `model` (artifact and serving config) on exactly `replicas` ready pods and no pod of an older template is left. */
export function trackSettled(track: ObservedTrack | undefined, model: ModelRef, replicas: number): boolean {
  if (!track || !runs(track, model) || track.observedGeneration < track.generation) return false;
  const oldPodsLeft = track.pods !== undefined && track.pods > track.updatedReplicas;
  return !oldPodsLeft && track.updatedReplicas >= replicas && track.readyReplicas >= replicas;
}

/** Whether the previous track has a ready pod of `model` (what makes a restore instant). */
export function previousWarm(pass: Pass, model: ModelRef): boolean {
  const previous = pass.input.observed.previous;
  return previous !== undefined && runs(previous, model) && previous.readyReplicas >= 1 && previous.observedGeneration >= previous.generation;
}

/**
 * Whether the previous track still has a ready pod of `model` during a restore. No generation check here:
 * the restore scales that track up (a new generation) without changing its template, and its ready pods
 * must keep the traffic while the Deployment controller catches up.
 */
export function previousServing(pass: Pass, model: ModelRef): boolean {
  const previous = pass.input.observed.previous;
  return previous !== undefined && runs(previous, model) && previous.readyReplicas >= 1;
}

/**
 * Make status.previousStable the stable model again. The bad model gets a RolledBack history entry
 * (`reason`; `failedCheck` when analysis caught it); the caller sets the phase, events and conditions.
 * Returns the model that lost its place, or undefined when there is nothing to restore.
 */
export function startRestore(pass: Pass, reason: string, historyReason: string): ModelRef | undefined {
  const st = pass.status;
  const bad = st.stable;
  const good = st.previousStable;
  if (!bad || !good) return undefined;
  const failed = st.analysis?.find((c) => c.name === reason && c.outcome === 'Failed');
  pass.history({
    version: bad.version, outcome: 'RolledBack', startedAt: bad.since ?? pass.nowIso, reason: historyReason,
    ...(bad.change ? { change: bad.change } : {}),
    ...(failed ? { failedCheck: checkRecord(failed) } : {}),
  });
  const warm = previousWarm(pass, good);
  st.stable = { ...good, since: pass.nowIso };
  delete st.previousStable;
  delete st.bake;
  st.restore = { from: bad.version, reason, since: pass.nowIso, warm, ...(warm ? { trafficMovedAt: pass.nowIso } : {}) };
  pass.outcome({ outcome: 'RolledBack', reason });
  return bad;
}

/** A restore in progress: done once the stable track runs the restored model on every pod. */
export function planRestore(pass: Pass): void {
  const st = pass.status;
  const restore = st.restore;
  const stable = st.stable;
  if (!restore || !stable) return;
  const total = pass.spec.serving.replicas;
  const observed = pass.input.observed.stable;
  if (!trackSettled(observed, stable, total)) {
    if (!restore.trafficMovedAt && restore.warm && previousServing(pass, stable)) restore.trafficMovedAt = pass.nowIso;
    pass.wakeIn(durationMs(pass.spec.rollout.analysis.interval));
    return;
  }
  st.lastRestore = {
    from: restore.from, to: stable.version, reason: restore.reason, startedAt: restore.since,
    trafficMovedAt: restore.trafficMovedAt ?? pass.nowIso, finishedAt: pass.nowIso,
  };
  delete st.restore;
  pass.event('Normal', 'RestoreFinished', `${stable.version} runs on every stable pod again (restored from ${restore.from}, ${restore.reason})`);
}

/** spec.model changed back to status.previousStable (the runbook's "change `active` back and commit"). */
export function restoreFromSpec(pass: Pass): void {
  const st = pass.status;
  const bad = startRestore(pass, 'GitOpsRevert', 'GitOpsRevert');
  if (!bad || !st.stable) return;
  delete st.candidate;
  pass.resetStep();
  const how = st.restore?.warm ? 'its warm pods took all traffic at once' : 'its pods serve as soon as they are ready';
  const what = isServingChange(bad) ? `spec.serving was changed back (undoing ${bad.change})` : `spec.model was changed back to ${st.stable.version}`;
  const message = `${what}: restored from ${bad.version} with no staging or canary steps (${how}).`;
  pass.enter('Healthy', `${describeModel(st.stable)} serves 100% of live traffic; ${message}`);
  pass.event('Normal', 'GitOpsRevert', message);
  pass.condition({ type: 'Degraded', status: 'False', reason: 'GitOpsRevert', message });
}

/** `tern undo`: the same restore without Git; spec.model still names the undone model until Git follows. */
export function undo(pass: Pass): void {
  const st = pass.status;
  const bad = startRestore(pass, 'Undo', 'Undo');
  if (!bad || !st.stable) return;
  st.candidate = { ...bad };
  pass.resetStep();
  const message = `${bad.version} was undone by \`tern undo\`; ${st.stable.version} is stable again. Change spec.model to ${st.stable.version} in Git so that the spec says so too.`;
  pass.enter('RolledBack', message);
  pass.event('Warning', 'Undo', message);
  pass.condition({ type: 'Degraded', status: 'True', reason: 'Undo', message });
}
