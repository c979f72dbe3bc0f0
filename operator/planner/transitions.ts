/**
 * The rollout's transitions, each one short and explicit (after Flagger's rollback order):
 * start, step, shadow, promote, finish, roll back, supersede, GitOps revert.
 */
import { endBake, startBake } from './bake.js';
import { failingGates } from './gates.js';
import { describeChange, describeModel, describeRelease, isServingChange, releaseLabel, releaseRef } from './models.js';
import type { Pass } from './pass.js';
import { checkRecord } from './record.js';
import { previousWarm, trackSettled } from './restore.js';

/** Whether this release has no stable model yet (its first release runs on the stable track). */
export function isFirstRelease(pass: Pass): boolean {
  return pass.status.stable === undefined;
}

/** Start releasing spec.model: offline gates first, then Staging. */
export function startRelease(pass: Pass, why: string): void {
  const { spec } = pass;
  const st = pass.status;
  endBake(pass, 'superseded');
  const candidate = releaseRef(spec, pass.nowIso);
  const change = describeChange(st.stable, candidate);
  st.candidate = { ...candidate, ...(change ? { change } : {}) };
  st.analysis = [];
  pass.resetStep();
  delete st.stepRecords; // a new release starts its own record
  const against = st.stable ? ` against stable ${st.stable.version}` : ' (first release)';
  pass.event('Normal', 'RolloutStarted', `${why}: releasing ${describeRelease(st.candidate)}${against}; staging starts`);
  pass.enter('Staging', `Staging ${describeRelease(st.candidate)}: starting the candidate with no live traffic.`);
  const failures = failingGates(spec.model, spec.rollout.staging);
  if (failures.length > 0) {
    const message = `${st.candidate.version} failed the staging gates: ${failures.map((f) => f.message).join('; ')}.`;
    rollBack(pass, { conditionReason: 'StagingGateFailed', metricReason: 'StagingGate', message });
  }
}

export interface RollbackReason {
  /** CamelCase reason of the Degraded condition and the event. */
  conditionReason: string;
  /** tern_rollbacks_total{reason}: the check name, Manual, GitOpsRevert, StagingGate, ... */
  metricReason: string;
  /** A sentence naming what failed (check, value, threshold) and what to do next. */
  message: string;
}

/**
 * Abort the candidate: weight 0 at once (the desired weights follow the phase), candidate pods go
 * after a short delay, stable is never touched. A first release has nothing to fall back to: Failed.
 * No automatic retry: a new spec.model or `tern retry` starts again.
 */
export function rollBack(pass: Pass, why: RollbackReason): void {
  const st = pass.status;
  const version = st.candidate?.version ?? pass.spec.model.version;
  // The check analysis failed on (it is in status.analysis, as the judge returned it).
  const failed = st.analysis?.find((c) => c.name === why.metricReason && c.outcome === 'Failed');
  pass.resetStep();
  pass.history({
    version, outcome: st.stable ? 'RolledBack' : 'Failed', startedAt: st.candidate?.since ?? pass.nowIso, reason: why.conditionReason,
    ...(st.candidate?.change ? { change: st.candidate.change } : {}),
    ...(failed ? { failedCheck: checkRecord(failed) } : {}),
  });
  if (!st.stable) {
    pass.enter('Failed', `${why.message} Nothing is serving: fix the model and change spec.model, or run \`tern retry\`.`);
    pass.outcome({ outcome: 'Failed', reason: why.metricReason });
    pass.event('Warning', 'ReleaseFailed', why.message);
    pass.condition({ type: 'Degraded', status: 'True', reason: why.conditionReason, message: why.message });
    return;
  }
  // At 100 % (replicas router) or during promotion the stable track may have no ready pod of the stable
  // model: traffic goes to its warm pods on the previous track until the stable track runs it again (restore.ts).
  if (previousWarm(pass, st.stable) && !trackSettled(pass.input.observed.stable, st.stable, pass.spec.serving.replicas)) {
    st.restore = { from: version, reason: why.metricReason, since: pass.nowIso, warm: true, trafficMovedAt: pass.nowIso };
  }
  const what = st.candidate ? describeRelease(st.candidate) : version;
  const retry = isServingChange(st.candidate) ? 'Change spec.serving (or spec.model)' : 'Change spec.model';
  pass.enter('RolledBack', `${why.message} Stable ${st.stable.version} serves all traffic with its serving config. ${retry} or run \`tern retry\` to try again.`);
  pass.outcome({ outcome: 'RolledBack', reason: why.metricReason });
  pass.event('Warning', 'RolledBack', `${what} rolled back: ${why.message}`);
  pass.condition({ type: 'Degraded', status: 'True', reason: why.conditionReason, message: why.message });
}

/** Canary step `index` (0-based) starts: its weight is in force from now on. */
export function enterStep(pass: Pass, index: number): void {
  const steps = pass.spec.rollout.steps;
  if (index >= steps.length) return enterPromoting(pass);
  const step = steps[index];
  if (!step) return enterPromoting(pass);
  pass.resetStep();
  const st = pass.status;
  st.currentStep = index;
  st.canaryWeight = step.setWeight;
  st.stepSince = pass.nowIso;
  const version = st.candidate ? releaseLabel(st.candidate) : '';
  const wait = step.pause ? `for ${step.pause}` : 'until `tern promote`';
  pass.enter('Canary', `Canary step ${index + 1}/${steps.length}: ${step.setWeight}% of live traffic to ${version}, held ${wait} while analysis runs.`);
  pass.event('Normal', 'StepStarted', `step ${index + 1}/${steps.length}: ${step.setWeight}% of live traffic to ${version}`);
}

/** The optional shadow step: live traffic is mirrored to the candidate, its responses dropped. */
export function enterShadow(pass: Pass): void {
  const shadow = pass.spec.rollout.shadow;
  if (!shadow) return enterStep(pass, 0);
  pass.resetStep();
  const st = pass.status;
  st.mirrorPercent = shadow.mirrorPercent;
  st.stepSince = pass.nowIso;
  pass.enter('Canary', `Shadow: ${shadow.mirrorPercent}% of live traffic mirrored to ${st.candidate?.version ?? ''} for ${shadow.duration}; its responses are dropped.`);
  pass.event('Normal', 'ShadowStarted', `mirroring ${shadow.mirrorPercent}% of live traffic to ${st.candidate?.version ?? ''}`);
}

/** Promotion starts: the stable track is updated to the candidate's model; traffic stays until it is ready. */
export function enterPromoting(pass: Pass): void {
  const st = pass.status;
  const weight = st.canaryWeight ?? 0;
  const mirror = st.mirrorPercent ?? 0;
  pass.resetStep();
  // Keep the traffic where it is until the stable track runs the new model (no dip to an old model).
  st.canaryWeight = weight;
  st.mirrorPercent = mirror;
  pass.enter('Promoting', `Promoting ${st.candidate?.version ?? ''}: updating the stable track; traffic returns to it once its pods are ready.`);
  pass.event('Normal', 'Promoting', `updating the stable track to ${st.candidate?.version ?? ''}`);
}

/** The candidate is now stable: history, Healthy, traffic all on stable, candidate pods to 0. */
export function finishPromotion(pass: Pass): void {
  const st = pass.status;
  const candidate = st.candidate;
  if (!candidate) return;
  const previousModel = st.stable;
  const previous = previousModel?.version;
  pass.history({ version: candidate.version, outcome: 'Promoted', startedAt: candidate.since ?? pass.nowIso, ...(candidate.change ? { change: candidate.change } : {}) });
  st.stable = { ...candidate, since: pass.nowIso };
  delete st.candidate;
  pass.resetStep();
  pass.outcome({ outcome: 'Promoted' });
  const from = previous ? ` (was ${previous})` : '';
  pass.enter('Healthy', `${describeRelease(candidate)} serves 100% of live traffic${from}.`);
  pass.event('Normal', 'Promoted', `${describeRelease(candidate)} promoted to stable${from}`);
  startBake(pass, previousModel);
  if (st.bake) st.message = `${describeRelease(candidate)} serves 100% of live traffic${from}; baking until ${st.bake.until} with ${previous} kept warm.`;
  pass.condition({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: `${candidate.version} passed every step.` });
}

/** spec.model or spec.serving moved to a third release mid-rollout: the old candidate is superseded, the new one starts. */
export function supersede(pass: Pass, why: string): void {
  const st = pass.status;
  const old = st.candidate;
  if (old) {
    pass.history({ version: old.version, outcome: 'Superseded', startedAt: old.since ?? pass.nowIso, reason: `${why} mid-rollout`, ...(old.change ? { change: old.change } : {}) });
    pass.outcome({ outcome: 'Superseded' });
    pass.event('Normal', 'Superseded', `${describeRelease(old)} superseded before it finished: ${why}`);
  }
  startRelease(pass, `${why} mid-rollout`);
}

/**
 * spec.model changed back to the stable model mid-rollout (the runbook's GitOps rollback): abort the
 * candidate at once and start nothing. The spec is satisfied again, so the release is Healthy.
 */
export function gitOpsRevert(pass: Pass): void {
  const st = pass.status;
  const old = st.candidate;
  const stable = st.stable;
  if (!stable) return;
  pass.resetStep();
  const message = `${old ? describeRelease(old) : 'the candidate'} was aborted because spec.model and spec.serving were changed back to the stable ${stable.version}.`;
  if (old) pass.history({ version: old.version, outcome: 'RolledBack', startedAt: old.since ?? pass.nowIso, reason: 'GitOpsRevert', ...(old.change ? { change: old.change } : {}) });
  pass.outcome({ outcome: 'RolledBack', reason: 'GitOpsRevert' });
  pass.event('Normal', 'GitOpsRevert', message);
  delete st.candidate;
  pass.enter('Healthy', `${describeModel(stable)} serves 100% of live traffic; ${message}`);
  pass.condition({ type: 'Degraded', status: 'False', reason: 'GitOpsRevert', message });
}
