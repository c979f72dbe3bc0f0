/**
 * The Staging phase: the candidate runs with no live traffic until its pods are ready, the golden
 * queries pass and the soak time is over. (The offline gates were checked when the release started.)
 * A first release stages on the stable track and goes straight to Healthy.
 */
import type { CheckResult, ModelReleaseStatus } from '../api/model-release-schema.js';
import type { ResolvedSpec } from '../model/resolved-spec.js';
import { desiredOf, trackReady } from './desired.js';
import { durationMs } from '../api/duration.js';
import { releaseLabel } from './models.js';
import type { Pass } from './pass.js';
import { decisiveProblem, describeProblems, failOnCandidateRestart, problemHint } from './pod-problems.js';
import { enterShadow, enterStep, finishPromotion, isFirstRelease, rollBack } from './transitions.js';

/** The name golden queries are recorded under in status.analysis. */
export const GOLDEN_CHECK = 'goldenQueries';

/** The stored golden query result, if any. */
export function goldenResult(results: CheckResult[] | undefined): CheckResult | undefined {
  return results?.find((r) => r.name === GOLDEN_CHECK);
}

/** Whether golden queries are configured and have not passed yet for the candidate in `status`. */
export function goldenQueriesPending(spec: ResolvedSpec, status: ModelReleaseStatus | undefined): boolean {
  return (spec.rollout.staging.goldenQueries?.length ?? 0) > 0 && goldenResult(status?.analysis)?.outcome !== 'Successful';
}

function goldenQueriesDue(pass: Pass): boolean {
  return goldenQueriesPending(pass.spec, pass.status);
}

export function planStaging(pass: Pass): void {
  const st = pass.status;
  const candidate = st.candidate;
  if (!candidate) return;
  const first = isFirstRelease(pass);
  const analysis = pass.spec.rollout.analysis;
  const staging = pass.spec.rollout.staging;

  // Analysis runs in staging too (a Fail rolls back): come back every interval while a stable exists.
  if (!first) pass.wakeIn(durationMs(analysis.interval));
  const want = desiredOf(pass);
  const wantedPods = (first ? want.stable?.replicas : want.candidate?.replicas) ?? 0;
  const observed = first ? pass.input.observed.stable : pass.input.observed.candidate;
  if (failOnCandidateRestart(pass)) return;
  if (!trackReady(observed, candidate, wantedPods)) {
    const problems = pass.input.candidateProblems ?? [];
    const problem = decisiveProblem(problems);
    const ready = `${observed?.readyReplicas ?? 0}/${wantedPods}`;
    // A pod that says it will never be ready (a broken artifact) ends staging now: waiting cannot help.
    if (problem?.permanent) {
      rollBack(pass, {
        conditionReason: problem.reason,
        metricReason: problem.reason,
        message: `${releaseLabel(candidate)} cannot become ready (${ready} pods ready): ${describeProblems([problem])}. ${problemHint(problem.reason)}`,
      });
      return;
    }
    const deadline = durationMs(analysis.progressDeadline);
    if (pass.since(st.phaseSince) > deadline) {
      rollBack(pass, {
        conditionReason: 'CandidateNotReady',
        metricReason: 'CandidateNotReady',
        message: problem
          ? `${candidate.version} had ${ready} pods ready after the progress deadline ${analysis.progressDeadline}: ${describeProblems(problems)}. ${problemHint(problem.reason)}`
          : `${candidate.version} had ${ready} pods ready after the progress deadline ${analysis.progressDeadline}; check the pods' logs (weights URL, sha256).`,
      });
      return;
    }
    pass.wakeIn(deadline - pass.since(st.phaseSince));
    const why = problem ? `; ${describeProblems(problems)}` : '';
    st.message = `Staging ${releaseLabel(candidate)}: waiting for ${wantedPods} pod(s) to be ready (${observed?.readyReplicas ?? 0} ready${why}).`;
    return;
  }
  if (!st.stepSince) {
    st.stepSince = pass.nowIso;
    pass.event('Normal', 'CandidateReady', `${candidate.version}: ${wantedPods} pod(s) ready with no live traffic`);
  }

  if (goldenQueriesDue(pass)) {
    const golden = pass.input.golden;
    if (!golden) {
      st.message = `Staging ${releaseLabel(candidate)}: running ${staging.goldenQueries?.length ?? 0} golden queries.`;
      pass.wakeIn(durationMs(analysis.interval));
      return;
    }
    const result: CheckResult = { name: GOLDEN_CHECK, track: 'canary', outcome: golden.outcome, message: golden.message, measuredAt: pass.nowIso };
    st.analysis = [...(st.analysis ?? []).filter((r) => r.name !== GOLDEN_CHECK), result];
    if (golden.outcome === 'Failed') {
      rollBack(pass, { conditionReason: 'GoldenQueriesFailed', metricReason: 'GoldenQueries', message: `golden queries failed on ${candidate.version}: ${golden.message}` });
      return;
    }
    if (golden.outcome === 'Error') {
      st.message = `Staging ${releaseLabel(candidate)}: golden queries could not run (${golden.message}); retrying.`;
      pass.event('Warning', 'GoldenQueriesError', golden.message);
      pass.wakeIn(durationMs(analysis.interval));
      return;
    }
    pass.event('Normal', 'GoldenQueriesPassed', `${staging.goldenQueries?.length ?? 0} golden queries passed on ${candidate.version}`);
  }

  const soakMs = durationMs(staging.minDuration);
  const soaked = pass.since(st.stepSince);
  if (soaked < soakMs) {
    st.message = `Staging ${releaseLabel(candidate)}: ready; soaking for ${staging.minDuration} before live traffic.`;
    pass.wakeIn(soakMs - soaked);
    return;
  }

  pass.event('Normal', 'StagingPassed', `${candidate.version} passed staging`);
  if (first) return finishPromotion(pass);
  if (pass.spec.rollout.shadow) {
    if (pass.spec.traffic.router === 'gatewayAPI') return enterShadow(pass);
    pass.event('Warning', 'ShadowSkipped', 'the shadow step needs router gatewayAPI (RequestMirror); the replicas router cannot mirror, so canary steps start');
  }
  enterStep(pass, 0);
}
