/**
 * The production watch: after the bake, the stable model keeps being measured on the slower
 * spec.rollout.productionInterval with the same checks. A Fail raises an alarm (Degraded, a Warning
 * event, tern_production_alarms_total) or, with onProductionAlarm rollback, restores the previous stable
 * model (restore.ts). To keep an idle release's API writes at zero, measurements reach status only
 * while something fails (and when it clears); the pacing lives in the reconciler (measure-due.ts).
 */
import type { CheckResult } from '../api/model-release-schema.js';
import { durationMs } from '../api/duration.js';
import type { Pass } from './pass.js';
import { startRestore } from './restore.js';
import type { AnalysisVerdict } from '../analysis/types.js';

/** Whether the production watch is on for the pass's release and it is in production (Healthy, no bake or restore). */
export function watchingProduction(pass: Pass): boolean {
  const st = pass.status;
  return st.phase === 'Healthy' && !!st.stable && !st.bake && !st.restore && durationMs(pass.spec.rollout.productionInterval) > 0;
}

const signature = (results: CheckResult[] | undefined) =>
  JSON.stringify((results ?? []).map((r) => [r.name, r.track, r.outcome, r.failures ?? 0]).sort());

/** Judge a production measurement (the verdict of the injected judge) and act on it. */
export function judgeProduction(pass: Pass, verdict: AnalysisVerdict, message: string): void {
  const st = pass.status;
  // Status keeps failures, alarms and their clearing; passing, inconclusive or erroring measurements of
  // a quiet watch go to the metrics only, so a steady watch writes nothing.
  const failing = verdict.results.some((r) => r.outcome === 'Failed');
  const counting = (st.analysis ?? []).some((r) => (r.failures ?? 0) > 0);
  if ((failing || counting || st.productionAlarm) && signature(verdict.results) !== signature(st.analysis)) st.analysis = verdict.results;
  if (verdict.kind === 'Fail') return failProduction(pass, verdict.decisive?.name ?? 'analysis', message);
  if (verdict.kind === 'Hold' || !st.productionAlarm) return;
  const was = st.productionAlarm;
  delete st.productionAlarm;
  st.analysis = verdict.results;
  pass.event('Normal', 'ProductionRecovered', `the production checks pass again on ${st.stable?.version ?? ''} (alarm on ${was.check} since ${was.since})`);
  pass.condition({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: `The production checks pass on ${st.stable?.version ?? ''}.` });
}

function failProduction(pass: Pass, check: string, message: string): void {
  const st = pass.status;
  const version = st.stable?.version ?? '';
  if (pass.spec.rollout.onProductionAlarm === 'rollback' && st.previousStable) {
    const bad = startRestore(pass, check, 'ProductionAlarm');
    if (!bad || !st.stable) return;
    st.candidate = { ...bad };
    delete st.productionAlarm;
    const text = `${bad.version} failed in production: ${message}`;
    pass.resetStep();
    pass.enter('RolledBack', `${text} ${st.stable.version} serves all traffic again (onProductionAlarm rollback). Change spec.model to ${st.stable.version} in Git.`);
    pass.event('Warning', 'RolledBack', `${text}; all traffic is back on ${st.stable.version}`);
    pass.condition({ type: 'Degraded', status: 'True', reason: 'ProductionAlarm', message: text });
    return;
  }
  if (st.productionAlarm) return; // already raised: one event and one count per alarm
  st.productionAlarm = { since: pass.nowIso, check, message };
  pass.alarm(check);
  pass.event('Warning', 'ProductionAlarm', `${version} fails in production: ${message} (onProductionAlarm alert: traffic stays; \`tern undo\` or a GitOps revert restores the previous model)`);
  pass.condition({ type: 'Degraded', status: 'True', reason: 'ProductionAlarm', message: `${version} fails in production: ${message}` });
}
