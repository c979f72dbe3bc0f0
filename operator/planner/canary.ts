/**
 * The Canary phase (shadow and weighted steps) and Promoting. A step ends when its pause is over,
 * the candidate's pods for the weight are ready and analysis says Advance; a step without a pause
 * waits for `tern promote`. Analysis that cannot judge (Hold) holds the step, visibly, until the
 * progress deadline, then pauses or aborts as the spec says.
 */
import { desiredOf, trackReady } from './desired.js';
import { durationMs } from '../api/duration.js';
import { bakeEnabled } from './bake.js';
import type { Pass } from './pass.js';
import { runs } from './models.js';
import { failOnCandidateRestart } from './pod-problems.js';
import { previousWarm } from './restore.js';
import { enterPromoting, enterStep, finishPromotion, rollBack } from './transitions.js';

/** Hold bookkeeping; returns true when the step must not advance because analysis holds it. */
function held(pass: Pass): boolean {
  const st = pass.status;
  const analysis = pass.spec.rollout.analysis;
  if (st.lastVerdict !== 'Hold') {
    delete st.heldSince;
    return false;
  }
  if (!st.heldSince) {
    st.heldSince = pass.nowIso;
    pass.event('Warning', 'AnalysisHeld', `the step is held: analysis is inconclusive or its backend failed`);
  }
  const deadline = durationMs(analysis.progressDeadline);
  const heldMs = pass.since(st.heldSince);
  if (heldMs <= deadline) {
    pass.wakeIn(deadline - heldMs + 1);
    return true;
  }
  const message = `analysis held the step for longer than the progress deadline ${analysis.progressDeadline}`;
  if (analysis.onProgressDeadline === 'Abort') {
    rollBack(pass, { conditionReason: 'ProgressDeadlineExceeded', metricReason: 'ProgressDeadline', message: `${message}.` });
  } else {
    pass.enter('Paused', `Paused: ${message}. Fix the metrics backend, then \`tern resume\` (or \`tern promote\` / \`tern abort\`).`);
    pass.event('Warning', 'ProgressDeadlineExceeded', `${message}; paused for a person`);
  }
  return true;
}

export function planCanary(pass: Pass): void {
  const st = pass.status;
  const steps = pass.spec.rollout.steps;
  const interval = durationMs(pass.spec.rollout.analysis.interval);
  pass.wakeIn(interval);

  if (failOnCandidateRestart(pass)) return;
  const shadow = st.currentStep === undefined;
  if (!shadow && (st.currentStep ?? 0) >= steps.length) return enterPromoting(pass);
  if (held(pass)) {
    if (st.phase === 'Canary' && st.heldSince) st.message = `${stepLabel(pass)}: held since ${st.heldSince}; analysis is inconclusive or its backend failed.`;
    return;
  }

  const step = shadow ? undefined : steps[st.currentStep ?? 0];
  const pause = shadow ? pass.spec.rollout.shadow?.duration : step?.pause;
  if (pause === undefined) {
    st.message = `${stepLabel(pass)}: waiting for \`tern promote\` (analysis keeps running).`;
    return;
  }
  const pauseMs = durationMs(pause);
  const elapsed = pass.since(st.stepSince);
  if (elapsed < pauseMs) {
    pass.wakeIn(pauseMs - elapsed);
    return;
  }
  const want = desiredOf(pass).candidate?.replicas ?? 0;
  if (!st.candidate || !trackReady(pass.input.observed.candidate, st.candidate, want)) {
    st.message = `${stepLabel(pass)}: waiting for ${want} candidate pod(s) to be ready.`;
    return;
  }
  if (st.lastVerdict !== 'Advance') {
    st.message = `${stepLabel(pass)}: pause over; waiting for analysis to pass.`;
    return;
  }
  nextStep(pass);
}

/** Leave the step in force for the next one (or promotion after the last). */
export function nextStep(pass: Pass): void {
  const st = pass.status;
  if (st.currentStep === undefined) return enterStep(pass, 0);
  enterStep(pass, st.currentStep + 1);
}

function stepLabel(pass: Pass): string {
  const st = pass.status;
  if (st.currentStep === undefined) return `Shadow (${st.mirrorPercent ?? 0}% mirrored)`;
  return `Canary step ${st.currentStep + 1}/${pass.spec.rollout.steps.length} (${st.canaryWeight ?? 0}%)`;
}

/** Promoting: once the stable track runs the candidate's model on every pod, traffic returns to it. */
export function planPromoting(pass: Pass): void {
  const st = pass.status;
  const candidate = st.candidate;
  if (!candidate) return;
  const total = pass.spec.serving.replicas;
  const stable = pass.input.observed.stable;
  if (!trackReady(stable, candidate, total)) {
    const waitingForFallback = st.stable && desiredOf(pass).stable?.model !== candidate;
    st.message = waitingForFallback
      ? `Promoting ${candidate.version}: starting ${st.stable?.version ?? ''} on the previous track (the fallback) before the stable track is updated.`
      : `Promoting ${candidate.version}: updating the stable track (${runs(stable, candidate) ? (stable?.readyReplicas ?? 0) : 0}/${total} pods ready).`;
    return;
  }
  // With a bake, the previous model must be warm first (it is what a failed bake falls back to), up to the progress deadline.
  const previous = st.stable;
  const deadline = durationMs(pass.spec.rollout.analysis.progressDeadline);
  if (previous && bakeEnabled(pass) && !previousWarm(pass, previous)) {
    if (pass.since(st.phaseSince) <= deadline) {
      st.message = `Promoting ${candidate.version}: stable track ready; waiting for ${previous.version} to be warm on the previous track for the bake.`;
      pass.wakeIn(deadline - pass.since(st.phaseSince) + 1);
      return;
    }
    pass.event('Warning', 'PreviousNotWarm', `${previous.version} has no ready pod on the previous track after ${pass.spec.rollout.analysis.progressDeadline}; the bake starts without a warm fallback`);
  }
  finishPromotion(pass);
}
