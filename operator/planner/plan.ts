/**
 * The rollout planner: one pure step of a ModelRelease's state machine (the phase table of docs/architecture.md).
 *
 *   plan({release, observed, measurements, golden, command, now}, judge, scale) -> {desired, status, events, outcomes, requeueAfterMs}
 *
 * `judge` (operator/analysis's assess) and `scale` (the release's TrafficRouter's pod scaling) are
 * injected, so the planner imports no router and no analysis implementation.
 *
 * Order within a pass: spec.model changes (start, supersede, GitOps revert), then a manual command,
 * then fresh analysis (Fail rolls back in this same pass), then the phase's own progress, then the
 * desired objects and conditions from the resulting status. All state lives in status, so a restarted
 * operator resumes the same step with the same weights.
 */
import { failBake, planBake } from './bake.js';
import { planCanary, planPromoting } from './canary.js';
import { applyCommand } from './commands.js';
import { desiredOf } from './desired.js';
import { durationMs } from '../api/duration.js';
import type { Scale } from '../model/traffic.js';
import { describeChange, describeModel, isServingChange, releaseRef, sameRelease } from './models.js';
import { podServing } from '../model/pod-serving.js';
import { Pass } from './pass.js';
import { judgeProduction, watchingProduction } from './production.js';
import { planRestore, restoreFromSpec } from './restore.js';
import { GOLDEN_CHECK, planStaging } from './staging.js';
import { gitOpsRevert, rollBack, startRelease, supersede } from './transitions.js';
import type { Judge, PlanInput, PlanResult } from './types.js';

const IN_FLIGHT = new Set(['Staging', 'Canary', 'Paused', 'Promoting']);

/**
 * Compute the next state of `input.release`. Pure: time comes from `input.now`, judgement from `judge`,
 * pod counts per traffic weight from `scale` (the router of spec.traffic.router).
 */
export function plan(input: PlanInput, judge: Judge, scale: Scale): PlanResult {
  const pass = new Pass(input, scale);
  if (input.servingInStatus !== false) adoptServing(pass);
  const started = followSpec(pass);
  applyCommand(pass, input.command);
  if (!started) judgeMeasurements(pass, judge);
  progress(pass);
  const desired = desiredOf(pass);
  setConditions(pass);
  return { desired, status: pass.status, events: pass.events, outcomes: pass.outcomes, alarms: pass.alarms, requeueAfterMs: pass.requeueAfterMs };
}

/**
 * Models recorded before the serving config was kept in status run spec.serving (the operator applied it
 * to every track then): record that, so a later change of spec.serving is told apart and released.
 */
function adoptServing(pass: Pass): void {
  const st = pass.status;
  if (!st.phase || st.phase === 'Pending') return;
  for (const ref of [st.stable, st.candidate, st.previousStable]) if (ref && !ref.serving) ref.serving = podServing(pass.spec.serving);
}

/** Why a release starts: what spec asks for against the stable model. */
function startReason(pass: Pass, wanted: ReturnType<typeof releaseRef>): string {
  const change = describeChange(pass.status.stable, wanted);
  return change ? (isServingChange({ ...wanted, change }) ? `spec.serving changed (${change})` : `spec.model changed (${change})`) : `spec.model changed to ${describeModel(wanted)}`;
}

/** React to spec.model and spec.serving (docs/serving-changes.md); true when a release (re)started in this pass. */
function followSpec(pass: Pass): boolean {
  const st = pass.status;
  const wanted = releaseRef(pass.spec);
  const phase = st.phase;
  if (phase === undefined || phase === 'Pending') {
    startRelease(pass, 'new ModelRelease');
    return true;
  }
  if (IN_FLIGHT.has(phase)) {
    if (st.stable && sameRelease(wanted, st.stable)) {
      gitOpsRevert(pass);
      return false;
    }
    if (!sameRelease(wanted, st.candidate)) {
      supersede(pass, startReason(pass, wanted));
      return true;
    }
    return false;
  }
  if (st.previousStable && !sameRelease(wanted, st.stable) && sameRelease(wanted, st.previousStable) && (phase === 'Healthy' || phase === 'RolledBack' || phase === 'Failed')) {
    restoreFromSpec(pass);
    return false;
  }
  if (phase === 'Healthy') {
    if (!sameRelease(wanted, st.stable)) {
      startRelease(pass, startReason(pass, wanted));
      return true;
    }
    return false;
  }
  // RolledBack or Failed: wait for a different model or serving config (or `tern retry`); back to stable's is Healthy.
  if (st.stable && sameRelease(wanted, st.stable)) {
    delete st.candidate;
    pass.enter('Healthy', `${describeModel(st.stable)} serves 100% of live traffic; spec.model and spec.serving are the stable ones again.`);
    pass.condition({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'spec.model and spec.serving are the stable ones.' });
    return false;
  }
  if (!sameRelease(wanted, st.candidate)) {
    startRelease(pass, startReason(pass, wanted));
    return true;
  }
  return false;
}

/** Judge this pass's measurements; a Fail rolls back now. While a candidate is in flight (promotion included) or a stable model bakes. */
function judgeMeasurements(pass: Pass, judge: Judge): void {
  const st = pass.status;
  const fresh = pass.input.measurements;
  const baking = st.phase === 'Healthy' && st.bake !== undefined;
  const production = watchingProduction(pass);
  if (!fresh || !st.phase || !(baking || production || IN_FLIGHT.has(st.phase))) return;
  const golden = (st.analysis ?? []).filter((r) => r.name === GOLDEN_CHECK);
  const previous = (st.analysis ?? []).filter((r) => r.name !== GOLDEN_CHECK);
  if (production) {
    // In production failures count in a row: a measurement with no Failed check starts the counts afresh.
    const verdict = judge(pass.spec.rollout.analysis, fresh, fresh.some((r) => r.outcome === 'Failed') ? previous : undefined);
    return judgeProduction(pass, verdict, failureMessage(verdict));
  }
  const verdict = judge(pass.spec.rollout.analysis, fresh, previous);
  st.analysis = [...verdict.results, ...golden];
  st.lastVerdict = verdict.kind;
  if (verdict.kind === 'Fail') {
    const check = verdict.decisive?.name ?? 'analysis';
    if (baking) return failBake(pass, check, failureMessage(verdict));
    rollBack(pass, { conditionReason: 'AnalysisFailed', metricReason: check, message: failureMessage(verdict) });
  }
}

/** The verdict's reason, naming the check, its value and its threshold, whatever the provider wrote. */
function failureMessage(verdict: ReturnType<Judge>): string {
  const decisive = verdict.decisive;
  const check = decisive?.name ?? 'analysis';
  const value = decisive?.value !== undefined ? String(Number(decisive.value.toPrecision(4))) : undefined;
  const detail = value !== undefined && !verdict.reason.includes(value) ? ` (${check} on ${decisive?.track}: value ${value}, threshold ${decisive?.threshold ?? '?'})` : '';
  return `${verdict.reason}${detail}`;
}

function progress(pass: Pass): void {
  planRestore(pass);
  switch (pass.status.phase) {
    case 'Healthy':
      planBake(pass);
      if (watchingProduction(pass)) pass.wakeIn(durationMs(pass.spec.rollout.productionInterval));
      return;
    case 'Staging':
      return planStaging(pass);
    case 'Canary':
      return planCanary(pass);
    case 'Promoting':
      return planPromoting(pass);
    case 'Paused':
      // Analysis keeps running while paused (a Fail still rolls back); nothing else moves.
      pass.wakeIn(durationMs(pass.spec.rollout.analysis.interval));
      return;
    default:
      return;
  }
}

/** Ready and Progressing follow the phase and the stable pods; Degraded is set at the transitions. */
function setConditions(pass: Pass): void {
  const st = pass.status;
  const stableReady = pass.input.observed.stable?.readyReplicas ?? 0;
  if (!st.stable) {
    pass.condition({ type: 'Ready', status: 'False', reason: 'NoStableModel', message: 'No model has been promoted yet.' });
  } else if (stableReady === 0) {
    pass.condition({ type: 'Ready', status: 'False', reason: 'StableNotReady', message: `Stable ${st.stable.version} has no ready pod.` });
  } else {
    pass.condition({ type: 'Ready', status: 'True', reason: 'StableServing', message: `Stable ${st.stable.version} is serving.` });
  }
  const message = st.message ?? '';
  switch (st.phase) {
    case 'Staging':
    case 'Canary':
    case 'Promoting':
      pass.condition({ type: 'Progressing', status: 'True', reason: st.heldSince ? 'AnalysisHeld' : `Rollout${st.phase}`, message });
      break;
    case 'Paused':
      pass.condition({ type: 'Progressing', status: 'Unknown', reason: 'RolloutPaused', message });
      break;
    case 'Healthy':
      pass.condition({ type: 'Progressing', status: 'False', reason: 'RolloutComplete', message });
      break;
    default:
      pass.condition({ type: 'Progressing', status: 'False', reason: st.phase === 'Failed' ? 'RolloutFailed' : 'RolledBack', message });
  }
  if (!st.conditions?.some((c) => c.type === 'Degraded')) {
    pass.condition({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'No release has been rolled back.' });
  }
}

export { rollBack };
